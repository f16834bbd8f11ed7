package dev.clearline.sequencer.cluster;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * {@link IdleMode#LOW_CPU}: an agent whose duty cycle found no work sleeps a whole period (1 ms),
 * with no spins, yields or short parks first, so an idle or lightly loaded agent wakes about a
 * thousand times a second and no more. A duty cycle that did work goes round again at once.
 *
 * <p>The no-argument {@link #idle()} is different on purpose: code that retries an offer in a loop
 * (the service's replies to a slow gateway, its config fingerprint, a snapshot's pieces, Aeron's
 * own retries) calls it between tries and counts on short waits (the service gives a slow gateway
 * 16 tries, under a millisecond in all). There it steps up as {@link IdleMode#BACKOFF} does:
 * 10 spins, one yield, then parks from 50 µs doubling to the period; {@link #reset()} starts again.
 */
public final class LowCpuIdleStrategy implements IdleStrategy {
    static final int SPINS = 10;
    static final long FIRST_PARK_NS = TimeUnit.MICROSECONDS.toNanos(50);

    private final long periodNs;
    private final LongConsumer park;
    private final Runnable yield;
    private int retries;
    private long nextParkNs = FIRST_PARK_NS;

    /** Sleeps {@code periodNs} when idle (the thread parks; nothing else wakes it). */
    public LowCpuIdleStrategy(long periodNs) {
        this(periodNs, LockSupport::parkNanos, Thread::yield);
    }

    /** With the park and the yield given, so a test can see every wait. */
    LowCpuIdleStrategy(long periodNs, LongConsumer park, Runnable yield) {
        if (periodNs < FIRST_PARK_NS) throw new IllegalArgumentException("the idle period must be at least 50 µs, not " + periodNs + " ns");
        this.periodNs = periodNs;
        this.park = park;
        this.yield = yield;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
            return;
        }
        park.accept(periodNs);
    }

    @Override
    public void idle() {
        int n = retries++;
        if (n < SPINS) {
            Thread.onSpinWait();
        } else if (n == SPINS) {
            yield.run();
        } else {
            park.accept(nextParkNs);
            nextParkNs = Math.min(2 * nextParkNs, periodNs);
        }
    }

    @Override
    public void reset() {
        retries = 0;
        nextParkNs = FIRST_PARK_NS;
    }

    @Override
    public String alias() {
        return "low-cpu";
    }

    @Override
    public String toString() {
        return "LowCpuIdleStrategy{periodNs=" + periodNs + "}";
    }
}
