package dev.clearline.cli;

import dev.clearline.prover.escape.FreezeReporter;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.ReplayListener;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.prover.store.BatchRecord;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The watcher's sign of life on stdout: the logs stay quiet (WARN) by default, so without it a
 * healthy watcher says nothing for hours. Counts what the replay reports (on the watch thread) and
 * prints one line when the counts changed since the last ({@link #line}, on the status thread);
 * every report is passed on to the logging listener unchanged.
 */
final class WatchStatus implements ReplayListener {
    private final ReplayListener logs;
    private final AtomicLong judged = new AtomicLong();
    private final AtomicLong fraud = new AtomicLong();
    private final AtomicLong lastBatch = new AtomicLong(-1);
    private final AtomicLong block = new AtomicLong(-1);
    private final AtomicLong head = new AtomicLong(-1);
    private String last = "";

    WatchStatus(ReplayListener logs) {
        this.logs = logs;
    }

    @Override
    public void judged(BatchRecord batch) {
        count(batch);
        logs.judged(batch);
    }

    @Override
    public void judged(BatchRecord batch, RollupLog.Posted posted, Verdict verdict) {
        count(batch);
        logs.judged(batch, posted, verdict);
    }

    private void count(BatchRecord batch) {
        judged.incrementAndGet();
        if (!batch.honest()) fraud.incrementAndGet();
        lastBatch.set(batch.batchIndex());
    }

    @Override
    public void progress(long block, long head, long batches) {
        this.block.set(block);
        this.head.set(head);
        logs.progress(block, head, batches);
    }

    @Override
    public void reorg(long lostBlock, long forkBlock) {
        logs.reorg(lostBlock, forkBlock);
    }

    @Override
    public void unreachable(String why, long retryMillis) {
        logs.unreachable(why, retryMillis);
    }

    @Override
    public void reachable(int failures) {
        logs.reachable(failures);
    }

    /**
     * The status now, or null when nothing changed since the last line returned (only the status
     * thread calls this). {@code frozen}: the freeze the watcher's escape reporter saw, or null.
     */
    String line(FreezeReporter.Frozen frozen) {
        String now = (block.get() < 0 ? "reading L1" : "L1 block " + block.get() + " of " + head.get())
                + ", " + judged.get() + " batch(es) judged this run" + (lastBatch.get() < 0 ? "" : ", latest " + lastBatch.get())
                + (fraud.get() > 0 ? ", FRAUD in " + fraud.get() + " (challenged unless --no-challenge; the log says more)" : ", all honest")
                + (frozen == null ? "" : "; rollup FROZEN at L1 time " + frozen.frozenAt() + " on " + frozen.finalizedBatches()
                        + " final batch(es), claim window until L1 time " + frozen.claimWindowEnd() + ", " + frozen.reportsSent()
                        + " escape report(s) sent by this watcher" + (frozen.done() ? ", reporting done" : ""));
        if (now.equals(last)) return null;
        last = now;
        return now;
    }

    /** A daemon thread printing {@link #line} every {@code everySeconds} with the time of day, when it changed. */
    Thread printEvery(long everySeconds, PrintWriter out, Supplier<String> timeOfDay, Supplier<FreezeReporter.Frozen> frozen) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(everySeconds * 1_000);
                } catch (InterruptedException e) {
                    return;
                }
                String l = line(frozen.get());
                if (l != null) {
                    out.println(timeOfDay.get() + "  " + l);
                    out.flush();
                }
            }
        }, "watch-status");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
