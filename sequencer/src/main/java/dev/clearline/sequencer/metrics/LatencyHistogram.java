package dev.clearline.sequencer.metrics;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * How long something took, counted into fixed buckets from 100 µs to 5 s as Prometheus' histograms are read
 * ({@code histogram_quantile} over their rates): a few adders, no allocation and no lock per observation, so the hot
 * path that records one pays about a nanosecond clock read and an increment. The buckets are fixed so that every
 * member and every run adds up.
 */
public final class LatencyHistogram {
    /** Upper bounds of the buckets, in nanoseconds (an observation equal to a bound falls in its bucket). */
    private static final long[] BOUNDS_NANOS = {100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
            100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000L, 5_000_000_000L};
    private final LongAdder[] counts = new LongAdder[BOUNDS_NANOS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
    }

    /** One observation of {@code nanos} (a negative one, from a clock that went back, counts as zero). */
    public void record(long nanos) {
        long n = Math.max(0, nanos);
        int at = Arrays.binarySearch(BOUNDS_NANOS, n);
        counts[at >= 0 ? at : -at - 1].increment();
        sumNanos.add(n);
    }

    /** Writes the histogram as {@code name} in seconds: its buckets (cumulative, then {@code +Inf}), sum and count. */
    public void write(MetricsText m, String name, String help) {
        double[] bounds = new double[BOUNDS_NANOS.length];
        for (int i = 0; i < bounds.length; i++) bounds[i] = BOUNDS_NANOS[i] / 1e9;
        long[] cumulative = new long[counts.length];
        long running = 0;
        for (int i = 0; i < counts.length; i++) cumulative[i] = running += counts[i].sum();
        m.histogram(name, help, bounds, cumulative, sumNanos.sum() / 1e9);
    }
}
