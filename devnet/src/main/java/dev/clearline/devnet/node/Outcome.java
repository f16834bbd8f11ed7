package dev.clearline.devnet.node;

/** A node answer: a value, or the reason the request was refused. */
public sealed interface Outcome<T> permits Outcome.Done, Outcome.Refused {

    record Done<T>(T value) implements Outcome<T> {}

    record Refused<T>(NodeError error) implements Outcome<T> {}

    static <T> Outcome<T> done(T value) {
        return new Done<>(value);
    }

    static <T> Outcome<T> refused(NodeError error) {
        return new Refused<>(error);
    }
}
