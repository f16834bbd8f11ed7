package dev.clearline.devnet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.Artifacts;
import dev.clearline.devnet.accounts.DevAccounts;
import dev.clearline.devnet.compat.Chain;
import dev.clearline.devnet.compat.HardhatNode;
import dev.clearline.devnet.deploy.ContractSet;
import dev.clearline.devnet.deploy.Deployer;
import dev.clearline.devnet.deploy.DeploymentParameters;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.http.HttpService;

/**
 * The devnet against Hardhat's node on this machine, in the same run, with the same client, each
 * started as a fresh process the way a user starts it ({@code ./clearline devnet}, {@code hardhat
 * node}): start-up from the command to the first answered {@code eth_blockNumber} (wall and CPU),
 * then signed token transfers per second (automine) and {@code eth_call} per second, each over
 * its first {@code --cold-seconds} (default 10: what a user meets first, JIT still cold) and over
 * the {@code --warm-seconds} after (default 10), with the machine's idle share beside each.
 *
 * <p>Args: {@code --cold-seconds S}, {@code --warm-seconds S}, {@code --threads N} client
 * threads (default 4), {@code --txs N} pre-signed transfers per node (default 20000),
 * {@code --block-txs N} (default 64; 1 leaves out the row of the devnet with that opt-in),
 * {@code --no-hardhat}, {@code --out DIR} (default {@code bench-results}; a trial run should not overwrite the figures there).
 */
public final class DevnetBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicLong ids = new AtomicLong();
    private final int coldSeconds;
    private final int warmSeconds;
    private final int threads;
    private final int txs;

    /** Rates per second; idle shares 0..1. */
    record Figures(String node, double startupMs, double startupCpuMs, double txCold, double txColdIdle, double txWarm,
                   double txWarmIdle, double callCold, double callColdIdle, double callWarm, double callWarmIdle, long txsSent,
                   double txColdCpuUs, double txWarmCpuUs, double callColdCpuUs, double callWarmCpuUs,
                   double clientTxCpuUs, double clientCallCpuUs) {}

    private DevnetBenchmark(int coldSeconds, int warmSeconds, int threads, int txs) {
        this.coldSeconds = coldSeconds;
        this.warmSeconds = warmSeconds;
        this.threads = threads;
        this.txs = txs;
    }

    public static void main(String[] args) throws Exception {
        int cold = 10;
        int warm = 10;
        int threads = 4;
        int txs = 20_000;
        boolean hardhat = true;
        int blockTxs = 64;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cold-seconds" -> cold = Integer.parseInt(args[++i]);
                case "--warm-seconds" -> warm = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--txs" -> txs = Integer.parseInt(args[++i]);
                case "--no-hardhat" -> hardhat = false;
                case "--block-txs" -> blockTxs = Integer.parseInt(args[++i]);
                case "--out" -> System.setProperty("bench.out", args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --cold-seconds S --warm-seconds S --threads N --txs N --block-txs N --no-hardhat --out DIR");
            }
        }
        DevnetBenchmark bench = new DevnetBenchmark(cold, warm, threads, txs);
        Path root = Path.of("..").toAbsolutePath().normalize();
        if (!Files.exists(root.resolve("clearline"))) root = Path.of(".").toAbsolutePath().normalize();
        // Builds the CLI jar if sources changed and records its JVM start-up cache: not part of any figure,
        // as Hardhat's first start (which may install node_modules) is not either.
        // `devnet --help` runs with the devnet's JVM flags, so the cache recorded is the one `./clearline devnet` uses.
        Process prepare = new ProcessBuilder("./clearline", "devnet", "--help").directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (prepare.waitFor() != 0) throw new IllegalStateException("./clearline devnet --help failed in " + root + "; build with ./clearline build");
        bench.warmClient();
        List<Figures> results = new ArrayList<>();
        results.add(bench.run("clearline devnet (./clearline devnet)", root, List.of("./clearline", "devnet", "--port", "{port}")));
        if (blockTxs > 1) {
            results.add(bench.run("clearline devnet, opt-in --block-txs " + blockTxs, root,
                    List.of("./clearline", "devnet", "--port", "{port}", "--block-txs", Integer.toString(blockTxs))));
        }
        if (hardhat) {
            HardhatNode.start().close(); // installs node_modules on first use; not part of any figure
            Path hh = HardhatNode.projectDir();
            results.add(bench.run("hardhat node 2.29 (EDR)", hh,
                    List.of(hh.resolve("node_modules/.bin/hardhat").toString(), "node", "--hostname", "127.0.0.1", "--port", "{port}")));
        }
        bench.write(results, String.join(" ", args).replaceAll("--out \\S+", "").strip(), hardhat);
    }

    private Figures run(String name, Path dir, List<String> command) throws Exception {
        DevAccounts keys = DevAccounts.defaults();
        List<Credentials> senders = keys.keys().subList(1, 1 + threads);
        System.err.println("== " + name);
        String receiver = keys.first().getAddress();
        List<List<byte[]>> signed = new ArrayList<>();
        for (Credentials s : senders) signed.add(new ArrayList<>());
        IdleMeter idle = new IdleMeter();
        try (NodeProcess node = NodeProcess.start(dir, command, Duration.ofMinutes(3))) {
            System.err.printf("   start-up %.0f ms (CPU %.0f ms)%n", node.startupMs, node.startupCpuMs);
            String url = node.url;
            Deployer.Result result = new Deployer(new HttpService(url), keys.first(), Artifacts.onClasspath(), Deployer.Settings.defaults(),
                    m -> { }, System::currentTimeMillis)
                    .deploy(ContractSet.standard(), DeploymentParameters.defaults(keys.first().getAddress(), Map.of()),
                            Files.createTempDirectory("bench").resolve("m.json"), true);
            if (!(result instanceof Deployer.Deployed deployed)) throw new IllegalStateException("deployment failed: " + result);
            String token = deployed.manifest().address("TestCollateral");
            for (Credentials s : senders) rpc(url, "eth_sendRawTransaction", "[\"" + sign(keys.first(), nonce(url, keys.first()), token,
                    Chain.mint(s.getAddress(), 1_000_000_000L)) + "\"]");
            // Signed before the clock starts (the node idles meanwhile): signing is the client's cost, not the node's.
            for (int t = 0; t < threads; t++) {
                long n = nonce(url, senders.get(t));
                for (int i = 0; i < txs / threads; i++) {
                    signed.get(t).add(rpcBody("eth_sendRawTransaction", "[\"" + sign(senders.get(t), n + i, token, Chain.transfer(receiver, 1)) + "\"]"));
                }
            }
            idle.lap();
            int[] next = new int[threads];
            double client0 = clientCpuMs();
            double cpu0 = node.cpuMs();
            long start = System.nanoTime();
            long txCold = window(url, coldSeconds, t -> next[t] < signed.get(t).size() ? signed.get(t).get(next[t]++) : null);
            // Mined, not just answered: a node that answers before mining (the devnet in memory) is timed until its
            // queue is mined, which eth_blockNumber waits for.
            rpc(url, "eth_blockNumber", "[]");
            // Over the time the window really took: it ends early if the pre-signed transfers run out.
            double txColdRate = txCold / ((System.nanoTime() - start) / 1e9);
            double txColdIdle = idle.lap();
            double cpu1 = node.cpuMs();
            start = System.nanoTime();
            long txWarm = window(url, warmSeconds, t -> next[t] < signed.get(t).size() ? signed.get(t).get(next[t]++) : null);
            rpc(url, "eth_blockNumber", "[]");
            double txWarmRate = txWarm / ((System.nanoTime() - start) / 1e9);
            if (next[0] >= signed.get(0).size()) {
                System.err.println("   the pre-signed transfers ran out before the warm window ended: pass a larger --txs");
            }
            double txWarmIdle = idle.lap();
            double cpu2 = node.cpuMs();
            double client1 = clientCpuMs();
            long sent = txCold + txWarm;
            BigInteger received = new BigInteger(rpc(url, "eth_call", "[{\"to\":\"" + token + "\",\"data\":\"" + Chain.balanceOf(receiver)
                    + "\"},\"latest\"]").asText().substring(2), 16);
            if (received.longValueExact() != sent) {
                throw new IllegalStateException(name + ": the receiver holds " + received + " but " + sent + " transfers were answered");
            }
            byte[] call = rpcBody("eth_call", "[{\"to\":\"" + token + "\",\"data\":\"" + Chain.balanceOf(senders.get(0).getAddress()) + "\"},\"latest\"]");
            idle.lap();
            double cpu3 = node.cpuMs();
            double client2 = clientCpuMs();
            long callCold = window(url, coldSeconds, t -> call);
            double callColdIdle = idle.lap();
            double cpu4 = node.cpuMs();
            long callWarm = window(url, warmSeconds, t -> call);
            double callWarmIdle = idle.lap();
            double cpu5 = node.cpuMs();
            double client3 = clientCpuMs();
            Figures f = new Figures(name, node.startupMs, node.startupCpuMs, txColdRate, txColdIdle, txWarmRate, txWarmIdle,
                    callCold / (double) coldSeconds, callColdIdle, callWarm / (double) warmSeconds, callWarmIdle, sent,
                    perOp(cpu1 - cpu0, txCold), perOp(cpu2 - cpu1, txWarm), perOp(cpu4 - cpu3, callCold), perOp(cpu5 - cpu4, callWarm),
                    perOp(client1 - client0, txCold + txWarm), perOp(client3 - client2, callCold + callWarm));
            System.err.printf("   transfers/s cold %.0f warm %.0f; eth_call/s cold %.0f warm %.0f%n", f.txCold(), f.txWarm(), f.callCold(), f.callWarm());
            System.err.printf("   node CPU us per transfer cold %.0f warm %.0f; per eth_call cold %.0f warm %.0f%n", f.txColdCpuUs(),
                    f.txWarmCpuUs(), f.callColdCpuUs(), f.callWarmCpuUs());
            return f;
        }
    }

    /** This JVM's CPU time: the client's cost, which lands on the same two cores as the node's. */
    private static double clientCpuMs() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e6 : Double.NaN;
    }

    private static double perOp(double cpuMs, long ops) {
        return ops == 0 ? Double.NaN : cpuMs * 1000 / ops;
    }

    /**
     * Runs the client code (this JVM's HTTP client, JSON parsing, the worker pool) against a canned
     * local answer before any node is measured, so that the client's own JIT warm-up falls on
     * neither node's cold window (it used to fall on the devnet's, which runs first).
     */
    private void warmClient() throws Exception {
        byte[] canned = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}".getBytes(StandardCharsets.UTF_8);
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, canned.length);
            try (var out = exchange.getResponseBody()) {
                out.write(canned);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.start();
        try {
            byte[] body = rpcBody("eth_blockNumber", "[]");
            window("http://127.0.0.1:" + server.getAddress().getPort(), Math.max(2, coldSeconds / 2), t -> body);
        } finally {
            server.stop(0);
            ((ExecutorService) server.getExecutor()).shutdownNow();
        }
    }

    @FunctionalInterface
    private interface Source {
        /** The next body for client thread {@code t}, or null when it has no more. */
        byte[] next(int t);
    }

    /** How many requests {@link #threads} clients get answered within {@code seconds} (or until their source runs dry). */
    private long window(String url, int seconds, Source source) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    BlockingRpcClient client = new BlockingRpcClient(url);
                    byte[] body;
                    while (System.nanoTime() < deadline && (body = source.next(id)) != null) {
                        JsonNode answer = JSON.readTree(client.post(body));
                        if (answer.has("error")) throw new IllegalStateException("request failed: " + answer.get("error"));
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdown();
        }
        return done.get();
    }

    private static String sign(Credentials key, long nonce, String to, String data) {
        return new Chain(null, 31337).signed(key, BigInteger.valueOf(nonce), to, data, 100_000);
    }

    private long nonce(String url, Credentials key) throws IOException {
        return Long.decode(rpc(url, "eth_getTransactionCount", "[\"" + key.getAddress() + "\",\"pending\"]").asText());
    }

    private byte[] rpcBody(String method, String params) {
        return ("{\"jsonrpc\":\"2.0\",\"id\":" + ids.incrementAndGet() + ",\"method\":\"" + method + "\",\"params\":" + params + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private JsonNode rpc(String url, String method, String params) throws IOException {
        JsonNode answer = JSON.readTree(new BlockingRpcClient(url).post(rpcBody(method, params)));
        if (answer.has("error")) throw new IllegalStateException(method + " failed: " + answer.get("error"));
        return answer.get("result");
    }

    private void write(List<Figures> results, String args, boolean hardhatLast) throws IOException {
        Path dir = Path.of(System.getProperty("bench.out", "../bench-results"));
        Files.createDirectories(dir);
        String command = "./clearline bench devnet" + (args.isBlank() ? "" : " " + args);
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        StringBuilder md = new StringBuilder("# devnet benchmark\n\n");
        md.append("Date: ").append(Instant.now()).append(". Machine: ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, JDK ").append(System.getProperty("java.version"))
                .append(String.format(", load average %.1f at the end; the machine's idle share during each figure is in brackets.%n%n", load));
        md.append("Command: `").append(command).append("`. Each node is a fresh process started as a user starts it (`./clearline devnet`, "
                + "`hardhat node`); ").append(threads).append(" client threads on the JDK's blocking HttpURLConnection (keep-alive) to 127.0.0.1; "
                + "pre-signed EIP-1559 token transfers (automine; a window ends when its transfers are mined, not only answered) and `eth_call` of `balanceOf`; the same client code for every node. "
                + "Cold = the first ").append(coldSeconds).append(" s of each load after start-up and deployment; warm = the ")
                .append(warmSeconds).append(" s after.\n\n");
        md.append("| node | start-up to first answer, wall (CPU) ms | transfers/s cold | transfers/s warm | eth_call/s cold | eth_call/s warm |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        for (Figures f : results) {
            md.append(String.format("| %s | %.0f (%.0f) | %.0f (%.0f%% idle) | %.0f (%.0f%%) | %.0f (%.0f%%) | %.0f (%.0f%%) |%n", f.node(),
                    f.startupMs(), f.startupCpuMs(), f.txCold(), f.txColdIdle() * 100, f.txWarm(), f.txWarmIdle() * 100,
                    f.callCold(), f.callColdIdle() * 100, f.callWarm(), f.callWarmIdle() * 100));
        }
        md.append("\nThe node process's own CPU per request (microseconds; what each node spends, which a busy machine changes "
                + "far less than the rates), and the benchmark client's (this JVM, all its threads) per request against the same node:\n\n"
                + "| node | per transfer cold | warm | per eth_call cold | warm | client per transfer | client per eth_call |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (Figures f : results) {
            md.append(String.format("| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |%n", f.node(), f.txColdCpuUs(), f.txWarmCpuUs(),
                    f.callColdCpuUs(), f.callWarmCpuUs(), f.clientTxCpuUs(), f.clientCallCpuUs()));
        }
        ObjectNode json = JSON.createObjectNode();
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("jdk", System.getProperty("java.version"));
        json.put("date", Instant.now().toString());
        json.put("loadAverage", load);
        json.put("command", command);
        json.set("results", JSON.valueToTree(results));
        if (hardhatLast && results.size() >= 2) {
            Figures d = results.get(0);
            Figures h = results.get(results.size() - 1);
            md.append(String.format("%nRatio devnet / Hardhat: transfers cold %.2fx, warm %.2fx; eth_call cold %.2fx, warm %.2fx; "
                            + "start-up wall %.2fx, CPU %.2fx of Hardhat's (below 1 is faster). Goal: at least 2x on throughput, start-up under Hardhat's.%n",
                    d.txCold() / h.txCold(), d.txWarm() / h.txWarm(), d.callCold() / h.callCold(), d.callWarm() / h.callWarm(),
                    d.startupMs() / h.startupMs(), d.startupCpuMs() / h.startupCpuMs()));
            json.put("txColdRatio", d.txCold() / h.txCold());
            json.put("txWarmRatio", d.txWarm() / h.txWarm());
            json.put("callColdRatio", d.callCold() / h.callCold());
            json.put("callWarmRatio", d.callWarm() / h.callWarm());
            md.append(String.format("CPU per request, devnet / Hardhat (below 1: the devnet spends less): transfers cold %.2fx, warm %.2fx; "
                            + "eth_call cold %.2fx, warm %.2fx.%n", d.txColdCpuUs() / h.txColdCpuUs(), d.txWarmCpuUs() / h.txWarmCpuUs(),
                    d.callColdCpuUs() / h.callColdCpuUs(), d.callWarmCpuUs() / h.callWarmCpuUs()));
            if (results.size() == 3) {
                Figures o = results.get(1);
                md.append(String.format("Opt-in row (%s) / Hardhat: transfers cold %.2fx, warm %.2fx; CPU per transfer cold %.2fx, warm %.2fx "
                                + "(Hardhat automines a block per transaction, so this is not the like-for-like figure).%n", o.node(),
                        o.txCold() / h.txCold(), o.txWarm() / h.txWarm(), o.txColdCpuUs() / h.txColdCpuUs(), o.txWarmCpuUs() / h.txWarmCpuUs()));
                json.put("optInTxColdRatio", o.txCold() / h.txCold());
                json.put("optInTxWarmRatio", o.txWarm() / h.txWarm());
            }
        }
        md.append("\nThe devnet's start-up includes the launcher (JDK lookup, the up-to-date check of the CLI jar) and the JVM with its start-up "
                + "cache; Hardhat's includes Node.js. CPU is the started process's own time until its first answer. Before either node, the client "
                + "code runs against a canned local answer so that its own JIT warm-up is in neither node's cold window.\n");
        Files.writeString(dir.resolve("devnet.md"), md.toString());
        Files.writeString(dir.resolve("devnet.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        System.out.print(md);
    }
}
