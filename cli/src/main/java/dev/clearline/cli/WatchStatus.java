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
    private final AtomicLong reorgs = new AtomicLong();
    /** Whether the last look at L1 got an answer (an outage says so once, then retries). */
    private volatile boolean reachable = true;
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
        reorgs.incrementAndGet();
        logs.reorg(lostBlock, forkBlock);
    }

    @Override
    public void unreachable(String why, long retryMillis) {
        reachable = false;
        logs.unreachable(why, retryMillis);
    }

    @Override
    public void reachable(int failures) {
        reachable = true;
        logs.reachable(failures);
    }

    /**
     * The status now, or null when nothing changed since the last line returned (only the status
     * thread calls this). {@code games}: the watcher's games as of its last poll; {@code frozen}: the
     * freeze the watcher's escape reporter saw, or null. A refusal from L1 is on the line as long as it
     * lasts: an operator who reads only stdout learns that a wrong batch may become final unchallenged.
     */
    String line(dev.clearline.prover.dispute.Watcher.GameCounts games, FreezeReporter.Frozen frozen) {
        String now = (block.get() < 0 ? "reading L1" : "L1 block " + block.get() + " of " + head.get())
                + ", " + judged.get() + " batch(es) judged this run" + (lastBatch.get() < 0 ? "" : ", latest " + lastBatch.get())
                + (fraud.get() > 0 ? ", FRAUD in " + fraud.get() + " (challenged unless --no-challenge; the log says more)" : ", all honest")
                + (games.active() > 0 ? ", " + games.active() + " game(s) open" : "")
                + (games.challengesRefused() > 0 ? "; L1 REFUSES the challenge of " + games.challengesRefused()
                        + " wrong batch(es) still live, tried again every poll (the log names the contract's error)" : "")
                + (games.movesRefused() > 0 ? "; L1 REFUSED the last move in " + games.movesRefused()
                        + " game(s), whose clock runs on (the log names the contract's error)" : "")
                + (frozen == null ? "" : "; rollup FROZEN at L1 time " + frozen.frozenAt() + " on " + frozen.finalizedBatches()
                        + " final batch(es), claim window until L1 time " + frozen.claimWindowEnd() + ", " + frozen.reportsSent()
                        + " escape report(s) sent by this watcher" + (frozen.done() ? ", reporting done" : ""));
        if (now.equals(last)) return null;
        last = now;
        return now;
    }

    /**
     * The watcher's figures in Prometheus' text format ({@code watch --metrics-port}): how far it read L1 and how far
     * L1 is, what it judged and found, its games and moves, whether L1 answers and whether the rollup froze, and its
     * key's ether beside a challenge's bond. The alerts a watcher's operator wants: fraud found, L1 unreachable, the watcher
     * falling behind L1's head, a balance that could not pay a challenge's bond, a challenge or a move L1 refuses.
     */
    String metrics(dev.clearline.prover.dispute.Watcher.GameCounts games, FreezeReporter.Frozen frozen, Wallet wallet) {
        return new dev.clearline.sequencer.metrics.MetricsText()
                .gauge("clearline_watch_balance_ether", "the watcher key's ether on L1, which pays its bonds and gas (-1: L1 did not answer)",
                        ether(wallet.balanceWei()))
                .gauge("clearline_watch_challenge_bond_ether", "the bond a challenge locks (-1: this watcher does not challenge, or L1 did not answer):"
                        + " a balance at or below it cannot challenge a bad batch", ether(wallet.challengeBondWei()))
                .gauge("clearline_watch_l1_block", "the last L1 block this watcher read (-1 before the first)", block.get())
                .gauge("clearline_watch_l1_head", "L1's head when the watcher last looked (-1 before the first): head minus block is how far behind it is",
                        head.get())
                .gauge("clearline_watch_l1_reachable", "1 while the RPC answers, 0 during an outage (retried with a growing pause)", reachable ? 1 : 0)
                .counter("clearline_watch_reorgs_total", "L1 reorganisations this run followed", reorgs.get())
                .counter("clearline_watch_batches_judged_total", "batches judged this run", judged.get())
                .counter("clearline_watch_fraud_total", "batches this run found wrong (challenged unless --no-challenge)", fraud.get())
                .gauge("clearline_watch_latest_batch", "index of the latest batch judged this run (-1: none yet)", lastBatch.get())
                .gauge("clearline_watch_games_active", "dispute games this watcher is playing", games.active())
                .counter("clearline_watch_games_finished_total", "dispute games this watcher played to the end", games.finished())
                .gauge("clearline_watch_challenges_refused", "wrong batches, still live, whose challenge L1 refuses (a window closed,"
                        + " a node behind): each may become final unchallenged; the log names the contract's error", games.challengesRefused())
                .gauge("clearline_watch_moves_refused", "games whose last move L1 refused: their clock runs on while it is", games.movesRefused())
                .counter("clearline_watch_transactions_total", "transactions this watcher sent this run (challenges, moves, steps, reports)",
                        games.transactionsSent())
                .gauge("clearline_watch_rollup_frozen", "1 once the rollup froze (the escape hatch is open)", frozen == null ? 0 : 1)
                .toString();
    }

    /** The watcher key's ether and what a challenge locks, read when scraped; null where unknown. */
    record Wallet(java.math.BigInteger balanceWei, java.math.BigInteger challengeBondWei) {
        /** Read from L1 for a scrape: the key's balance and, when it {@code challenges}, the bond; what L1 did not answer stays unknown. */
        static Wallet read(org.web3j.protocol.Web3j web3j, dev.clearline.prover.dispute.DisputeL1 dispute, boolean challenges) {
            java.math.BigInteger balance = null, bond = null;
            try {
                balance = web3j.ethGetBalance(dispute.account(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send().getBalance();
                if (challenges) bond = dispute.challengeBond();
            } catch (java.io.IOException | RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(WatchStatus.class).debug("event=wallet-unread reason=\"{}\"", e.getMessage());
            }
            return new Wallet(balance, bond);
        }
    }

    /** The figures of {@link #metrics} as a {@code GET /metrics} route answers them, read when scraped. */
    java.util.function.Supplier<dev.clearline.sequencer.metrics.GetServer.Answer> metricsRoute(dev.clearline.prover.dispute.Watcher watcher,
            java.util.function.Supplier<Wallet> wallet) {
        return () -> new dev.clearline.sequencer.metrics.GetServer.Answer(200, dev.clearline.sequencer.metrics.GetServer.Answer.METRICS,
                metrics(watcher.gameCounts(), watcher.frozen(), wallet.get()));
    }

    private static double ether(java.math.BigInteger wei) {
        return wei == null ? -1 : new java.math.BigDecimal(wei).movePointLeft(18).doubleValue();
    }

    /** A daemon thread printing {@link #line} every {@code everySeconds} with the time of day, when it changed. */
    Thread printEvery(long everySeconds, PrintWriter out, Supplier<String> timeOfDay, Supplier<dev.clearline.prover.dispute.Watcher.GameCounts> games,
            Supplier<FreezeReporter.Frozen> frozen) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(everySeconds * 1_000);
                } catch (InterruptedException e) {
                    return;
                }
                String l = line(games.get(), frozen.get());
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
