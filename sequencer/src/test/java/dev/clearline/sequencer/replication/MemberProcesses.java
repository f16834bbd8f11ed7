package dev.clearline.sequencer.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.sequencer.cluster.ClusterIngress;
import dev.clearline.sequencer.cluster.ClusterSecret;
import dev.clearline.sequencer.cluster.NodeConfig;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The members of a sequencer cluster, each a SequencerMain in its own JVM on loopback, so a test
 * can {@code kill -9} any of them. Ports are picked free here (other worktrees run the same tests
 * at the same time). Every member's output goes to {@code dir/member-I-runR.log}.
 */
public final class MemberProcesses implements AutoCloseable {
    /** JVM flags for test members: an operator's ({@code member-jvm.options}), with a smaller heap (a later flag wins). */
    // The shipped flags with a smaller heap and the serial collector: three members and the test JVM share 2 cores, and
    // tests need no low tail latency, only fewer collector threads (the replication tests' members have always run serial).
    // Without the shipped 8 MB young generation (nor its tenuring, tuned with it for G1): with the serial collector it left a new leader's ingress unanswered for
    // 30 s in one LeaderFailoverTest run (2026-11-30, not investigated); with G1, as shipped, the test passed.
    static final List<String> TEST_JVM = java.util.stream.Stream.concat(
            dev.clearline.sequencer.cluster.MemberJvm.flags().stream().filter(f -> !f.equals("-XX:+UseG1GC") && !f.startsWith("-Xmn") && !f.startsWith("-XX:MaxTenuringThreshold")),
            java.util.stream.Stream.of("-Xmx384m", "-XX:+UseSerialGC")).toList();
    private static final Pattern READY = Pattern.compile("SEQUENCER_READY port=(\\d+) seq=(\\d+) member=(\\d+) status=(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final List<NodeConfig.Member> members;
    private final List<String> extra;
    private final List<String> jvm;
    private final Member[] running;
    private final int[] runs;
    /** The secret every member admits gateways with, in {@code dir/cluster.secret} ({@code --cluster-secret-file}). */
    private final ClusterSecret secret;
    private final Path secretFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    record Member(int id, Process process, int apiPort, int statusPort, Path log) {}

    private MemberProcesses(Path dir, List<NodeConfig.Member> members, List<String> jvm, List<String> extra) {
        this.dir = dir;
        this.jvm = jvm;
        this.members = members;
        this.extra = extra;
        this.running = new Member[members.size()];
        this.runs = new int[members.size()];
        this.secret = ClusterSecret.generate(new java.security.SecureRandom());
        this.secretFile = dir.resolve("cluster.secret");
    }

    /** Starts {@code n} members together (a member missing at start would hold the others in the start-up canvass). */
    static MemberProcesses start(Path dir, int n, String... extra) throws IOException, InterruptedException {
        return start(dir, n, TEST_JVM, extra);
    }

    static MemberProcesses start(Path dir, int n, List<String> jvm, String... extra) throws IOException, InterruptedException {
        return startFirst(dir, n, n, jvm, extra);
    }

    /**
     * An {@code n}-member cluster of which only members {@code 0..started-1} are started (a majority
     * elects a leader once the start-up canvass gives up on the others); {@link #launch(int, String...)}
     * starts the rest.
     */
    static MemberProcesses startFirst(Path dir, int n, int started, List<String> jvm, String... extra) throws IOException, InterruptedException {
        List<NodeConfig.Member> members = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < n; i++) {
            members.add(new NodeConfig.Member(i, "127.0.0.1", freePort(used), freePort(used), freePort(used), freePort(used), freePort(used)));
        }
        MemberProcesses c = new MemberProcesses(dir, members, jvm, List.of(extra));
        Files.createDirectories(dir);
        Files.deleteIfExists(c.secretFile); // a property's next try starts a new cluster in the same directory, with a secret of its own
        c.secret.writeTo(c.secretFile);
        List<Process> launched = new ArrayList<>();
        try {
            for (int i = 0; i < started; i++) launched.add(c.launch(i));
            for (int i = 0; i < started; i++) c.awaitReadyRebinding(i, launched.get(i));
        } catch (RuntimeException | IOException | InterruptedException e) {
            c.close();
            throw e;
        }
        return c;
    }

    String memberList() {
        return members.stream().map(NodeConfig.Member::spec).collect(Collectors.joining(","));
    }

    /** What a gateway outside the members connects with: every member's ingress and the cluster's secret. */
    ClusterIngress ingress() {
        return new ClusterIngress(members.stream().map(m -> m.id() + "=" + m.host() + ":" + m.ingress()).collect(Collectors.joining(",")), secret);
    }

    Path memberDir(int id) {
        return dir.resolve("member-" + id);
    }

    private Path logOf(int id) {
        return dir.resolve("member-" + id + "-run" + runs[id] + ".log");
    }

    /**
     * Starts a member with options added after the shared ones (a later option wins), without
     * waiting for it to get ready: for a member expected to refuse or to stop.
     */
    Process launch(int id, String... more) throws IOException {
        Process p = launchWith(id, List.of(more));
        running[id] = new Member(id, p, 0, 0, logOf(id));
        return p;
    }

    /**
     * As {@link #launch(int, String...)}, without the option {@code dropped} (and its value) that every member was started
     * with: a member an operator starts without a flag the others have.
     */
    Process launchWithout(int id, String dropped) throws IOException {
        List<String> kept = new ArrayList<>(extra);
        int at = kept.indexOf(dropped);
        if (at < 0) throw new IllegalArgumentException(dropped + " is not among the members' options " + extra);
        kept.subList(at, at + 2).clear();
        Process p = launchWith(id, List.of(), List.of(), kept);
        running[id] = new Member(id, p, 0, 0, logOf(id));
        return p;
    }

    /** The current log of a member started by {@link #launch(int, String...)}. */
    String output(int id) throws IOException {
        return Files.readString(logOf(id));
    }

    private Process launch(int id) throws IOException {
        return launchWith(id, List.of());
    }

    private Process launchWith(int id, List<String> more) throws IOException {
        return launchWith(id, List.of(), more);
    }

    /** Starts member {@code id}'s process with {@code jvmMore} flags and {@code more} options besides the cluster's, its output in its run's log. */
    private Process launchWith(int id, List<String> jvmMore, List<String> more) throws IOException {
        return launchWith(id, jvmMore, more, extra);
    }

    private Process launchWith(int id, List<String> jvmMore, List<String> more, List<String> extra) throws IOException {
        runs[id]++;
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvm);
        cmd.addAll(jvmMore);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.clearline.sequencer.SequencerMain", "--dir", memberDir(id).toString(), "--port", "0", "--status-port", "0",
                "--cluster-members", memberList(), "--member-id", String.valueOf(id), "--cluster-secret-file", secretFile.toString(), "--verify-threads", "1"));
        cmd.addAll(extra);
        cmd.addAll(more);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logOf(id).toFile()).start();
    }

    private void awaitReady(int id, Process p) throws IOException, InterruptedException {
        Path log = logOf(id);
        long start = System.currentTimeMillis();
        long deadline = start + 240_000; // ~3 s quiet; a start took 72 s at load 36 (six builds on 2 cores)
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("member " + id + " exited with " + p.exitValue() + ":\n" + Files.readString(log));
            Matcher m = READY.matcher(Files.readString(log));
            if (m.find()) {
                running[id] = new Member(id, p, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(4)), log);
                System.out.println("member " + id + " run " + runs[id] + " ready in " + (System.currentTimeMillis() - start) + " ms");
                return;
            }
            Thread.sleep(100);
        }
        String cpu = p.info().totalCpuDuration().map(d -> d.toMillis() + " ms of CPU used").orElse("CPU time unknown");
        p.destroyForcibly();
        throw new IllegalStateException("member " + id + " did not get ready in 240 s (" + cpu + "):\n" + Files.readString(log));
    }

    /**
     * Starts a stopped member with {@code jvmMore} flags besides the cluster's and waits up to {@code timeoutMs} for it to exit
     * without getting ready; returns its exit code ({@link #output} has what it said).
     */
    int runToExit(int id, List<String> jvmMore, long timeoutMs) throws IOException, InterruptedException {
        if (running[id] != null && running[id].process().isAlive()) throw new IllegalStateException("member " + id + " is running");
        Process p = launchWith(id, jvmMore, List.of());
        if (!p.waitFor(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("member " + id + " did not exit within " + timeoutMs + " ms:\n" + Files.readString(logOf(id)));
        }
        return p.exitValue();
    }

    /** One-off commands run so far (each writes its own output file). */
    private final java.util.concurrent.atomic.AtomicInteger toolRuns = new java.util.concurrent.atomic.AtomicInteger();

    /** What a one-off command said and how it ended. */
    record ToolRun(int exitCode, String output) {}

    /**
     * Runs {@code ./clearline sequencer --dir <member id's directory> --stop} as an operator would, in a process of its
     * own, and waits up to {@code timeoutMs} for it.
     */
    ToolRun stopCluster(int id, long timeoutMs) throws IOException, InterruptedException {
        Path out = dir.resolve("stop-" + id + "-" + toolRuns.incrementAndGet() + ".txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), "dev.clearline.sequencer.SequencerMain", "--dir", memberDir(id).toString(), "--stop")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("--stop on member " + id + " did not end within " + timeoutMs + " ms:\n" + Files.readString(out));
        }
        return new ToolRun(p.exitValue(), Files.readString(out));
    }

    /** Starts a stopped member again on its directory (or on a fresh one, when the caller deleted it). */
    void restart(int id) throws IOException, InterruptedException {
        if (running[id] != null && running[id].process().isAlive()) throw new IllegalStateException("member " + id + " is running");
        awaitReadyRebinding(id, launch(id));
    }

    /**
     * Waits for a launched member to get ready, starting it again (up to three times) when it
     * stopped because one of its fixed ports was bound by another socket. A member keeps its ports
     * across a restart; where the kernel's ephemeral range leaves no room for them outside it (one
     * CI machine: a restarted member's archive port was taken while it was down, 2026-12-04), any
     * socket on the machine may land on one in the meantime. The member says so and exits, as an
     * operator's would; the operator's answer, starting it again once the port is free, is the
     * harness's too. Any other exit fails the test.
     */
    private void awaitReadyRebinding(int id, Process p) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                awaitReady(id, p);
                return;
            } catch (IllegalStateException e) {
                boolean portTaken = !p.isAlive() && e.getMessage().contains("Address already in use");
                if (!portTaken || attempt == 3) throw e;
                System.out.println("member " + id + " run " + runs[id] + ": a port of its was taken while it was down; starting it again in 2 s");
                Thread.sleep(2_000);
                p = launch(id);
            }
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    void kill9(int id) throws InterruptedException {
        Member m = running[id];
        m.process().destroyForcibly();
        m.process().waitFor();
        running[id] = null;
    }

    /** CPU time the member's process (every thread of its JVM) has used so far, in nanoseconds; -1 if unknown or not running. */
    long cpuNanos(int id) {
        Member m = running[id];
        if (m == null) return -1;
        return m.process().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /**
     * CPU time so far of each thread of a running member, by thread role (the name Linux keeps for
     * it, first 15 characters, numbers dropped), in nanoseconds; empty where /proc is not there. For
     * saying which of a member's threads (media driver, archive, consensus, service, gateway, JIT,
     * collector) an idle second or an acknowledgement costs.
     */
    java.util.Map<String, Long> threadCpuNanos(int id) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        Member m = running[id];
        if (m == null) return out;
        Path tasks = Path.of("/proc", String.valueOf(m.process().pid()), "task");
        long tick = 10_000_000L; // USER_HZ is 100 on every Linux this runs on
        try (var ts = Files.list(tasks)) {
            for (Path t : ts.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(stat.indexOf('(') + 1, close);
                    String[] f = stat.substring(close + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
                    out.merge(threadRole(name), ticks * tick, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    static String threadRole(String name) {
        String n = name.replaceAll("[-#]?\\d+$", "").trim();
        // the shared media driver thread is named after its directory (a path), or "[driver-conductor,...]"
        if (n.startsWith("/") || n.startsWith("[") || n.contains("driver-conduc") || n.contains("sender") || n.contains("receiver")) return "media-driver";
        if (n.startsWith("clustered-serv")) return "service";
        if (n.startsWith("consensus-modu")) return "consensus";
        if (n.startsWith("archive")) return "archive";
        if (n.startsWith("C1 Compiler") || n.startsWith("C2 Compiler") || n.startsWith("C1 CompilerThre") || n.startsWith("C2 CompilerThre")) return "JIT";
        if (n.startsWith("G1") || n.startsWith("GC Thread") || n.contains("GC")) return "GC";
        return n.isEmpty() ? "?" : n;
    }

    int size() {
        return running.length;
    }

    int apiPort(int id) {
        return running[id].apiPort();
    }

    /** Waits up to {@code timeoutMs} for a running member to exit by itself; its exit code, or -1 while it still runs. */
    int awaitExit(int id, long timeoutMs) throws InterruptedException {
        Process p = running[id].process();
        if (!p.waitFor(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)) return -1;
        return p.exitValue();
    }

    boolean isRunning(int id) {
        return running[id] != null && running[id].process().isAlive();
    }

    /** A member's own view (role, seq, root), or empty when it does not answer. */
    Optional<JsonNode> status(int id) {
        Member m = running[id];
        if (m == null) return Optional.empty();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.statusPort() + "/member"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** A member's {@code /metrics} samples (name with its labels, to value), or empty when it does not answer. */
    java.util.Map<String, Long> metrics(int id) {
        Member m = running[id];
        java.util.Map<String, Long> samples = new java.util.HashMap<>();
        if (m == null) return samples;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.statusPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            samples.putAll(dev.clearline.sequencer.metrics.Exposition.samples(r.body()));
        } catch (IOException e) {
            samples.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            samples.clear();
        }
        return samples;
    }

    /** The running member that says it leads, once exactly one does (waits up to {@code timeoutMs}). */
    int awaitLeader(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            List<Integer> leaders = new ArrayList<>();
            for (int i = 0; i < running.length; i++) {
                int id = i;
                status(i).filter(s -> "LEADER".equals(s.path("role").asText())).ifPresent(s -> leaders.add(id));
            }
            if (leaders.size() == 1) return leaders.getFirst();
            Thread.sleep(50);
        }
        throw new AssertionError("no single leader among the running members after " + timeoutMs + " ms");
    }

    /** Waits until every running member reports the same seq (at least {@code minSeq}) and state root; returns them. */
    List<JsonNode> awaitAgreement(long minSeq, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        List<JsonNode> last = List.of();
        while (System.currentTimeMillis() < deadline) {
            List<JsonNode> views = new ArrayList<>();
            boolean complete = true;
            for (int i = 0; i < running.length; i++) {
                if (!isRunning(i)) continue;
                Optional<JsonNode> s = status(i);
                if (s.isEmpty()) complete = false;
                else views.add(s.get());
            }
            last = views;
            if (complete && !views.isEmpty() && views.getFirst().path("seq").asLong() >= minSeq
                    && views.stream().allMatch(v -> v.path("seq").asLong() == views.getFirst().path("seq").asLong()
                    && v.path("stateRoot").asText().equals(views.getFirst().path("stateRoot").asText()))) {
                return views;
            }
            Thread.sleep(100);
        }
        // the member logs live in a temporary directory that is gone once the test ends: the last lines go with the failure
        StringBuilder logs = new StringBuilder();
        for (int i = 0; i < running.length; i++) {
            if (isRunning(i)) logs.append("\n--- member ").append(i).append(", last lines of its log:\n").append(String.join("\n", tail(i, 25)));
        }
        throw new AssertionError("the members did not agree within " + timeoutMs + " ms: " + last + logs);
    }

    /** The last {@code n} lines of a running member's current log. */
    List<String> tail(int id, int n) {
        Member m = running[id];
        if (m == null) return List.of();
        try {
            List<String> all = Files.readAllLines(m.log());
            return all.subList(Math.max(0, all.size() - n), all.size());
        } catch (IOException e) {
            return List.of("(log unreadable: " + e + ")");
        }
    }

    /** Lines of a running member's current log that contain {@code text}, for explaining a slow failover. */
    List<String> logLines(int id, String text) {
        Member m = running[id];
        if (m == null) return List.of();
        try {
            return Files.readAllLines(m.log()).stream().filter(l -> l.contains(text)).toList();
        } catch (IOException e) {
            return List.of("(log unreadable: " + e + ")");
        }
    }

    String logs() {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(p);
                b.append("---- ").append(p.getFileName()).append(" (last 40 lines)\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append(l).append('\n'));
            }
        } catch (IOException e) {
            b.append("(logs unreadable: ").append(e).append(")");
        }
        return b.toString();
    }

    @Override
    public void close() {
        for (int i = 0; i < running.length; i++) {
            if (running[i] != null) {
                running[i].process().destroyForcibly();
                try {
                    running[i].process().waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                running[i] = null;
            }
        }
    }

    /**
     * A UDP port free now and outside the kernel's ephemeral range. A member keeps its ports across
     * a restart, and while it is down an ephemeral port picked by any socket on the machine (another
     * member's replication channel, a client) can land on one of them: a restarted member then died
     * with "Address already in use" (once in a full suite run, 2026-11-30). Ports below the range
     * (or above it, where it starts too low to leave room below) are never handed out by the
     * kernel; a random one, checked free, keeps worktrees that run these tests at the same time apart.
     */
    private static int freePort(Set<Integer> used) throws IOException {
        int[] ephemeral = ephemeralRange();
        int high = ephemeral[0];
        int low = Math.max(1025, high - 12_000);
        if (high - low < 1_000 && 65_535 - ephemeral[1] >= 1_000) {
            // no room below the range, some above it
            low = ephemeral[1] + 1;
            high = 65_536;
        }
        if (high - low < 1_000) {
            // no room below the range on this machine: any free port, as before
            while (true) {
                try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                    if (used.add(s.getLocalPort())) return s.getLocalPort();
                }
            }
        }
        for (int tries = 0; tries < 1_000; tries++) {
            int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(low, high);
            if (used.contains(port)) continue;
            try (DatagramSocket s = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                used.add(port);
                return s.getLocalPort();
            } catch (java.net.SocketException taken) {
                // in use: try another
            }
        }
        throw new IOException("no free UDP port in " + low + "-" + high + " after 1,000 tries");
    }

    /** The kernel's ephemeral port range, low and high ends (32768-60999, Linux's default, when it cannot be read). */
    private static int[] ephemeralRange() {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32_768, 60_999};
        }
    }
}
