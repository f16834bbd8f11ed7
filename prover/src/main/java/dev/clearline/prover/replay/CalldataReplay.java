package dev.clearline.prover.replay;

import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.MalformedTransitionException;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The one replay of posted batch calldata with the Java STF: calldata to transitions, transitions
 * applied in order to a leaf store. Everything that rebuilds L2 state from L1 goes through it, so
 * a watcher and an escaping trader cannot drift apart:
 * <ul>
 *   <li>{@link BatchVerifier} (under {@link Replayer} and the CLI's replays) judges a batch: it adds
 *       the header checks, stops at the first refused step and keeps the state only if the root is
 *       the posted one;</li>
 *   <li>{@code dispute.BatchTrace} keeps a tree version after every step, for bisection and witnesses;</li>
 *   <li>{@code escape.FinalizedState} replays the finalized batches, whatever a dispute would have
 *       said of them: L1 finalized their roots;</li>
 *   <li>{@code trace.StepCases} and {@code report.Rehearsal} replay a prefix as the one-step
 *       verifier sees it, for a trace or a rehearsed dispute.</li>
 * </ul>
 * Each of them keeps only what differs (persistence, intermediate roots, the finalized cut-off).
 */
public final class CalldataReplay {
    private CalldataReplay() {}

    /** One transition as the calldata carries it: its bytes and, when they decode, the transition. */
    public record Step(byte[] encoded, int offset, Transition transition, String malformed) {
        public boolean decodes() {
            return transition != null;
        }
    }

    /** Bytes after the last whole transition that do not make one: where they start and why. */
    public record Tail(int offset, byte[] bytes, String reason) {}

    /**
     * Calldata read as transitions: every whole piece (decoded, or with why it does not decode),
     * then the broken tail, if any. The rollup refuses a batch with a broken tail, and the STF
     * refuses a piece that does not decode ({@link Reject#MALFORMED}).
     */
    public record Decoded(List<Step> steps, Optional<Tail> tail) {
        /** Every step plus the tail as one last piece: what the dispute game indexes. */
        public List<byte[]> pieces() {
            List<byte[]> out = new ArrayList<>(steps.size() + 1);
            for (Step s : steps) out.add(s.encoded());
            tail.ifPresent(t -> out.add(t.bytes()));
            return out;
        }

        /** The whole pieces' encodings, without the tail. */
        public List<byte[]> encoded() {
            List<byte[]> out = new ArrayList<>(steps.size());
            for (Step s : steps) out.add(s.encoded());
            return out;
        }

        /** The first step that does not decode, or -1. */
        public int firstMalformed() {
            for (int i = 0; i < steps.size(); i++) if (!steps.get(i).decodes()) return i;
            return -1;
        }
    }

    /** Cuts calldata by each type byte's length (docs/protocol.md section 6) and decodes every piece. */
    public static Decoded decode(byte[] calldata) {
        List<Step> steps = new ArrayList<>();
        int at = 0;
        while (at < calldata.length) {
            int type = calldata[at] & 0xff;
            int length = TransitionCodec.lengthOf(type);
            String broken = length < 0 ? "unknown transition type " + type
                    : at + length > calldata.length ? "transition type " + type + " needs " + length + " bytes, " + (calldata.length - at) + " left"
                    : null;
            if (broken != null) return new Decoded(steps, Optional.of(new Tail(at, Arrays.copyOfRange(calldata, at, calldata.length), broken)));
            byte[] piece = Arrays.copyOfRange(calldata, at, at + length);
            try {
                steps.add(new Step(piece, at, TransitionCodec.decode(piece), null));
            } catch (MalformedTransitionException e) {
                steps.add(new Step(piece, at, null, e.getMessage()));
            }
            at += length;
        }
        return new Decoded(steps, Optional.empty());
    }

    /** What to do at a step the STF refuses (or that does not decode). */
    public enum OnRefusal {
        /** End the replay there: a judge's view, the step alone proves the batch wrong. */
        STOP,
        /** Go on with the state unchanged, as the Solidity step returns {@code postRoot == preRoot}. */
        SKIP
    }

    /** Told after each step that leaves a state: applied, or (with {@link OnRefusal#SKIP}) refused and skipped. */
    @FunctionalInterface
    public interface AfterStep {
        void applied(int step);

        AfterStep NONE = step -> { };
    }

    /** How far a replay got: steps run, and the first refused step with the STF's code (-1 and null: none). */
    public record Applied(int steps, int firstRefused, Reject reason) {
        public boolean allApplied() {
            return firstRefused < 0;
        }
    }

    /**
     * Applies the first {@code count} steps to {@code store} as transitions of batch
     * {@code batchIndex}, in order.
     */
    public static Applied apply(Stf stf, LeafStore store, List<Step> steps, int count, long batchIndex, OnRefusal onRefusal,
                                AfterStep afterStep) {
        if (count < 0 || count > steps.size()) throw new IndexOutOfBoundsException("prefix " + count + " of " + steps.size() + " transitions");
        // An STF whose verifier recovers ahead gets the steps to come, so their signers are recovered on other threads meanwhile.
        SignaturesAhead.Lookahead ahead = stf.verifier() instanceof SignaturesAhead sa
                ? sa.begin(stf, steps, count) : null;
        try {
            int firstRefused = -1;
            Reject reason = null;
            for (int i = 0; i < count; i++) {
                Step s = steps.get(i);
                if (ahead != null) ahead.at(i);
                Reject r = s.decodes() ? rejectOf(stf.apply(store, s.transition(), batchIndex)) : Reject.MALFORMED;
                if (r == null) {
                    afterStep.applied(i);
                    continue;
                }
                if (firstRefused < 0) {
                    firstRefused = i;
                    reason = r;
                }
                if (onRefusal == OnRefusal.STOP) return new Applied(i, firstRefused, reason);
                afterStep.applied(i);
            }
            return new Applied(count, firstRefused, reason);
        } finally {
            if (ahead != null) ahead.close();
        }
    }

    private static Reject rejectOf(Outcome o) {
        return o instanceof Outcome.Rejected r ? r.reason() : null;
    }
}
