package dev.clearline.contracts;

import java.util.List;

/**
 * An event decoded from a log.
 *
 * @param event which event it was
 * @param arguments its inputs in declaration order (indexed ones from the topics), as Java values
 */
public record DecodedEvent(AbiEvent event, List<Object> arguments) {
    public DecodedEvent {
        arguments = List.copyOf(arguments);
    }

    @Override
    public String toString() {
        return event.name() + AbiCodec.render(arguments);
    }
}
