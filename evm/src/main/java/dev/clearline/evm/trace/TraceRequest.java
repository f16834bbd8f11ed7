package dev.clearline.evm.trace;

/** Which tracer to run, and with what detail. */
public sealed interface TraceRequest<T extends Trace> {

    /** Parses the tracer's geth-shaped JSON output. */
    T parse(String gethJson);

    /** Every opcode step (geth's struct logger). Stack on, storage on, memory and return data off by default. */
    static Steps steps() {
        return new Steps(true, false, true, false);
    }

    /** The call tree (geth's {@code callTracer}), every frame, without logs. */
    static CallTree callTree() {
        return new CallTree(false, false);
    }

    /** Geth's struct logger options. */
    record Steps(boolean stack, boolean memory, boolean storage, boolean returnData) implements TraceRequest<StructTrace> {
        public Steps withMemory() {
            return new Steps(stack, true, storage, returnData);
        }

        @Override
        public StructTrace parse(String gethJson) {
            return StructTrace.fromJson(gethJson);
        }
    }

    /**
     * Geth's call tracer and its {@code tracerConfig}.
     *
     * @param onlyTopCall the outermost frame alone, no nested calls
     * @param withLog each frame's logs in {@link CallFrame#logs()}
     */
    record CallTree(boolean onlyTopCall, boolean withLog) implements TraceRequest<CallFrame> {
        @Override
        public CallFrame parse(String gethJson) {
            return CallFrame.fromJson(gethJson);
        }
    }
}
