package dev.clearline.engine.bench.core;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who used the matcher's CPU during a latency run: the matcher thread itself (its own CPU time)
 * and everything else (the CPU's busy time from {@code /proc/stat} minus the matcher's). "Others"
 * near 0% is what "a pinned, otherwise idle core" means; anything above it shows up in the tail
 * percentiles as preemptions. Start and end on the matcher thread.
 */
final class CoreShare {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** The kernel's clock ticks per second for /proc/stat (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100;

    private final int cpu;
    private final long busyTicks;
    private final long threadNanos;
    private final long wallNanos;

    private CoreShare(int cpu, long busyTicks, long threadNanos, long wallNanos) {
        this.cpu = cpu;
        this.busyTicks = busyTicks;
        this.threadNanos = threadNanos;
        this.wallNanos = wallNanos;
    }

    static CoreShare start(int cpu) {
        return new CoreShare(cpu, busyTicks(cpu), THREADS.getCurrentThreadCpuTime(), System.nanoTime());
    }

    /** "CPU n: matcher x%, others y%" over the interval since {@link #start}, or why it cannot say. */
    String end() {
        long wall = System.nanoTime() - wallNanos;
        long busy = busyTicks(cpu);
        double matcher = (THREADS.getCurrentThreadCpuTime() - threadNanos) / (double) wall;
        if (busy < 0 || busyTicks < 0 || wall <= 0) return String.format("CPU %d: matcher %.0f%%, others unknown (no /proc/stat)", cpu, matcher * 100);
        double all = (busy - busyTicks) / TICKS_PER_SECOND / (wall / 1e9);
        double m = Math.min(1, matcher);
        // tick granularity (10 ms) can make the sum overshoot a little: others are capped at what the matcher left
        return String.format("CPU %d: matcher %.1f%%, others %.1f%%", cpu, m * 100, Math.max(0, Math.min(1 - m, all - m)) * 100);
    }

    /** Busy clock ticks of one CPU (user, nice, system, irq, softirq, steal), or -1. */
    private static long busyTicks(int cpu) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu" + cpu + " ")) {
                    String[] f = line.trim().split("\\s+");
                    long sum = 0;
                    for (int i : new int[] {1, 2, 3, 6, 7, 8}) sum += Long.parseLong(f[i]);
                    return sum;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
