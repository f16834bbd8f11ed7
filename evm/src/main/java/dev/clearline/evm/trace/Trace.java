package dev.clearline.evm.trace;

/** A trace of one execution, serialisable to the JSON go-ethereum's {@code debug_trace*} methods return. */
public sealed interface Trace permits StructTrace, CallFrame {
    /** The trace as geth writes it. */
    String toJson();
}
