package dev.clearline.engine.bench.core;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;

/**
 * What the JVM itself did during a measured window, so a latency tail can be told apart from the
 * matcher's own work: collections (count and pause time), safepoints (count and time, from
 * HotSpot's internal runtime counters, which need
 * {@code --add-exports java.management/sun.management=ALL-UNNAMED}; "unknown" without it), JIT
 * compilations finished, the bytes the matcher thread allocated, and the page faults the matcher
 * thread took (Linux's per-thread minor and major fault counts; a fault on first touch of fresh
 * memory costs microseconds, so a window with many of them measured the kernel, not the book).
 * Start and end on the matcher thread.
 */
final class JvmWindow {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The counters at one moment; -1 where the JVM does not expose one. */
    record Counters(long gcs, long gcMillis, long safepoints, long safepointMillis, long compiles, long allocatedBytes, long pageFaults) {
        Counters minus(Counters o) {
            return new Counters(gcs - o.gcs, gcMillis - o.gcMillis, known(safepoints, o.safepoints), known(safepointMillis, o.safepointMillis),
                    known(compiles, o.compiles), allocatedBytes - o.allocatedBytes, known(pageFaults, o.pageFaults));
        }

        private static long known(long a, long b) {
            return a < 0 || b < 0 ? -1 : a - b;
        }

        /** "0 GCs (0 ms), 3 safepoints (0 ms), 2 compilations, 0.00 bytes/command allocated by the matcher, 0 page faults". */
        String describe(long commands) {
            return String.format("%d GCs (%d ms), %s, %s, %.2f bytes/command allocated by the matcher, %s",
                    gcs, gcMillis, safepoints < 0 ? "safepoints unknown" : safepoints + " safepoints (" + safepointMillis + " ms)",
                    compiles < 0 ? "compilations unknown" : compiles + " JIT compilations", allocatedBytes / (double) Math.max(1, commands),
                    pageFaults < 0 ? "page faults unknown" : pageFaults + " page faults on the matcher thread");
        }
    }

    private final Counters start;

    private JvmWindow(Counters start) {
        this.start = start;
    }

    static JvmWindow start() {
        Counters c = now(0);
        // read last, so the counters' own reflection is not charged to the window
        long faults = threadPageFaults();
        return new JvmWindow(new Counters(c.gcs, c.gcMillis, c.safepoints, c.safepointMillis, c.compiles, THREADS.getCurrentThreadAllocatedBytes(), faults));
    }

    Counters end() {
        // read first, for the same reason
        long allocated = THREADS.getCurrentThreadAllocatedBytes();
        long faults = threadPageFaults();
        return now(allocated, faults).minus(start);
    }

    /**
     * The calling thread's page faults so far (minor plus major, fields 10 and 12 of
     * {@code /proc/thread-self/stat}), or -1 off Linux.
     */
    static long threadPageFaults() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
            // the command name (field 2) may hold spaces; the fields after it follow its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return Long.parseLong(f[7]) + Long.parseLong(f[9]);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The process's anonymous memory backed by transparent huge pages, in MB, or -1 when unknown. */
    static long hugePagesMb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/smaps_rollup"))) {
                if (line.startsWith("AnonHugePages:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
            return -1;
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private static Counters now(long allocatedBytes) {
        return now(allocatedBytes, 0);
    }

    private static Counters now(long allocatedBytes, long pageFaults) {
        long gcs = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        return new Counters(gcs, gcMillis, hotspot("getHotspotRuntimeMBean", "getSafepointCount"),
                hotspot("getHotspotRuntimeMBean", "getTotalSafepointTime"), hotspot("getHotspotCompilationMBean", "getTotalCompileCount"),
                allocatedBytes, pageFaults);
    }

    /** One of HotSpot's internal counters through {@code sun.management.ManagementFactoryHelper}, or -1. */
    private static long hotspot(String bean, String counter) {
        try {
            Class<?> helper = Class.forName("sun.management.ManagementFactoryHelper");
            Object mbean = helper.getMethod(bean).invoke(null);
            Method m = Class.forName(bean.equals("getHotspotRuntimeMBean") ? "sun.management.HotspotRuntimeMBean"
                    : "sun.management.HotspotCompilationMBean").getMethod(counter);
            return ((Number) m.invoke(mbean)).longValue();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }
}
