package dev.clearline.testkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's idle share between two readings of the kernel's CPU counters ({@code /proc/stat},
 * all cores): every benchmark prints it beside its figures, since a figure taken on a busy machine
 * is not comparable. The one reader for every module's benchmarks (testkit is a test dependency of
 * all of them).
 *
 * <p>Two ways to use it: {@code MachineIdle start = MachineIdle.now(); ... MachineIdle.now().since(start)},
 * or {@code new MachineIdle()} then {@link #share()} (the share since construction). Time counts
 * user, nice, system, idle, iowait, irq, softirq and steal; guest time is already inside user and
 * nice, so it is not added twice. Idle is idle plus iowait.
 */
public final class MachineIdle {
    private final long idle;
    private final long total;

    /** A reading taken now; {@link #share()} measures from it. */
    public MachineIdle() {
        long[] r = read();
        this.total = r[0];
        this.idle = r[1];
    }

    /** A reading taken now. */
    public static MachineIdle now() {
        return new MachineIdle();
    }

    /** The idle share from {@code start} to this reading, 0..1, or NaN where /proc/stat cannot be read. */
    public double since(MachineIdle start) {
        if (start.total < 0 || total < 0 || total <= start.total) return Double.NaN;
        return (double) (idle - start.idle) / (total - start.total);
    }

    /** The same in percent, or -1 where it is unknown (for reports that print "n/a" then). */
    public double percentSince(MachineIdle start) {
        double s = since(start);
        return Double.isNaN(s) ? -1 : 100 * s;
    }

    /** The idle share from this reading to now, 0..1, or NaN. */
    public double share() {
        return now().since(this);
    }

    /** {total, idle} in clock ticks, or {-1, -1}. */
    private static long[] read() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }
}
