package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.prover.l1.L1Clock;
import dev.clearline.prover.replay.Replayer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The operator's L1 duties on one thread, every {@code intervalMillis}: carry new priority ops
 * into the sequencer ({@link PriorityOpFeed}), post sealed batches, finalize due ones and report
 * both back into the sequencer's log ({@link BatchPoster}), and warn while the oldest op L1 has not seen consumed is past a
 * quarter of its force delay (at half another bonded proposer may post ahead of this one, at the full delay anyone may freeze
 * the rollup). A failing RPC is retried after a pause that doubles up to {@link #MAX_BACKOFF_MILLIS}; a {@link BatchPoster.Stopped} (a divergence, a batch L1 cannot take) stops posting (it needs an operator), and
 * so does a frozen rollup, which takes nothing more ({@link #stopped()} tells the node, which stops taking orders).
 */
public final class L1Loop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(L1Loop.class);
    /** The longest pause after failed rounds: an L1 back from an outage is noticed within it. */
    static final long MAX_BACKOFF_MILLIS = 30_000;

    private final Web3j web3j;
    private final Rollup rollup;
    private final PriorityOpFeed feed;
    private final BatchPoster poster;
    private final long intervalMillis;
    private final Replayer.Sleeper pause;
    private final Thread thread;
    private final AtomicReference<String> stoppedBecause = new AtomicReference<>();
    private final java.util.concurrent.CompletableFuture<BatchPoster.Stopped> stopped = new java.util.concurrent.CompletableFuture<>();
    private volatile boolean running = true;
    private volatile long rounds;
    /** Rounds that failed (an RPC error, a revert), each retried after a backoff. */
    private volatile long failedRounds;
    /** L1's force delay as the rollup set it (-1 until read) and the age of the oldest priority op it has not consumed (-1: none). */
    private volatile long forceDelaySeconds = -1, oldestOpAgeSeconds = -1;
    /** The poster's ether on L1 at the last round, in wei (null until read): what pays for every batch. */
    private volatile BigInteger posterBalanceWei;

    public L1Loop(Web3j web3j, String rollupAddress, PriorityOpFeed feed, BatchPoster poster, long intervalMillis) {
        this(web3j, rollupAddress, feed, poster, intervalMillis, Thread::sleep);
    }

    /** {@code pause}: the loop's sleeps, between rounds and after a failed one (a test records them instead of waiting them out). */
    public L1Loop(Web3j web3j, String rollupAddress, PriorityOpFeed feed, BatchPoster poster, long intervalMillis, Replayer.Sleeper pause) {
        this.web3j = web3j;
        this.pause = pause;
        this.rollup = Rollup.load(rollupAddress, web3j, new ReadonlyTransactionManager(web3j, poster.sender().address()), new DefaultGasProvider());
        this.feed = feed;
        this.poster = poster;
        this.intervalMillis = intervalMillis;
        this.thread = new Thread(this::run, "l1-poster");
        thread.setDaemon(true);
    }

    public L1Loop start() {
        thread.start();
        return this;
    }

    /** Completed rounds (feed + post + finalize), for tests and status. */
    public long rounds() {
        return rounds;
    }

    /** Completes when the loop stops by itself (never when closed): why, for a caller that must act on it (a frozen rollup). */
    public java.util.concurrent.CompletionStage<BatchPoster.Stopped> stopped() {
        return stopped;
    }

    /** Why the loop stopped by itself, if it did. */
    public Optional<String> stoppedBecause() {
        return Optional.ofNullable(stoppedBecause.get());
    }

    /**
     * Adds this loop's figures to a member's {@code /metrics}: rounds done and failed, whether it stopped for an operator,
     * and the age of the oldest priority op the rollup has not consumed beside L1's force delay. That age reaching half
     * the delay lets another proposer post ahead of this one, reaching the whole of it lets anyone freeze the rollup:
     * the alert an operator must have.
     */
    public void writeMetrics(dev.clearline.sequencer.metrics.MetricsText m) {
        m.counter("clearline_l1_rounds_total", "rounds of the L1 loop (priority ops in, batches out, finalization) this member completed", rounds);
        m.counter("clearline_l1_failed_rounds_total", "rounds of the L1 loop that failed (an RPC error, a reverted transaction) and were retried",
                failedRounds);
        m.gauge("clearline_l1_poster_stopped", "1 once the poster stopped for an operator to fix (its reason is in the log: event=poster_stopped)",
                stoppedBecause.get() == null ? 0 : 1);
        m.gauge("clearline_l1_force_delay_seconds", "L1's force delay: a priority op this old lets anyone freeze the rollup (-1 until read)",
                forceDelaySeconds);
        m.gauge("clearline_l1_oldest_priority_op_age_seconds", "age in L1 time of the oldest priority op the rollup has not consumed (-1: none)",
                oldestOpAgeSeconds);
        BigInteger balance = posterBalanceWei;
        // ether, not wei: a balance of a few ether is beyond a long's wei, and a dashboard reads ether
        m.gauge("clearline_l1_poster_balance_ether", "the batch poster's ether on L1 at the last round, which pays for every batch (-1 until read)",
                balance == null ? -1 : new java.math.BigDecimal(balance).movePointLeft(18).doubleValue());
    }

    public BatchPoster poster() {
        return poster;
    }

    private void run() {
        long backoff = intervalMillis;
        long forceDelay = -1;
        while (running) {
            try {
                if (forceDelay < 0) forceDelaySeconds = forceDelay = BatchPoster.call(() -> rollup.forceDelay().send()).longValueExact();
                // a frozen rollup refuses every batch for good: say so once and stop, instead of a revert retried for ever
                var frozen = BatchPoster.Frozen.of(rollup);
                if (frozen.isPresent()) throw frozen.get();
                feed.poll();
                poster.postAvailable();
                poster.finalizeDue();
                poster.reportProgress();
                watchDeadline(forceDelay);
                readPosterBalance();
                rounds++;
                backoff = intervalMillis;
                pause.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            } catch (BatchPoster.Stopped e) {
                log.error("event=poster_stopped reason=\"{}\"", e.getMessage());
                stoppedBecause.set(e.getMessage());
                stopped.complete(e);
                return;
            } catch (IOException | RuntimeException e) {
                if (!running || Thread.currentThread().isInterrupted()) return; // stopping: a round cut short is no failure
                failedRounds++;
                log.warn("event=l1_round_failed error=\"{}\" retryInMs={}", e.getMessage(), backoff);
                try {
                    pause.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    /** The poster's balance for {@code /metrics}; a failed read keeps the last one (the round's own calls say whether L1 answers). */
    private void readPosterBalance() {
        try {
            posterBalanceWei = BatchPoster.call(() -> web3j.ethGetBalance(poster.sender().address(), DefaultBlockParameterName.LATEST).send().getBalance());
        } catch (IOException e) {
            log.debug("event=poster_balance_unread error=\"{}\"", e.getMessage());
        }
    }

    private void watchDeadline(long forceDelay) throws IOException {
        long consumed = BatchPoster.call(() -> rollup.tip().send()).component2().longValueExact();
        Optional<Long> oldest = feed.oldestUnconsumed(consumed);
        if (oldest.isEmpty()) {
            oldestOpAgeSeconds = -1;
            return;
        }
        long now = L1Clock.now(web3j);
        long age = now - oldest.get();
        oldestOpAgeSeconds = age;
        // at half the delay another bonded proposer may post ahead of this one (ReservedForSequencer ends), at the whole
        // anyone may freeze: say so at a quarter, while there is time to act
        if (age * 4 > forceDelay) {
            log.warn("event=priority_op_near_deadline index={} ageSeconds={} forceDelaySeconds={} othersMayPostInSeconds={} freezableInSeconds={}"
                            + " hint=\"batches are not reaching L1; check the poster's funds and the RPC\"",
                    consumed, age, forceDelay, Math.max(0, forceDelay / 2 - age), Math.max(0, forceDelay - age));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }
}
