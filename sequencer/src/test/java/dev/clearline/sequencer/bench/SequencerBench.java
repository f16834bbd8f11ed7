package dev.clearline.sequencer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.FastSigner;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.SequencerMain;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.OrderJson;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.testkit.bench.MachineIdle;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./clearline bench sequencer [seconds-per-rate]}: order acknowledgement latency over
 * loopback WebSocket (signed orders in, acknowledgement after the cluster committed them) at 5k,
 * 10k and 20k orders/s offered, then the highest sustained rate, beside the machine's
 * signature-recovery ceiling (cores x native recoveries/s) measured in the same run. Latency is
 * from each order's intended send time (open loop, coordinated omission corrected). Writes
 * bench-results/sequencer.md. {@code --skip-alone} leaves out the service-alone rows (a short run
 * comparing CPU and allocation per acknowledgement, which stay meaningful on a loaded machine).
 */
public final class SequencerBench {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int TRADERS = 16;
    static final int CONNECTIONS = 4;

    public static void main(String[] args) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) System.setProperty("logback.configurationFile", "sequencer-logback.xml");
        if (args.length > 0 && args[0].trim().equals("cluster")) {
            dev.clearline.sequencer.replication.ClusterBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].trim().equals("stack")) {
            StackBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        // --skip-alone: no service-alone rows (they sign 100,000 orders first); for a short comparison of CPU and allocation per ack
        String command = String.join(" ", args).trim();
        boolean skipAlone = java.util.Arrays.stream(args).anyMatch(a -> a.trim().equals("--skip-alone"));
        args = java.util.Arrays.stream(args).filter(a -> !a.trim().equals("--skip-alone")).toArray(String[]::new);
        int seconds = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 5;
        // optional: the offered rates, comma-separated (default 5k, 10k, 20k, 40k; stops after the first not sustained)
        int[] rates = args.length > 1 && !args[1].isBlank()
                ? java.util.Arrays.stream(args[1].trim().split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray()
                : new int[] {5_000, 10_000, 20_000, 40_000};
        int cores = Runtime.getRuntime().availableProcessors();
        List<String> rows = new ArrayList<>();
        List<FastSigner> signers = new ArrayList<>();
        for (int i = 0; i < TRADERS; i++) signers.add(FastSigner.dev(i));
        Genesis genesis = Genesis.devnet(Market.ROLLUP);
        Eip712 domain = genesis.domain();

        // the ceiling: native recoveries on every core at once
        MachineIdle c0 = MachineIdle.now();
        double ceiling = recoveryCeiling(signers.getFirst(), cores, 2);
        double ceilingIdle = MachineIdle.now().percentSince(c0);
        rows.add(row("signature-recovery ceiling", "all cores", ceiling, "recoveries/s", "-",
                cores + " threads of native libsecp256k1 recovery for 2 s; idle " + pct(ceilingIdle)));

        // the single-threaded limit: the service's own work per order, no network, log or gateway
        // both ways the tree can run: on the service thread (as before), and on its worker (as the node runs it)
        for (boolean onWorker : skipAlone ? new boolean[0] : new boolean[] {false, true}) {
            ServiceAlone.Figures alone = ServiceAlone.measure(genesis, signers, 30_000, 20_000, onWorker);
            rows.add(row(onWorker ? "service alone, tree on its worker" : "service alone, tree on the service thread",
                    "orders per service-thread CPU-second", alone.ordersPerCpuSecond(), "orders/s", "-",
                    String.format(Locale.ROOT, "SequencerState.apply of %,d pre-verified orders (engine, STF, Merkle tree, batches, views) and their reply JSON,"
                            + " after %,d to warm up (thread CPU time): ", alone.orders(), 30_000) + alone.describe()));
        }

        Path dir = Files.createTempDirectory("sequencer-bench");
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, genesis), new NativeSecp256k1Verifier())) {
            Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), cores);
            SequencerMain.devSetup(gateway, domain, TRADERS);
            try (TraderApi api = new TraderApi(gateway, new RateLimiter(1e9, 1e9, System::nanoTime), "127.0.0.1", 0, 64 * 1024)) {
                AtomicLong nonce = new AtomicLong(1);
                // warm-up, not reported: ~25k orders so C2 has compiled the whole path (it compiles a method after
                // ~10k calls; with the earlier 1k-order warm-up the 5k/s step ran half interpreted and paid the JIT)
                for (int[] w : new int[][] {{500, 2}, {2_000, 4}, {4_000, 4}}) run(api.port(), signers, domain, nonce, w[0], w[1]);
                double best = 0;
                double bestOffered = 0;
                for (int rate : rates) {
                    MachineIdle before = MachineIdle.now();
                    Result r = run(api.port(), signers, domain, nonce, rate, seconds);
                    double idle = MachineIdle.now().percentSince(before);
                    String note = String.format(Locale.ROOT, "offered %,d/s for %d s over %d connections; acked %,d of %,d (%,.0f/s); idle %s",
                            rate, seconds, CONNECTIONS, r.acked, r.sent, r.ackRate, pct(idle));
                    rows.add(row("CPU per ack @" + k(rate) + "/s", "process CPU", r.cpuSeconds / Math.max(1, r.acked) * 1e6, "us", "-",
                            String.format(Locale.ROOT, "%,.2f CPU-s for %,d acks, generator included (one recovery costs %.0f us of CPU in this run's ceiling); by thread: %s",
                                    r.cpuSeconds, r.acked, cores * 1e6 / ceiling, r.cpuShares)));
                    rows.add(row("allocation per ack @" + k(rate) + "/s", "node's threads", r.nodeBytesPerAck / 1024.0, "KB", "-",
                            String.format(Locale.ROOT, "bytes allocated by the node's threads (every thread but the load generator's) per acknowledgement;"
                                    + " largest, generator included: %s", r.allocation)));
                    if (rate <= 20_000) {
                        rows.add(row("ack latency @" + k(rate) + "/s", "p50", r.h.getValueAtPercentile(50) / 1000.0, "us", "-", note));
                        rows.add(row("ack latency @" + k(rate) + "/s", "p99", r.h.getValueAtPercentile(99) / 1000.0, "us", rate == 20_000 ? "< 1000 us" : "-", note));
                        rows.add(row("ack latency @" + k(rate) + "/s", "p99.9", r.h.getValueAtPercentile(99.9) / 1000.0, "us", "-", note));
                    }
                    boolean sustained = r.acked >= 0.99 * r.sent && r.ackRate >= 0.95 * rate && r.h.getValueAtPercentile(99) < 100_000_000L;
                    if (sustained && rate > bestOffered) {
                        bestOffered = rate;
                        best = r.ackRate;
                    }
                    if (!sustained) {
                        rows.add(row("throughput", "acked at " + k(rate) + "/s offered", r.ackRate, "orders/s", "-", note + "; not sustained"));
                        break;
                    }
                }
                rows.add(row("highest sustained rate", "acked", best, "orders/s", ">= 70% of ceiling",
                        String.format(Locale.ROOT, "highest offered rate acked in full with p99 < 100 ms: %,.0f/s; %.1f%% of the ceiling", bestOffered, 100 * best / ceiling)));
            }
            gateway.close();
        }
        write(rows, cores, command);
    }

    /** {@code cpuSeconds}: this JVM's CPU from the first send to the last acknowledgement (signing before excluded); {@code cpuShares}: by thread role. */
    public record Result(Histogram h, long sent, long acked, double ackRate, double cpuSeconds, String cpuShares, double nodeBytesPerAck,
                         String allocation) {}

    /** The load generator's threads: the JDK WebSocket client's and the senders. */
    static boolean generator(String role) {
        return role.startsWith("HttpClient") || role.startsWith("load");
    }

    /** Open loop: each connection sends its share at fixed intended times; latency counts from the intended time. */
    public static Result run(int port, List<FastSigner> signers, Eip712 domain, AtomicLong nonce, int rate, int seconds) throws Exception {
        int total = rate * seconds;
        // sign everything first: the clients' own signing must not eat the cores the node needs
        List<List<String>> frames = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) frames.add(new ArrayList<>());
        for (int i = 0; i < total; i++) {
            FastSigner s = signers.get(i % signers.size());
            // each trader alternates sides at one price: most orders fill and positions stay flat
            Side side = (i / signers.size()) % 2 == 0 ? Side.BUY : Side.SELL;
            Order o = new Order(s.address(), 1, side, 10_000, 1_000, 0, TimeInForce.GTC, 0, 0, nonce.getAndIncrement(), 100_000);
            var body = OrderJson.order(s, o, domain);
            body.put("op", "place");
            body.put("id", i);
            frames.get(i % CONNECTIONS).add(body.toString());
        }
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long[] intended = new long[total];
        AtomicLong acked = new AtomicLong();
        CompletableFuture<Void> allAcked = new CompletableFuture<>();
        long[] lastAck = {0};
        HttpClient http = HttpClient.newHttpClient();
        List<WebSocket> sockets = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            sockets.add(http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
                final StringBuilder partial = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                        long now = System.nanoTime();
                        String text = partial.toString();
                        partial.setLength(0);
                        int at = text.indexOf("\"id\":");
                        if (at >= 0) {
                            int end = at + 5;
                            while (end < text.length() && Character.isDigit(text.charAt(end))) end++;
                            int id = Integer.parseInt(text.substring(at + 5, end));
                            synchronized (h) {
                                h.recordValue(Math.max(0, now - intended[id]));
                                lastAck[0] = now;
                            }
                            if (acked.incrementAndGet() == total) allAcked.complete(null);
                        }
                    }
                    ws.request(1);
                    return null;
                }
            }).get(10, TimeUnit.SECONDS));
        }
        CpuUse cpu0 = CpuUse.now();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            int conn = c;
            Thread t = new Thread(() -> {
                WebSocket ws = sockets.get(conn);
                List<String> mine = frames.get(conn);
                for (int k = 0; k < mine.size(); k++) {
                    int i = k * CONNECTIONS + conn;
                    long when = start + i * interval;
                    intended[i] = when;
                    long wait = when - System.nanoTime();
                    if (wait > 50_000) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    ws.sendText(mine.get(k), true).join();
                }
            }, "load-" + c);
            t.start();
            senders.add(t);
        }
        for (Thread t : senders) t.join();
        try {
            allAcked.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // reported as acked < sent
        }
        CpuUse cpu1 = CpuUse.now();
        for (WebSocket ws : sockets) ws.abort();
        long elapsed;
        synchronized (h) {
            elapsed = Math.max(1, lastAck[0] - start);
        }
        long n = Math.max(1, acked.get());
        return new Result(h, total, acked.get(), acked.get() * 1e9 / elapsed, cpu1.processSecondsSince(cpu0), cpu1.sharesSince(cpu0, 10),
                (double) cpu1.allocatedSince(cpu0, role -> !generator(role)) / n, cpu1.allocationSince(cpu0, n, 8));
    }

    static double recoveryCeiling(FastSigner signer, int threads, int seconds) throws InterruptedException {
        int n = 2_000;
        Hash32[] digests = new Hash32[n];
        Signature[] sigs = new Signature[n];
        for (int i = 0; i < n; i++) {
            byte[] d = new byte[32];
            d[0] = (byte) i;
            d[1] = (byte) (i >> 8);
            digests[i] = new Hash32(d);
            sigs[i] = signer.sign(digests[i]);
        }
        NativeSecp256k1Verifier v = new NativeSecp256k1Verifier();
        for (int i = 0; i < n; i++) v.recover(digests[i], sigs[i]); // warm-up
        AtomicLong count = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> ts = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                long c = 0;
                for (int i = 0; System.nanoTime() < end; i = (i + 1) % n, c++) {
                    if (v.recover(digests[i], sigs[i]) == null) throw new IllegalStateException("recovery failed");
                }
                count.addAndGet(c);
            });
            th.start();
            ts.add(th);
        }
        for (Thread th : ts) th.join();
        return count.get() * 1e9 / (System.nanoTime() - t0);
    }

    static String k(int rate) {
        return rate % 1000 == 0 ? rate / 1000 + "k" : String.valueOf(rate);
    }

    public static String pct(double idle) {
        return idle < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", idle);
    }

    public static String row(String bench, String metric, double value, String unit, String goal, String notes) {
        return String.format(Locale.ROOT, "| %s | %s | %,.1f | %s | %s | %s |", bench, metric, value, unit, goal, notes);
    }

    static void write(List<String> rows, int cores, String args) throws IOException {
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        StringBuilder md = new StringBuilder();
        md.append("# sequencer: order acknowledgement over loopback WebSocket\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %d cores, %s %s, %s. Command: `./clearline bench sequencer %s`. Load average %.1f at the end.%n%n",
                cores, System.getProperty("java.vm.name"), System.getProperty("java.vm.version"), Instant.now(), args, load));
        md.append("Path measured: JSON order over WebSocket (Jetty 12) -> signature recovery on the verify pool -> Aeron Cluster ingress ->"
                + " single-member log (embedded media driver, archive) -> engine + Merkle tree -> egress -> acknowledgement JSON."
                + " The load generator (JDK WebSocket client) runs in the same JVM and on the same cores; orders are signed before each run."
                + " Latency from each order's intended send time (open loop). The idle share is the whole machine's during that step.\n\n");
        if (load > 2.0 * cores) {
            md.append(String.format(Locale.ROOT, "**Read with care:** the load average was %.1f on %d cores (other work on the machine), so these"
                    + " figures measure contention, not the sequencer; the ceiling row shows how much of the machine this run got."
                    + " Compare the rates as ratios to that ceiling, and rerun on a quiet machine for absolute figures.%n%n", load, cores));
        }
        md.append("| benchmark | metric | value | unit | goal | notes |\n| --- | --- | ---: | --- | --- | --- |\n");
        for (String r : rows) md.append(r).append('\n');
        Path out = Path.of("bench-results", "sequencer.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
    }
}
