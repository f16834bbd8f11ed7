package dev.clearline.engine.bench.core;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;

/**
 * What the JVM itself did during a measured window, so a latency tail can be told apart from the
 * matcher's own work: collections (count and pause time), safepoints (count and time, from
 * HotSpot's internal runtime counters, which need
 * {@code --add-exports java.management/sun.management=ALL-UNNAMED}; "unknown" without it), JIT
 * compilations finished, and the bytes the matcher thread allocated. Start and end on the matcher
 * thread.
 */
final class JvmWindow {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The counters at one moment; -1 where the JVM does not expose one. */
    record Counters(long gcs, long gcMillis, long safepoints, long safepointMillis, long compiles, long allocatedBytes) {
        Counters minus(Counters o) {
            return new Counters(gcs - o.gcs, gcMillis - o.gcMillis, known(safepoints, o.safepoints), known(safepointMillis, o.safepointMillis),
                    known(compiles, o.compiles), allocatedBytes - o.allocatedBytes);
        }

        private static long known(long a, long b) {
            return a < 0 || b < 0 ? -1 : a - b;
        }

        /** "0 GCs (0 ms), 3 safepoints (0 ms), 2 compilations, 0.00 bytes/command allocated by the matcher". */
        String describe(long commands) {
            return String.format("%d GCs (%d ms), %s, %s, %.2f bytes/command allocated by the matcher",
                    gcs, gcMillis, safepoints < 0 ? "safepoints unknown" : safepoints + " safepoints (" + safepointMillis + " ms)",
                    compiles < 0 ? "compilations unknown" : compiles + " JIT compilations", allocatedBytes / (double) Math.max(1, commands));
        }
    }

    private final Counters start;

    private JvmWindow(Counters start) {
        this.start = start;
    }

    static JvmWindow start() {
        Counters c = now(0);
        // read last, so the counters' own reflection is not charged to the window
        return new JvmWindow(new Counters(c.gcs, c.gcMillis, c.safepoints, c.safepointMillis, c.compiles, THREADS.getCurrentThreadAllocatedBytes()));
    }

    Counters end() {
        // read first, for the same reason
        return now(THREADS.getCurrentThreadAllocatedBytes()).minus(start);
    }

    private static Counters now(long allocatedBytes) {
        long gcs = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        return new Counters(gcs, gcMillis, hotspot("getHotspotRuntimeMBean", "getSafepointCount"),
                hotspot("getHotspotRuntimeMBean", "getTotalSafepointTime"), hotspot("getHotspotCompilationMBean", "getTotalCompileCount"),
                allocatedBytes);
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
