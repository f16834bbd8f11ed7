package dev.clearline.devnet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's idle share over an interval, from {@code /proc/stat}: the share of all cores'
 * time nobody used. Printed beside every figure, since other work shares the machine.
 */
final class IdleMeter {
    private long idle;
    private long total;

    IdleMeter() {
        long[] t = read();
        idle = t[0];
        total = t[1];
    }

    /** Idle share since construction or the previous call, 0..1; NaN where /proc/stat is missing. */
    double lap() {
        long[] t = read();
        double share = t[1] == total ? Double.NaN : (double) (t[0] - idle) / (t[1] - total);
        idle = t[0];
        total = t[1];
        return share;
    }

    private static long[] read() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            long sum = 0;
            for (int i = 1; i < f.length; i++) sum += Long.parseLong(f[i]);
            return new long[] {Long.parseLong(f[4]) + Long.parseLong(f[5]), sum}; // idle + iowait
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
