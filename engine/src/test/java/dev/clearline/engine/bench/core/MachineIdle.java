package dev.clearline.engine.bench.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's idle share over an interval, from the kernel's CPU counters ({@code /proc/stat},
 * all cores): how much of the machine nobody used while a figure was measured. With a matcher
 * thread busy on one of two cores, 50% is the most it can be.
 */
public final class MachineIdle {
    private final long idle;
    private final long total;

    private MachineIdle(long idle, long total) {
        this.idle = idle;
        this.total = total;
    }

    public static MachineIdle now() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long sum = 0;
            for (int i = 1; i < f.length && i <= 8; i++) sum += Long.parseLong(f[i]);
            return new MachineIdle(Long.parseLong(f[4]) + Long.parseLong(f[5]), sum);
        } catch (IOException | RuntimeException e) {
            return new MachineIdle(-1, -1);
        }
    }

    /** The idle share since {@code start}, 0..1, or NaN where /proc/stat is missing. */
    public double since(MachineIdle start) {
        if (start.total < 0 || total <= start.total) return Double.NaN;
        return (double) (idle - start.idle) / (total - start.total);
    }
}
