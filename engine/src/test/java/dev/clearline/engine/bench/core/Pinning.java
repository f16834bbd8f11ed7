package dev.clearline.engine.bench.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Pins the calling thread to one CPU with {@code taskset}, found through its name in
 * {@code /proc/self/task/}: the JDK has no affinity API. Best effort; says what happened.
 */
final class Pinning {
    private Pinning() {}

    /**
     * Moves every thread of this JVM (JIT compilers, GC, the rest) off {@code cpu}, then pins the
     * calling thread to it, so the matcher has its CPU to itself as far as this process goes.
     * Threads started later inherit their creator's CPUs, which are the others.
     */
    static String isolateCurrentThread(int cpu) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2) return pinCurrentThread(cpu) + ", the only CPU (nothing to move away)";
        StringBuilder others = new StringBuilder();
        for (int c = 0; c < cpus; c++) {
            if (c != cpu) others.append(others.isEmpty() ? "" : ",").append(c);
        }
        String moved;
        try {
            Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", others.toString(), Long.toString(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).start();
            boolean done = p.waitFor(5, TimeUnit.SECONDS);
            moved = done && p.exitValue() == 0 ? "the JVM's other threads on CPU " + others : "the JVM's other threads not moved";
        } catch (Exception e) {
            moved = "the JVM's other threads not moved (" + e.getMessage() + ")";
        }
        return pinCurrentThread(cpu) + ", " + moved;
    }

    static String pinCurrentThread(int cpu) {
        String name = "matcher-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
        String before = Thread.currentThread().getName();
        Thread.currentThread().setName(name);
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            String comm = name.length() > 15 ? name.substring(0, 15) : name;
            for (Path t : (Iterable<Path>) tasks::iterator) {
                if (Files.readString(t.resolve("comm")).strip().equals(comm)) {
                    Process p = new ProcessBuilder("taskset", "-p", "-c", Integer.toString(cpu), t.getFileName().toString())
                            .redirectErrorStream(true).start();
                    boolean done = p.waitFor(5, TimeUnit.SECONDS);
                    String out = new String(p.getInputStream().readAllBytes()).strip();
                    return done && p.exitValue() == 0 ? "pinned to CPU " + cpu : "not pinned (" + out + ")";
                }
            }
            return "not pinned (thread not found in /proc/self/task)";
        } catch (Exception e) {
            return "not pinned (" + e.getMessage() + ")";
        } finally {
            Thread.currentThread().setName(before);
        }
    }
}
