package dev.clearline.testkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's idle share between two readings of /proc/stat (NaN where it cannot be read):
 * every benchmark prints it beside its figures, since a figure taken on a busy machine is not
 * comparable. Start one with {@code new MachineIdle()}, read it with {@link #share()}.
 */
public final class MachineIdle {
    private final long[] start = read();

    /** Idle (and I/O wait) share of all CPU time since construction, 0..1. */
    public double share() {
        long[] end = read();
        if (start == null || end == null) return Double.NaN;
        long total = end[0] - start[0];
        return total <= 0 ? Double.NaN : (double) (end[1] - start[1]) / total;
    }

    private static long[] read() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
