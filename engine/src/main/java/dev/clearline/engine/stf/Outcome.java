package dev.clearline.engine.stf;

/** The result of applying one transition: applied, or why it is invalid (the store is then unchanged). */
public sealed interface Outcome {
    Outcome APPLIED = new Applied();

    record Applied() implements Outcome {}

    record Rejected(Reject reason) implements Outcome {}

    default boolean applied() {
        return this instanceof Applied;
    }
}
