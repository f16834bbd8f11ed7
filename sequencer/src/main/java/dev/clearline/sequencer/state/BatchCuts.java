package dev.clearline.sequencer.state;

import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.batch.OrderRuns;

/**
 * Where the {@link BatchBuilder} will cut, from counts and times alone: one command's transitions
 * all go in (the exchange's mirror has already accepted each), so the builder's rules need nothing
 * from the tree. This lets the state machine tell, without waiting for the tree, whether a command
 * seals a batch: only such a command needs the tree's root in its reply.
 *
 * <p>It repeats {@link BatchBuilder#appendAll} then {@link BatchBuilder#tick}: the open batch is
 * sealed before a run that would not fit, a run goes in whole (a group that fits a batch is one run;
 * a longer one is cut into {@link OrderRuns}), a full batch is sealed, and an open batch as old as
 * the policy's age is sealed. {@link SequencerState} checks the prediction
 * against the builder whenever it runs the builder on its own thread.
 */
final class BatchCuts {
    private final BatchPolicy policy;
    private int open;
    private long openedAt;
    private int openAfterAppend;

    BatchCuts(BatchPolicy policy) {
        this.policy = policy;
    }

    /**
     * Takes one command's group at {@code now}, as the runs {@link OrderRuns#forBatches} cuts it into;
     * true when this seals at least one batch.
     */
    boolean add(int[] runs, long now) {
        boolean seals = false;
        for (int run : runs) {
            if (open > 0 && open + run > policy.maxTransitions()) {
                open = 0;
                seals = true;
            }
            if (run > 0) {
                if (open == 0) openedAt = now;
                open += run;
            }
            if (open >= policy.maxTransitions()) {
                open = 0;
                seals = true;
            }
        }
        openAfterAppend = open;
        if (open > 0 && now - openedAt >= policy.maxAgeSeconds()) {
            open = 0;
            seals = true;
        }
        return seals;
    }

    /** {@link #add(int[], long)} for a group that goes in whole. */
    boolean add(int transitions, long now) {
        return add(new int[] {transitions}, now);
    }

    void writeImage(dev.clearline.engine.image.ImageWriter out) {
        out.writeInt(open).writeLong(openedAt).writeInt(openAfterAppend);
    }

    /** Restores {@link #writeImage} into this (fresh) instance. */
    void readImage(dev.clearline.engine.image.ImageReader in) {
        open = in.readInt();
        openedAt = in.readLong();
        openAfterAppend = in.readInt();
    }

    /** Transitions in the open batch. */
    int open() {
        return open;
    }

    /** Transitions in the open batch right after the last group went in, before the age check. */
    int openAfterAppend() {
        return openAfterAppend;
    }
}
