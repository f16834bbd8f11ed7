package dev.clearline.sequencer.command;

/** A log entry that is not a command this version understands. */
public final class MalformedCommandException extends Exception {
    public MalformedCommandException(String message) {
        super(message);
    }
}
