package dev.clearline.engine.bench.core;

import org.HdrHistogram.Histogram;

/**
 * One paced latency run on the matcher thread: commands are due at a fixed rate, each one's
 * latency counts from when it was due (so a stall charges every command queued behind it:
 * coordinated omission corrected), and beside it the matcher's own time per command (from when it
 * started it to when it returned, no queueing), the JVM's activity in the window
 * ({@link JvmWindow}) and who else used the CPU ({@link CoreShare}).
 *
 * <p>Run once with an empty matcher, the same loop gives the platform's own floor: the stalls the
 * CPU suffers with nothing to do (on a virtual machine, the host's interruptions of the vCPU),
 * which every matcher inherits.
 */
final class PacedRun {
    /** A stall: a command whose own time was above this is counted and its gap summed. */
    static final long STALL_NANOS = 5_000;

    final Histogram latency = new Histogram(3_600_000_000_000L, 3);
    final Histogram service = new Histogram(3_600_000_000_000L, 3);
    long commands;
    long stalls;
    long stallNanos;
    long interruptions;
    long interruptedNanos;
    long longestInterruption;
    private long wallStart;
    private long wallNanos;
    private JvmWindow jvm;
    private CoreShare share;
    JvmWindow.Counters counters;
    String cpuShare;

    void begin(int cpu) {
        share = CoreShare.start(cpu);
        jvm = JvmWindow.start();
        wallStart = System.nanoTime();
    }

    /** One command: due at {@code intended}, started at {@code started}, returned at {@code done}. */
    void record(long intended, long started, long done) {
        latency.recordValue(Math.max(0, done - intended));
        long own = done - started;
        service.recordValue(Math.max(0, own));
        if (own > STALL_NANOS) {
            stalls++;
            stallNanos += own;
        }
        commands++;
    }

    void end() {
        wallNanos = System.nanoTime() - wallStart;
        counters = jvm.end();
        cpuShare = share.end();
    }

    /**
     * Waits, spinning, until {@code intended}, and returns when the wait ended. Two clock reads
     * more than {@link #STALL_NANOS} apart while spinning mean the CPU was taken from this thread
     * (an interrupt, the hypervisor, another thread): those gaps are counted, as the platform's
     * share of the tail.
     */
    long awaitDue(long intended) {
        long prev = System.nanoTime();
        long now = prev;
        while (now < intended) {
            Thread.onSpinWait();
            now = System.nanoTime();
            long gap = now - prev;
            if (gap > STALL_NANOS) {
                interruptions++;
                interruptedNanos += gap;
                longestInterruption = Math.max(longestInterruption, gap);
            }
            prev = now;
        }
        return now;
    }

    /** Replays commands {@code from..to} of a stream at {@code perSecond}, one at a time. */
    static PacedRun run(int from, int to, double perSecond, int cpu, CoreStreamBenchmark.Replay replay) {
        PacedRun p = new PacedRun();
        double interval = 1e9 / perSecond;
        p.begin(cpu);
        long t0 = System.nanoTime();
        for (int i = from; i < to; i++) {
            long intended = t0 + (long) ((i - from) * interval);
            long started = p.awaitDue(intended);
            replay.run(i);
            p.record(intended, started, System.nanoTime());
        }
        p.end();
        return p;
    }

    double us(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }

    /** The commands that took over 5 us themselves, and the interruptions seen while waiting. */
    String stallNote() {
        double ms = wallNanos / 1e6;
        return String.format("commands whose own time exceeded %d us: %,d (%.2f per ms, %.1f%% of the time); "
                + "the CPU taken from the waiting matcher for over %d us: %,d times (%.2f per ms, %.1f%% of the time, longest %.0f us)",
                STALL_NANOS / 1000, stalls, stalls / ms, 100.0 * stallNanos / Math.max(1, wallNanos),
                STALL_NANOS / 1000, interruptions, interruptions / ms, 100.0 * interruptedNanos / Math.max(1, wallNanos), longestInterruption / 1e3);
    }

    String summary() {
        return String.format("p50 %.2f us, p99 %.2f us, p99.9 %.2f us, max %.1f us; own time p50 %.2f us, p99 %.2f us, p99.9 %.2f us; %s; %s; %s",
                us(latency, 50), us(latency, 99), us(latency, 99.9), latency.getMaxValue() / 1e3, us(service, 50), us(service, 99), us(service, 99.9),
                stallNote(), counters.describe(commands), cpuShare);
    }
}
