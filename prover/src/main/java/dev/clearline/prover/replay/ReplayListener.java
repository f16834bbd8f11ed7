package dev.clearline.prover.replay;

import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.store.BatchRecord;

/**
 * What a {@link Replayer} reports while it works. The default methods do nothing; {@link LoggingReplayListener}
 * writes quiet key=value logs; the CLI adds a progress line for long replays.
 */
public interface ReplayListener {
    /** One batch judged. */
    default void judged(BatchRecord batch) {}

    /** One batch judged, with the batch as L1 holds it and the full verdict (the watcher acts on these); by default {@link #judged(BatchRecord)}. */
    default void judged(BatchRecord batch, RollupLog.Posted posted, Verdict verdict) {
        judged(batch);
    }

    /** Blocks up to {@code block} of {@code head} are read; {@code batches} judged so far in this run. */
    default void progress(long block, long head, long batches) {}

    /** L1 reorganised: blocks after {@code forkBlock} are read again (a negative fork block: from the start). */
    default void reorg(long lostBlock, long forkBlock) {}

    /** L1 could not be reached; the next try is in {@code retryMillis} ms. Called once per outage. */
    default void unreachable(String why, long retryMillis) {}

    /** L1 answers again after an outage of {@code failures} tries. */
    default void reachable(int failures) {}
}
