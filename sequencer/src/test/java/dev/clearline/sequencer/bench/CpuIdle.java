package dev.clearline.sequencer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's idle share between two readings of /proc/stat (all cores; -1 where there is none). */
public final class CpuIdle {
    private final long idle;
    private final long total;

    private CpuIdle(long idle, long total) {
        this.idle = idle;
        this.total = total;
    }

    public static CpuIdle now() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
            return new CpuIdle(Long.parseLong(f[4]) + Long.parseLong(f[5]), total);
        } catch (IOException | RuntimeException e) {
            return new CpuIdle(-1, -1);
        }
    }

    /** Idle share from {@code start} to this reading, in percent. */
    public double since(CpuIdle start) {
        if (idle < 0 || start.idle < 0 || total == start.total) return -1;
        return 100.0 * (idle - start.idle) / (total - start.total);
    }
}
