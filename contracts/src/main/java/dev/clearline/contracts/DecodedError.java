package dev.clearline.contracts;

import java.util.List;

/**
 * A custom error decoded from revert data.
 *
 * @param error which error it was
 * @param arguments its arguments in declaration order, as Java values (see {@link AbiCodec})
 */
public record DecodedError(AbiError error, List<Object> arguments) {
    public DecodedError {
        arguments = List.copyOf(arguments);
    }

    /** E.g. {@code InsufficientBalance(0xab..., 5, 7)}: what a user-facing message shows. */
    @Override
    public String toString() {
        return error.name() + AbiCodec.render(arguments);
    }
}
