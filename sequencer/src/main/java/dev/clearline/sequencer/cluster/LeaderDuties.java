package dev.clearline.sequencer.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Work that only the leading member may do (posting batches to L1, carrying L1's queue into the
 * log, time ticks): started when this member becomes leader, closed when it stops leading. Every
 * start builds the work anew, so it begins from what L1 and the log say now, not from what this
 * member remembered of an earlier term: the batch poster reads the rollup's tip and posts only
 * the batches after it, so a new leader never posts a batch twice.
 *
 * <p>Two members may both believe they lead for a moment (an old leader cut off from the others
 * notices only after its heartbeat timeout). Batches are the replicated state machine's, identical
 * on every member, and the rollup accepts batch {@code n} only once, after batch {@code n-1}; a
 * stale leader's post of a batch L1 already has is refused by L1, never applied twice.
 */
public final class LeaderDuties implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaderDuties.class);

    private final BooleanSupplier leads;
    private final Supplier<? extends AutoCloseable> start;
    private final long checkNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile AutoCloseable current;
    private volatile long starts;

    /**
     * @param leads whether this member leads now ({@link SequencerNode#isLeader})
     * @param start builds and starts the work; called on each new term this member leads
     */
    public LeaderDuties(String name, BooleanSupplier leads, Supplier<? extends AutoCloseable> start, Duration checkEvery) {
        this.leads = leads;
        this.start = start;
        this.checkNanos = checkEvery.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("leader-duties-" + name).start(this::run);
    }

    /** How many times the work was started (once per stretch of leadership). */
    public long starts() {
        return starts;
    }

    public boolean active() {
        return current != null;
    }

    /**
     * Work that may end by itself in a way a new start can undo (the L1 side, when the rollup names another sequencer:
     * its start is refused until the role is back). Such work is closed and started again while this member leads,
     * the tries spaced as after failed starts.
     */
    public interface Restartable {
        boolean endedForRestart();
    }

    private void run() {
        int failures = 0;
        long skip = 0; // checks to let pass before the next try after a failed start
        while (running) {
            boolean leader = leads.getAsBoolean();
            if (leader && current instanceof Restartable r && r.endedForRestart()) {
                stopCurrent("ended by itself; starting it again");
                failures++;
                skip = retryAfterChecks(failures, checkNanos);
            } else if (leader && current == null) {
                if (skip > 0) {
                    skip--;
                } else {
                    try {
                        current = start.get();
                        starts++;
                        failures = 0;
                        log.info("event=leader_duties_started");
                    } catch (RuntimeException e) {
                        failures++;
                        skip = retryAfterChecks(failures, checkNanos);
                        log.warn("event=leader_duties_start_failed error=\"{}\" failures={} action=retry retryInMs={}", reason(e), failures,
                                (skip + 1) * checkNanos / 1_000_000);
                    }
                }
            } else if (!leader) {
                failures = 0; // a new term starts at once
                skip = 0;
                if (current != null) stopCurrent("no longer leader");
            }
            LockSupport.parkNanos(checkNanos);
        }
        stopCurrent("closing");
    }

    /** What went wrong, in the words of the failure that caused it (a start wraps its checked failures). */
    private static String reason(RuntimeException e) {
        Throwable t = e instanceof java.io.UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** The most a failed start waits before the next try: an L1 that is away for an hour is asked 360 times, not 18,000. */
    static final Duration MAX_RETRY_WAIT = Duration.ofSeconds(10);

    /**
     * Checks to skip after the {@code failures}-th failed start in a row: none after the first (a passing hiccup is retried at
     * once), then doubling, up to {@link #MAX_RETRY_WAIT}.
     */
    static long retryAfterChecks(int failures, long checkNanos) {
        long most = Math.max(0, MAX_RETRY_WAIT.toNanos() / checkNanos - 1);
        return Math.min((1L << Math.min(failures - 1, 30)) - 1, most);
    }

    private void stopCurrent(String why) {
        AutoCloseable c = current;
        current = null;
        if (c == null) return;
        try {
            c.close();
            log.info("event=leader_duties_stopped reason=\"{}\"", why);
        } catch (Exception e) {
            log.warn("event=leader_duties_stop_failed error=\"{}\"", e.toString());
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join(15_000);
    }
}
