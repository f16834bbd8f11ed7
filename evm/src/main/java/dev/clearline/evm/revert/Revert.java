package dev.clearline.evm.revert;

import dev.clearline.evm.Hex;
import java.math.BigInteger;
import java.util.List;

/** Why a call reverted, decoded from its revert data. */
public sealed interface Revert {

    /** A human-readable account of the reason, e.g. {@code Error("too late")} or {@code Panic(0x11: arithmetic overflow or underflow)}. */
    String describe();

    /** {@code revert()} or {@code require(cond)} without a message: no data. */
    record Empty() implements Revert {
        @Override
        public String describe() {
            return "reverted without a reason";
        }
    }

    /** {@code Error(string)}, selector {@code 0x08c379a0}: {@code require(cond, "message")} and {@code revert("message")}. */
    record ErrorMessage(String message) implements Revert {
        @Override
        public String describe() {
            return "Error(\"" + message + "\")";
        }
    }

    /** {@code Panic(uint256)}, selector {@code 0x4e487b71}: a failed assert, overflow, division by zero, bad index, ... */
    record Panic(BigInteger code, String meaning) implements Revert {
        @Override
        public String describe() {
            return "Panic(0x" + code.toString(16) + ": " + meaning + ")";
        }
    }

    /**
     * A custom error whose signature was registered with the decoder.
     *
     * @param arguments decoded values: {@code BigInteger} for integers, {@code dev.clearline.evm.Address}
     *     for addresses, {@code Boolean}, {@code String}, {@code byte[]} for bytes, {@code List} for arrays
     */
    record CustomError(String signature, List<Object> arguments) implements Revert {
        @Override
        public String describe() {
            String name = signature.substring(0, signature.indexOf('('));
            return name + "(" + String.join(", ", arguments.stream().map(CustomError::show).toList()) + ")";
        }

        private static String show(Object argument) {
            if (argument instanceof byte[] bytes) {
                return Hex.encode(bytes);
            }
            if (argument instanceof String s) {
                return "\"" + s + "\"";
            }
            return String.valueOf(argument);
        }
    }

    /** Revert data whose selector no registered error matches (or whose body did not decode). */
    record Unknown(String selector, byte[] data) implements Revert {
        public Unknown {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public String describe() {
            return "unknown error " + selector + " (data " + Hex.encode(data)
                    + "); register its signature with RevertDecoder.register to decode it";
        }
    }
}
