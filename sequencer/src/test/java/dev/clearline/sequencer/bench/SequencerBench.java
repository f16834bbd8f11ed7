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
import dev.clearline.sequencer.cluster.IdleMode;
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
 * {@code ./clearline bench sequencer [seconds-per-rate] [rates] [--skip-alone] [--warm-up-cap S]
 * [--ladder-seconds S]}: order acknowledgement latency over loopback WebSocket (signed orders in,
 * acknowledgement after the cluster committed them) at 5k, 10k and 20k orders/s offered, then the
 * highest sustained rate found by a ladder (x1.25 per step, a missed step retried once, down by 1.25 while none held, within a
 * time budget), beside the machine's signature-recovery ceiling (cores x native recoveries/s)
 * measured in the same run. Before any measured step the node is warmed up until its JIT threads
 * settle (read from /proc; how long it took is reported), and each step reports the JIT's share.
 * Latency is from each order's intended send time (open loop, coordinated omission corrected).
 * Writes bench-results/sequencer.md. {@code --skip-alone} leaves out the service-alone rows (a
 * short run comparing CPU and allocation per acknowledgement, which stay meaningful on a loaded
 * machine).
 */
public final class SequencerBench {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int TRADERS = 16;
    static final int CONNECTIONS = 4;

    /** Longest warm-up when the JIT does not settle sooner (seconds of orders). */
    static final int WARM_UP_CAP_SECONDS = 90;
    /** Shortest warm-up: the first chunks compile the whole path whatever the JIT says in between. */
    static final int WARM_UP_MIN_SECONDS = 15;
    static final int WARM_UP_CHUNK_SECONDS = 5;
    static final int WARM_UP_RATE = 2_000;
    /** Settled: the compiler threads used at most this many CPU-ms per second over a whole chunk. */
    static final double JIT_SETTLED_MS_PER_S = 20;
    static final double LADDER_STEP = 1.25;
    static final int LADDER_FLOOR = 500;
    /** The ladder goes no lower than this on its way down. */
    static final int LADDER_MIN = 100;
    static final int LADDER_BUDGET_SECONDS = 90;
    /** How long the last warm-up took (seconds of orders), for its row. */
    private static final double[] warmSeconds = {0};

    public static void main(String[] args) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) System.setProperty("logback.configurationFile", "sequencer-logback.xml");
        if (args.length > 0 && args[0].trim().equals("cluster")) {
            dev.clearline.sequencer.replication.ClusterBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].trim().equals("alone")) {
            ServiceAlone.bench(java.util.Arrays.copyOfRange(args, 1, args.length), String.join(" ", args).trim());
            return;
        }
        if (args.length > 0 && args[0].trim().equals("reads")) {
            ReadsBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].trim().equals("snapshot")) {
            SnapshotBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].trim().equals("archive-check")) {
            dev.clearline.sequencer.cluster.ArchiveCheckBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].trim().equals("log-trim")) {
            dev.clearline.sequencer.cluster.LogTrimBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].trim().equals("stack")) {
            StackBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        // --skip-alone: no service-alone rows (they sign 100,000 orders first); for a short comparison of CPU and allocation per ack
        String command = String.join(" ", args).trim();
        boolean skipAlone = java.util.Arrays.stream(args).anyMatch(a -> a.trim().equals("--skip-alone"));
        // --warm-up-cap S: longest warm-up (default 90 s); --ladder-seconds S: time budget of the sustained-rate ladder (default 90 s)
        int warmUpCap = intOption(args, "--warm-up-cap", WARM_UP_CAP_SECONDS);
        int ladderBudget = intOption(args, "--ladder-seconds", LADDER_BUDGET_SECONDS);
        // --compare-batching: after the warm-up, the first rate with the gateway's batches off and on, alternating, twice each
        boolean compareBatching = java.util.Arrays.stream(args).anyMatch(a -> a.trim().equals("--compare-batching"));
        // --idle MODE: how the member's agents wait (the node's --idle; default a single member's, backoff)
        IdleMode idle = IdleMode.defaultFor(1);
        for (int i = 0; i + 1 < args.length; i++) if (args[i].trim().equals("--idle")) idle = IdleMode.parse(args[i + 1].trim());
        args = withoutOptions(args);
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
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, genesis).withIdle(idle), new NativeSecp256k1Verifier())) {
            System.out.println("member agents idle mode: " + idle.option());
            Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), cores);
            SequencerMain.devSetup(gateway, domain, TRADERS);
            try (TraderApi api = new TraderApi(gateway, new RateLimiter(1e9, 1e9, System::nanoTime), new RateLimiter(1e9, 1e9, System::nanoTime), "127.0.0.1", 0, 64 * 1024)) {
                AtomicLong nonce = new AtomicLong(1);
                String warm = warmUp(api.port(), signers, domain, nonce, warmUpCap, rates[0]);
                System.out.println("warm-up: " + warm);
                if (compareBatching) compareBatching(rows, gateway, api.port(), signers, domain, nonce, rates[0], seconds);
                double best = 0;
                double bestOffered = 0;
                double highestAckRate = 0;
                for (int rate : rates) {
                    Result r = run(api.port(), signers, domain, nonce, rate, seconds);
                    String note = note(r, rate, seconds);
                    highestAckRate = Math.max(highestAckRate, r.ackRate);
                    rows.add(row("CPU per ack @" + k(rate) + "/s", "process CPU", r.cpuSeconds / Math.max(1, r.acked) * 1e6, "us", "-",
                            String.format(Locale.ROOT, "%,.2f CPU-s for %,d acks, generator included (one recovery costs %.0f us of CPU in this run's ceiling); by thread: %s",
                                    r.cpuSeconds, r.acked, cores * 1e6 / ceiling, r.cpuShares)));
                    rows.add(row("JIT share @" + k(rate) + "/s", "of process CPU", 100 * r.jitSeconds / Math.max(1e-9, r.cpuSeconds), "%", "-",
                            String.format(Locale.ROOT, "compiler threads' CPU (/proc) during the step: %.2f CPU-s, %.0f us per ack", r.jitSeconds,
                                    r.jitSeconds / Math.max(1, r.acked) * 1e6)));
                    rows.add(row("allocation per ack @" + k(rate) + "/s", "node's threads", r.nodeBytesPerAck / 1024.0, "KB", "-",
                            String.format(Locale.ROOT, "bytes allocated by the node's threads (every thread but the load generator's) per acknowledgement;"
                                    + " largest, generator included: %s", r.allocation)));
                    if (rate <= 20_000) {
                        rows.add(row("ack latency @" + k(rate) + "/s", "p50", r.h.getValueAtPercentile(50) / 1000.0, "us", "-", note));
                        rows.add(row("ack latency @" + k(rate) + "/s", "p99", r.h.getValueAtPercentile(99) / 1000.0, "us", rate == 20_000 ? "< 1000 us" : "-", note));
                        rows.add(row("ack latency @" + k(rate) + "/s", "p99.9", r.h.getValueAtPercentile(99.9) / 1000.0, "us", "-", note));
                    }
                    if (sustained(r, rate) && rate > bestOffered) {
                        bestOffered = rate;
                        best = r.ackRate;
                    }
                    if (!sustained(r, rate)) {
                        rows.add(row("throughput", "acked at " + k(rate) + "/s offered", r.ackRate, "orders/s", "-", note + "; not sustained"));
                        break;
                    }
                }
                // the ladder: from just under what the node managed (or above the best fixed rate), x1.25 per step until a
                // step misses twice in a row, within a time budget; its highest step acked in full is the sustained rate.
                // While no step has held, a step missed twice sends it down (/1.25) instead, so the figure is a rate, not 0.
                int rate = bestOffered > 0 ? (int) Math.round(bestOffered * LADDER_STEP) : Math.max(LADDER_FLOOR, (int) Math.round(highestAckRate * 0.6 / 100) * 100);
                List<String> ladder = new ArrayList<>();
                long budgetEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(ladderBudget);
                boolean retried = false;
                int missedAbove = Integer.MAX_VALUE;
                while (System.nanoTime() < budgetEnd) {
                    Result r = run(api.port(), signers, domain, nonce, rate, seconds);
                    boolean ok = sustained(r, rate);
                    ladder.add(String.format(Locale.ROOT, "%,d/s %s (acked %,.0f/s, p99 %.1f ms)", rate, ok ? "held" : "missed", r.ackRate,
                            r.h.getValueAtPercentile(99) / 1e6));
                    System.out.println("ladder: " + ladder.getLast());
                    if (ok) {
                        if (rate > bestOffered) {
                            bestOffered = rate;
                            best = r.ackRate;
                        }
                        retried = false;
                        rate = (int) Math.round(rate * LADDER_STEP);
                        if (rate >= missedAbove) break; // the step above already missed on the way down
                    } else if (!retried) {
                        retried = true; // one retry: a step can miss on a hiccup of a shared machine
                    } else if (bestOffered == 0 && rate > LADDER_MIN) {
                        missedAbove = rate;
                        rate = (int) Math.round(rate / LADDER_STEP);
                        retried = false;
                    } else {
                        break;
                    }
                }
                rows.add(row("highest sustained rate", "acked", best, "orders/s", ">= 70% of ceiling",
                        String.format(Locale.ROOT, "highest offered rate acked in full (>= 99%% of the orders, >= 95%% of the rate) with p99 < 100 ms:"
                                + " %,.0f/s; %.1f%% of the ceiling. Ladder (x%.2f per step, a miss retried once, down while none held, %d s budget): %s", bestOffered,
                                100 * best / ceiling, LADDER_STEP, ladderBudget, ladder.isEmpty() ? "no step ran" : String.join("; ", ladder))));
                rows.add(row("warm-up", "until the JIT settled", warmSeconds[0], "s", "-", warm));
            }
            gateway.close();
        }
        write(rows, cores, command);
    }

    /** {@code cpuSeconds}: this JVM's CPU from the first send to the last acknowledgement (signing before excluded); {@code cpuShares}: by thread role. */
    public record Result(Histogram h, long sent, long acked, double ackRate, double cpuSeconds, String cpuShares, double nodeBytesPerAck,
                         String allocation, double jitSeconds, double wallSeconds, double idle) {}

    static boolean sustained(Result r, int rate) {
        return r.acked >= 0.99 * r.sent && r.ackRate >= 0.95 * rate && r.h.getValueAtPercentile(99) < 100_000_000L;
    }

    static String note(Result r, int rate, int seconds) {
        return String.format(Locale.ROOT, "offered %,d/s for %d s over %d connections; acked %,d of %,d (%,.0f/s); idle %s",
                rate, seconds, CONNECTIONS, r.acked, r.sent, r.ackRate, pct(r.idle()));
    }

    /**
     * Orders at {@link #WARM_UP_RATE}/s in chunks until the compiler threads stay under
     * {@link #JIT_SETTLED_MS_PER_S} CPU-ms per second for a whole chunk (after at least
     * {@link #WARM_UP_MIN_SECONDS}), or until {@code capSeconds}: measured steps then measure the
     * node, not its compilation. Says how long it took and what the JIT used in the last chunk.
     */
    /**
     * Orders at {@link #WARM_UP_RATE} until the JIT settles, then at the first measured rate until it
     * settles there too (at least one chunk), all within {@code capSeconds}: a node warmed at 2,000/s
     * alone compiled again at 5,000/s (13 % of that step's CPU in one run, its p99 105 ms against
     * 15 ms in the run before, 2026-12-01), since the gateway packs more orders per log message there.
     */
    static String warmUp(int port, List<FastSigner> signers, Eip712 domain, AtomicLong nonce, int capSeconds, int firstRate) throws Exception {
        long start = System.nanoTime();
        String low = warmUpAt(port, signers, domain, nonce, capSeconds, WARM_UP_RATE, WARM_UP_MIN_SECONDS);
        int lowSeconds = (int) warmSeconds[0];
        if (firstRate <= WARM_UP_RATE || lowSeconds >= capSeconds) return low;
        String high = warmUpAt(port, signers, domain, nonce, capSeconds - lowSeconds, firstRate, WARM_UP_CHUNK_SECONDS);
        warmSeconds[0] += lowSeconds;
        return low + "; then " + high + String.format(Locale.ROOT, "; %.0f s wall in all", (System.nanoTime() - start) / 1e9);
    }

    private static String warmUpAt(int port, List<FastSigner> signers, Eip712 domain, AtomicLong nonce, int capSeconds, int rate,
                                   int minSeconds) throws Exception {
        long start = System.nanoTime();
        int seconds = 0;
        long orders = 0;
        double jitMsPerS = Double.NaN;
        boolean settled = false;
        while (seconds < capSeconds) {
            int chunk = Math.min(WARM_UP_CHUNK_SECONDS, capSeconds - seconds);
            Result r = run(port, signers, domain, nonce, rate, chunk);
            seconds += chunk;
            orders += r.acked;
            jitMsPerS = 1000 * r.jitSeconds / Math.max(1e-9, r.wallSeconds);
            System.out.printf(Locale.ROOT, "warm-up at %,d/s: %d s, %,d acked, JIT %.0f CPU-ms per s over the last chunk%n", rate, seconds, orders, jitMsPerS);
            if (seconds >= minSeconds && jitMsPerS <= JIT_SETTLED_MS_PER_S) {
                settled = true;
                break;
            }
        }
        warmSeconds[0] = seconds;
        return String.format(Locale.ROOT, "%s after %d s of orders at %,d/s (%,d acked, %.0f s wall), JIT %.0f CPU-ms per s over the last %d s chunk"
                        + " (settled: at most %.0f)", settled ? "JIT settled" : "JIT NOT settled at the cap", seconds, rate, orders,
                (System.nanoTime() - start) / 1e9, jitMsPerS, WARM_UP_CHUNK_SECONDS, JIT_SETTLED_MS_PER_S);
    }

    /**
     * The same offered rate with the gateway sending each request alone (batch limit 1) and with its
     * batches, alternating off/on twice so both see the same load on a shared machine: CPU and
     * allocation per acknowledgement of each, summed over its two steps.
     */
    static void compareBatching(List<String> rows, Gateway gateway, int port, List<FastSigner> signers, Eip712 domain, AtomicLong nonce,
                                int rate, int seconds) throws Exception {
        double[] cpu = new double[2], bytes = new double[2], acked = new double[2], jit = new double[2], rateSum = new double[2];
        double[] idle = new double[2];
        for (int round = 0; round < 2; round++) {
            for (int on = 0; on < 2; on++) {
                gateway.batchLimit(on == 1 ? dev.clearline.sequencer.command.CommandCodec.MAX_BATCH_COMMANDS : 1);
                Result r = run(port, signers, domain, nonce, rate, seconds);
                cpu[on] += r.cpuSeconds;
                bytes[on] += r.nodeBytesPerAck * r.acked;
                acked[on] += r.acked;
                jit[on] += r.jitSeconds;
                rateSum[on] += r.ackRate;
                idle[on] += r.idle() / 2;
                System.out.printf(Locale.ROOT, "batching %s: %,.0f us CPU per ack, %.1f KB per ack, acked %,.0f/s; CPU %s; allocation %s%n",
                        on == 1 ? "on" : "off", r.cpuSeconds / Math.max(1, r.acked) * 1e6, r.nodeBytesPerAck / 1024, r.ackRate, r.cpuShares, r.allocation);
            }
        }
        gateway.batchLimit(dev.clearline.sequencer.command.CommandCodec.MAX_BATCH_COMMANDS);
        for (int on = 0; on < 2; on++) {
            String label = on == 1 ? "batches on" : "batches off (each request alone)";
            String note = String.format(Locale.ROOT, "offered %,d/s, two %d s steps alternating with the other setting; acked %,.0f/s on average;"
                    + " JIT %.0f us per ack; idle %s", rate, seconds, rateSum[on] / 2, jit[on] / Math.max(1, acked[on]) * 1e6, pct(idle[on]));
            rows.add(row("CPU per ack @" + k(rate) + "/s, " + label, "process CPU", cpu[on] / Math.max(1, acked[on]) * 1e6, "us", "-", note));
            rows.add(row("allocation per ack @" + k(rate) + "/s, " + label, "node's threads", bytes[on] / Math.max(1, acked[on]) / 1024, "KB", "-", note));
        }
    }

    static int intOption(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].trim().equals(name)) return Integer.parseInt(args[i + 1].trim());
        return dflt;
    }

    /** The positional arguments: options and their values left out. */
    static String[] withoutOptions(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i].trim();
            if (a.equals("--skip-alone") || a.equals("--compare-batching")) continue;
            if (a.equals("--warm-up-cap") || a.equals("--ladder-seconds") || a.equals("--idle")) {
                i++;
                continue;
            }
            out.add(args[i]);
        }
        return out.toArray(String[]::new);
    }

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
        long[] latency = new long[total];
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
                                latency[id] = Math.max(0, now - intended[id]);
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
        MachineIdle idle0 = MachineIdle.now();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long startWallMs = System.currentTimeMillis() + 50;
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
        double idle = MachineIdle.now().percentSince(idle0);
        for (WebSocket ws : sockets) ws.abort();
        String timeline = System.getenv("CLEARLINE_BENCH_TIMELINE");
        if (timeline != null && !timeline.isBlank()) {
            // each order's intended send time (UTC ms) and latency (µs): where the slow ones cluster in time
            StringBuilder csv = new StringBuilder("intended_utc_ms,latency_us\n");
            synchronized (h) {
                for (int i = 0; i < total; i++) csv.append(startWallMs + (intended[i] - start) / 1_000_000).append(',').append(latency[i] / 1000).append('\n');
            }
            java.nio.file.Path out = java.nio.file.Path.of(timeline, "timeline-" + port + "-" + rate + "-" + startWallMs + ".csv");
            java.nio.file.Files.createDirectories(out.getParent());
            java.nio.file.Files.writeString(out, csv);
        }
        long elapsed;
        synchronized (h) {
            elapsed = Math.max(1, lastAck[0] - start);
        }
        long n = Math.max(1, acked.get());
        return new Result(h, total, acked.get(), acked.get() * 1e9 / elapsed, cpu1.processSecondsSince(cpu0), cpu1.sharesSince(cpu0, 10),
                (double) cpu1.allocatedSince(cpu0, role -> !generator(role)) / n, cpu1.allocationSince(cpu0, n, 8),
                cpu1.vmSecondsSince(cpu0, "JIT"), elapsed / 1e9, idle);
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
                + " Latency from each order's intended send time (open loop). The idle share is the whole machine's during that step."
                + " Before the measured steps the node takes orders at " + WARM_UP_RATE + "/s, then at the first measured rate, in " + WARM_UP_CHUNK_SECONDS + " s chunks, at least "
                + WARM_UP_MIN_SECONDS + " s, until its compiler threads use at most " + String.format(Locale.ROOT, "%.0f", JIT_SETTLED_MS_PER_S)
                + " CPU-ms per s over a chunk (or the cap); the warm-up row says how long that took, and each step's JIT share is beside it."
                + " CPU of the VM's own threads (JIT, collector) is read from /proc.\n\n");
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
