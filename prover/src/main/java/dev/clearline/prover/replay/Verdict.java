package dev.clearline.prover.replay;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.Reject;

/**
 * What replaying a posted batch found. Every kind but {@link Honest} is fraud that a watcher
 * challenges; {@link #firstSuspectStep()} says where the bisection should end up when the
 * replay can tell (the step whose post-root cannot be the proposer's).
 */
public sealed interface Verdict {
    long batchIndex();

    default boolean honest() {
        return this instanceof Honest;
    }

    /** The transition (0-based) a one-step proof should re-execute, or -1 when only bisection can tell. */
    default int firstSuspectStep() {
        return -1;
    }

    /** The batch is what its header says: same calldata shape, every step applies, same post-root. */
    record Honest(long batchIndex, Hash32 postRoot) implements Verdict {}

    /** The header's pre-root is not the state the previous batch left. */
    record WrongPrevRoot(long batchIndex, Hash32 claimed, Hash32 actual) implements Verdict {}

    /** The calldata does not cut into transitions, or one does not decode: fraud by itself. */
    record Undecodable(long batchIndex, int step, int offset, String reason) implements Verdict {
        @Override
        public int firstSuspectStep() {
            return step;
        }
    }

    /** The header's count, transitions root or priority count disagrees with the calldata. */
    record HeaderMismatch(long batchIndex, String field, String claimed, String actual) implements Verdict {}

    /** A transition the STF refuses was included: the batch is invalid at that step. */
    record RejectedStep(long batchIndex, int step, Reject reason) implements Verdict {
        @Override
        public int firstSuspectStep() {
            return step;
        }
    }

    /** Every step applies but the state they lead to is not the header's post-root. */
    record WrongPostRoot(long batchIndex, Hash32 claimed, Hash32 actual) implements Verdict {}
}
