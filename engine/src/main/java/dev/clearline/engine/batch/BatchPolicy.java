package dev.clearline.engine.batch;

import dev.clearline.engine.transition.TransitionCodec;

/** When to seal: at {@code maxTransitions}, or once the open batch is {@code maxAgeSeconds} old (time as input). */
public record BatchPolicy(int maxTransitions, long maxAgeSeconds) {
    /**
     * The most bytes of transitions a batch may carry and still post through any L1 RPC: geth pools no
     * transaction over 131,072 bytes (four 32 KiB slots, its txpool's {@code txMaxSize}; it answers
     * "oversized data", and nodes and providers built on it do the same), less 1 KiB for the
     * {@code submitBatch} call around them (selector, header, ABI words) and the transaction's own
     * fields and signature. The devnet and Hardhat's node take more, a public L1 does not.
     */
    public static final int POOLED_CALLDATA_BYTES = 131_072 - 1_024;
    /**
     * The most transitions a batch may hold so that its calldata fits {@link #POOLED_CALLDATA_BYTES}
     * even when every one is the longest kind (890 of 146 bytes): the node's batches are cut by
     * count, so this bounds their bytes without weighing each one.
     */
    public static final int POOLED_TRANSITIONS = POOLED_CALLDATA_BYTES / TransitionCodec.MAX_LENGTH;

    public BatchPolicy {
        if (maxTransitions < 1) throw new IllegalArgumentException("maxTransitions must be at least 1, got " + maxTransitions);
        if (maxAgeSeconds < 0) throw new IllegalArgumentException("maxAgeSeconds must not be negative, got " + maxAgeSeconds);
    }

    /** The most bytes of transitions a batch sealed under this policy can carry. */
    public long worstCaseCalldataBytes() {
        return (long) maxTransitions * TransitionCodec.MAX_LENGTH;
    }
}
