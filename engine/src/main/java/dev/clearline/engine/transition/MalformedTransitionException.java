package dev.clearline.engine.transition;

/**
 * Bytes that are not the canonical encoding of any transition. On L1 such calldata makes its batch
 * invalid; off-chain it means the input did not come from a Clearline sequencer.
 */
public final class MalformedTransitionException extends Exception {
    public MalformedTransitionException(String message) {
        super(message);
    }
}
