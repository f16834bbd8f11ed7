package dev.clearline.sequencer.durability;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A sequencer in its own JVM (SequencerMain), so a test can kill -9 it. Its output goes to a log file. */
final class ChildSequencer implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("SEQUENCER_READY port=(\\d+) seq=(\\d+)");

    final Process process;
    final int port;
    final long seqAtStart;
    final Path log;

    private ChildSequencer(Process process, int port, long seqAtStart, Path log) {
        this.process = process;
        this.port = port;
        this.seqAtStart = seqAtStart;
        this.log = log;
    }

    /**
     * {@code -Dclearline.durability.trimmedLog=true}: the child keeps its log in 64 KiB segments and deletes them behind its
     * older snapshot ({@code --keep-log-hours 0}), so kills also land in the middle of trims (a campaign, not the suite's run).
     */
    static final boolean TRIMMED_LOG = Boolean.getBoolean("clearline.durability.trimmedLog");

    static ChildSequencer start(Path dir, int run, String... extra) throws IOException, InterruptedException {
        Path log = dir.resolve("run-" + run + ".log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Xmx512m"));
        if (TRIMMED_LOG) cmd.addAll(List.of("-Dclearline.log.termBytes=65536", "-Dclearline.log.segmentBytes=65536"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "dev.clearline.sequencer.SequencerMain", "--dir", dir.resolve("node").toString(), "--port", "0"));
        if (TRIMMED_LOG) cmd.addAll(List.of("--keep-log-hours", "0"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // A start takes ~3 s on a quiet machine; 72 s was seen with six builds on 2 cores (load 36), so the bound only
        // catches a child that never gets there, and says how much CPU it had meanwhile.
        long start = System.currentTimeMillis();
        long deadline = start + READY_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("the child sequencer exited with " + p.exitValue() + ":\n" + Files.readString(log));
            Matcher m = READY.matcher(Files.readString(log));
            if (m.find()) {
                System.out.println("child sequencer run " + run + " ready in " + (System.currentTimeMillis() - start) + " ms");
                Files.readAllLines(log).stream().filter(l -> l.contains("event=")).forEach(l -> System.out.println("  " + l));
                return new ChildSequencer(p, Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), log);
            }
            Thread.sleep(100);
        }
        String stacks = threadDump(p.pid());
        String cpu = cpuUsed(p);
        p.destroyForcibly();
        throw new IllegalStateException("the child sequencer did not get ready in " + READY_MS / 1000 + " s (" + cpu + "):\n" + Files.readString(log) + stacks);
    }

    /** How long a child may take to print its ready line. */
    static final long READY_MS = 240_000;

    /** The CPU time a process had so far, which tells a starved machine (little) from a child that spins (a lot). */
    static String cpuUsed(Process p) {
        return p.info().totalCpuDuration().map(d -> d.toMillis() + " ms of CPU used").orElse("CPU time unknown");
    }

    /**
     * What a test prints when this child did not do what it waited for: whether it still runs, the
     * end of its log, and (while alive) its threads' stacks, so a hang seen once on a loaded CI
     * machine can be explained afterwards.
     */
    String diagnosis() {
        StringBuilder b = new StringBuilder("child sequencer pid " + process.pid() + (process.isAlive() ? " alive, " + cpuUsed(process) : " exited with " + process.exitValue()));
        try {
            List<String> lines = Files.readAllLines(log);
            b.append("; last lines of ").append(log.getFileName()).append(":\n");
            lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(l -> b.append("  ").append(l).append('\n'));
        } catch (IOException e) {
            b.append("; log unreadable: ").append(e).append('\n');
        }
        if (process.isAlive()) b.append(threadDump(process.pid()));
        return b.toString();
    }

    /** The JVM's thread stacks by {@code jcmd PID Thread.print}, or why they could not be had. */
    static String threadDump(long pid) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid), "Thread.print")
                    .redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            jcmd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            return "thread dump:\n" + out;
        } catch (IOException e) {
            return "no thread dump: " + e + "\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no thread dump: interrupted\n";
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill9();
    }

    static File javaHome() {
        return new File(System.getProperty("java.home"));
    }
}
