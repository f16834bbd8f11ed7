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

    /** CPU of the JVM's own threads, which the thread bean does not list, by kind (JIT, GC, other VM), read from /proc. */
    private final Map<String, Long> vmNanos;

    private CpuUse(long processNanos, Map<Long, Long> threadNanos, Map<Long, String> names, Map<Long, Long> threadBytes, Map<String, Long> vmNanos) {
        this.processNanos = processNanos;
        this.threadNanos = threadNanos;
        this.names = names;
        this.threadBytes = threadBytes;
        this.vmNanos = vmNanos;
    }

    /** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
    private static final long TICK_NANOS = 10_000_000L;

    /**
     * CPU nanoseconds of this process's VM threads by kind, from /proc/self/task: "JIT" (C1 and C2
     * compiler threads), "GC" (the collector's threads) and "VM" (the VM thread and other service
     * threads the thread bean does not list). Empty where /proc is not there.
     */
    static Map<String, Long> vmThreads() {
        Map<String, Long> out = new HashMap<>();
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
        try (var dirs = java.nio.file.Files.list(tasks)) {
            for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) dirs::iterator) {
                try {
                    String comm = java.nio.file.Files.readString(t.resolve("comm")).trim();
                    String kind = vmKind(comm);
                    if (kind == null) continue;
                    String stat = java.nio.file.Files.readString(t.resolve("stat"));
                    // fields after the command name's closing parenthesis: state is field 3, utime 14, stime 15
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    out.merge(kind, ticks * TICK_NANOS, Long::sum);
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (java.io.IOException e) {
            return out;
        }
        return out;
    }

    /** The kind of a VM thread by its name as /proc shows it (at most 15 characters), or null for a Java thread. */
    static String vmKind(String comm) {
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) return "JIT";
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("GC ")) return "GC";
        if (comm.equals("VM Thread") || comm.startsWith("VM Periodic") || comm.startsWith("Service Thread")
                || comm.startsWith("Monitor Deflati") || comm.startsWith("Sweeper")) return "VM";
        return null;
    }

    /** CPU-seconds of one kind of VM thread ("JIT", "GC", "VM") from {@code start} to this reading. */
    public double vmSecondsSince(CpuUse start, String kind) {
        return (vmNanos.getOrDefault(kind, 0L) - start.vmNanos.getOrDefault(kind, 0L)) / 1e9;
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
        return new CpuUse(process, cpu, names, bytes, vmThreads());
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
                + String.format(Locale.ROOT, "; JIT %.0f%%, collector %.0f%%, other VM threads %.0f%%; unaccounted %.0f%%",
                100 * vmSecondsSince(start, "JIT") / total, 100 * vmSecondsSince(start, "GC") / total, 100 * vmSecondsSince(start, "VM") / total,
                Math.max(0, 100 * (total - threads - vmSecondsSince(start, "JIT") - vmSecondsSince(start, "GC") - vmSecondsSince(start, "VM")) / total));
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
