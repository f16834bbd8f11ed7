package dev.clearline.sequencer.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time this JVM used between two readings: the whole process (JIT and collector included) and
 * each thread, grouped by role (a thread's name without its number), so a step of the benchmark
 * can say how many CPU-seconds one acknowledgement cost and which threads spent them. On a loaded
 * machine wall times stretch, but CPU-seconds per acknowledgement and their shares stay meaningful.
 */
public final class CpuUse {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long processNanos;
    private final Map<Long, Long> threadNanos;
    private final Map<Long, String> names;
    /** Bytes each thread allocated so far (threads that ended in between are lost from both readings). */
    private final Map<Long, Long> threadBytes;

    private CpuUse(long processNanos, Map<Long, Long> threadNanos, Map<Long, String> names, Map<Long, Long> threadBytes) {
        this.processNanos = processNanos;
        this.threadNanos = threadNanos;
        this.names = names;
        this.threadBytes = threadBytes;
    }

    public static CpuUse now() {
        long process = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            ThreadInfo info = THREADS.getThreadInfo(id);
            if (t < 0 || info == null) continue;
            cpu.put(id, t);
            names.put(id, info.getThreadName());
        }
        Map<Long, Long> bytes = new HashMap<>();
        if (THREADS instanceof com.sun.management.ThreadMXBean t) {
            for (long id : cpu.keySet()) {
                long b = t.getThreadAllocatedBytes(id);
                if (b >= 0) bytes.put(id, b);
            }
        }
        return new CpuUse(process, cpu, names, bytes);
    }

    /** Bytes allocated from {@code start} to this reading by threads whose role {@code counted} accepts. */
    public long allocatedSince(CpuUse start, java.util.function.Predicate<String> counted) {
        long sum = 0;
        for (var e : threadBytes.entrySet()) {
            if (!counted.test(role(names.get(e.getKey())))) continue;
            sum += Math.max(0, e.getValue() - start.threadBytes.getOrDefault(e.getKey(), 0L));
        }
        return sum;
    }

    /** "service 9.1 KB, api 6.0 KB, ..." per {@code per} (acknowledgements), for the {@code top} largest roles. */
    public String allocationSince(CpuUse start, long per, int top) {
        Map<String, Long> roles = new HashMap<>();
        for (var e : threadBytes.entrySet()) {
            long b = e.getValue() - start.threadBytes.getOrDefault(e.getKey(), 0L);
            if (b > 0) roles.merge(role(names.get(e.getKey())), b, Long::sum);
        }
        return roles.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .map(e -> String.format(Locale.ROOT, "%s %.1f KB", e.getKey(), e.getValue() / 1024.0 / Math.max(1, per)))
                .collect(Collectors.joining(", "));
    }

    /** Process CPU-seconds from {@code start} to this reading. */
    public double processSecondsSince(CpuUse start) {
        return (processNanos - start.processNanos) / 1e9;
    }

    /** CPU-seconds per role from {@code start} to this reading, largest first. */
    public Map<String, Double> byRoleSince(CpuUse start) {
        Map<String, Double> out = new HashMap<>();
        for (var e : threadNanos.entrySet()) {
            long before = start.threadNanos.getOrDefault(e.getKey(), 0L);
            double s = (e.getValue() - before) / 1e9;
            if (s > 0) out.merge(role(names.get(e.getKey())), s, Double::sum);
        }
        return out.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** "service 41%, gateway-cluster 12%, ..." for the {@code top} largest roles, as shares of the process's CPU. */
    public String sharesSince(CpuUse start, int top) {
        double total = Math.max(1e-9, processSecondsSince(start));
        Map<String, Double> roles = byRoleSince(start);
        double threads = roles.values().stream().mapToDouble(Double::doubleValue).sum();
        return roles.entrySet().stream().limit(top)
                .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100 * e.getValue() / total))
                .collect(Collectors.joining(", "))
                + String.format(Locale.ROOT, "; JIT, collector and other VM threads %.0f%%", Math.max(0, 100 * (total - threads) / total));
    }

    static String role(String name) {
        if (name == null) return "?";
        if (name.startsWith("clustered-service")) return "service";
        if (name.contains("driver-conductor") || name.contains("[sender")) return "media-driver";
        if (name.startsWith("consensus-module")) return "consensus";
        if (name.startsWith("archive")) return "archive";
        return name.replaceAll("[-#]?\\d+$", "").replaceAll("-\\d+-", "-");
    }
}
