package dev.clearline.devnet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.Artifacts;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.accounts.DevAccounts;
import dev.clearline.devnet.compat.Chain;
import dev.clearline.devnet.compat.HardhatNode;
import dev.clearline.devnet.deploy.ContractSet;
import dev.clearline.devnet.deploy.Deployer;
import dev.clearline.devnet.deploy.DeploymentParameters;
import dev.clearline.devnet.node.NodeConfig;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Throughput of the embedded devnet against Hardhat's node on this machine, in the same run, with
 * the same client: signed token transfers per second through HTTP JSON-RPC (automine) and
 * eth_call per second, plus start-up time to the first answered request.
 *
 * <p>Args: {@code --txs N} transfers per node (default 2000), {@code --calls N} (default 10000),
 * {@code --threads N} client threads (default 4), {@code --no-hardhat}.
 */
public final class DevnetBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicLong ids = new AtomicLong();
    private final int txs;
    private final int calls;
    private final int threads;

    record Figures(String node, double startupMs, double txPerSecond, double callsPerSecond, int txs, int calls) {}

    private DevnetBenchmark(int txs, int calls, int threads) {
        this.txs = txs;
        this.calls = calls;
        this.threads = threads;
    }

    public static void main(String[] args) throws Exception {
        int txs = 2000;
        int calls = 10_000;
        int threads = 4;
        boolean hardhat = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--txs" -> txs = Integer.parseInt(args[++i]);
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--no-hardhat" -> hardhat = false;
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use --txs N --calls N --threads N --no-hardhat");
            }
        }
        DevnetBenchmark bench = new DevnetBenchmark(txs, calls, threads);
        List<Figures> results = new ArrayList<>();
        results.add(bench.devnet());
        if (hardhat) results.add(bench.hardhat());
        bench.write(results, String.join(" ", args));
    }

    private Figures devnet() throws Exception {
        long t0 = System.nanoTime();
        try (Devnet d = Devnet.start(Devnet.Options.http(NodeConfig.defaults(() -> System.currentTimeMillis() / 1000), 0))) {
            rpc(d.rpcUrl(), "eth_chainId", "[]");
            double startup = (System.nanoTime() - t0) / 1e6;
            return measure("clearline devnet", d.rpcUrl(), startup);
        }
    }

    private Figures hardhat() throws Exception {
        HardhatNode.start().close(); // first start installs node_modules if needed; not part of the figure
        long t0 = System.nanoTime();
        try (HardhatNode h = HardhatNode.start()) {
            double startup = (System.nanoTime() - t0) / 1e6;
            return measure("hardhat node 2.29.1 (EDR)", h.url(), startup);
        }
    }

    private Figures measure(String name, String url, double startupMs) throws Exception {
        System.err.println("== " + name + " at " + url + " (start-up " + Math.round(startupMs) + " ms)");
        DevAccounts keys = DevAccounts.defaults();
        Deployer.Result result = new Deployer(new HttpService(url), keys.first(), Artifacts.onClasspath(), Deployer.Settings.defaults(),
                m -> { }, System::currentTimeMillis)
                .deploy(ContractSet.standard(), DeploymentParameters.defaults(keys.first().getAddress(), Map.of()),
                        Files.createTempDirectory("bench").resolve("m.json"), true);
        if (!(result instanceof Deployer.Deployed deployed)) throw new IllegalStateException("deployment failed: " + result);
        String token = deployed.manifest().address("TestCollateral");
        List<Credentials> senders = keys.keys().subList(1, 1 + threads);
        for (Credentials s : senders) send(url, sign(keys.first(), nonce(url, keys.first()), token, Chain.mint(s.getAddress(), 1_000_000_000L)));

        int perThread = txs / threads;
        int warmup = Math.max(20, perThread / 10);
        List<List<String>> signed = new ArrayList<>();
        for (Credentials s : senders) {
            long n = nonce(url, s);
            List<String> mine = new ArrayList<>();
            for (int i = 0; i < warmup + perThread; i++) mine.add(sign(s, n + i, token, Chain.transfer(keys.keys().get(0).getAddress(), 1)));
            signed.add(mine);
        }
        runParallel(i -> { for (String raw : signed.get(i).subList(0, warmup)) send(url, raw); });
        long start = System.nanoTime();
        runParallel(i -> { for (String raw : signed.get(i).subList(warmup, warmup + perThread)) send(url, raw); });
        double txSeconds = (System.nanoTime() - start) / 1e9;
        BigInteger received = new BigInteger(rpc(url, "eth_call", "[{\"to\":\"" + token + "\",\"data\":\"" + Chain.balanceOf(keys.first().getAddress())
                + "\"},\"latest\"]").asText().substring(2), 16);
        long expected = (long) (warmup + perThread) * threads;
        if (received.longValueExact() != expected) {
            throw new IllegalStateException(name + ": the receiver holds " + received + " but " + expected + " transfers were sent");
        }

        String callBody = "[{\"to\":\"" + token + "\",\"data\":\"" + Chain.balanceOf(senders.get(0).getAddress()) + "\"},\"latest\"]";
        int callsPerThread = calls / threads;
        runParallel(i -> { for (int k = 0; k < Math.max(50, callsPerThread / 10); k++) rpc(url, "eth_call", callBody); });
        start = System.nanoTime();
        runParallel(i -> { for (int k = 0; k < callsPerThread; k++) rpc(url, "eth_call", callBody); });
        double callSeconds = (System.nanoTime() - start) / 1e9;
        Figures f = new Figures(name, startupMs, perThread * threads / txSeconds, callsPerThread * threads / callSeconds,
                perThread * threads, callsPerThread * threads);
        System.err.printf("   %.0f transfers/s, %.0f eth_call/s%n", f.txPerSecond(), f.callsPerSecond());
        return f;
    }

    @FunctionalInterface
    private interface Work {
        void run(int thread) throws Exception;
    }

    private void runParallel(Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> { work.run(id); return null; }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdown();
        }
    }

    private static String sign(Credentials key, long nonce, String to, String data) {
        return new Chain(null, 31337).signed(key, BigInteger.valueOf(nonce), to, data, 100_000);
    }

    private long nonce(String url, Credentials key) throws IOException, InterruptedException {
        return Long.decode(rpc(url, "eth_getTransactionCount", "[\"" + key.getAddress() + "\",\"pending\"]").asText());
    }

    private void send(String url, String raw) throws IOException, InterruptedException {
        rpc(url, "eth_sendRawTransaction", "[\"" + raw + "\"]");
    }

    private JsonNode rpc(String url, String method, String params) throws IOException, InterruptedException {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + ids.incrementAndGet() + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        JsonNode answer = JSON.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
        if (answer.has("error")) throw new IllegalStateException(method + " failed: " + answer.get("error"));
        return answer.get("result");
    }

    private void write(List<Figures> results, String args) throws IOException {
        Path dir = Path.of(System.getProperty("bench.out", "../bench-results"));
        Files.createDirectories(dir);
        String command = "./clearline bench devnet" + (args.isBlank() ? "" : " " + args);
        StringBuilder md = new StringBuilder("# devnet benchmark\n\n");
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, JDK ")
                .append(System.getProperty("java.version")).append(", ").append(Instant.now())
                .append(String.format(", load average %.1f at the end (other work shares the machine: figures move run to run)", load))
                .append("\n\n");
        md.append("Command: `").append(command).append("` (").append(threads).append(" client threads, JDK HttpClient over HTTP/1.1 to 127.0.0.1, "
                + "pre-signed EIP-1559 token transfers, automine; the same client code for every node)\n\n");
        md.append("| node | start-up to first answer (ms) | token transfers/s | eth_call/s |\n|---|---:|---:|---:|\n");
        for (Figures f : results) {
            md.append(String.format("| %s | %.0f | %.0f | %.0f |%n", f.node(), f.startupMs(), f.txPerSecond(), f.callsPerSecond()));
        }
        ObjectNode json = JSON.createObjectNode();
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("jdk", System.getProperty("java.version"));
        json.put("date", Instant.now().toString());
        json.put("loadAverage", load);
        json.put("command", command);
        json.set("results", JSON.valueToTree(results));
        if (results.size() == 2) {
            double txRatio = results.get(0).txPerSecond() / results.get(1).txPerSecond();
            double callRatio = results.get(0).callsPerSecond() / results.get(1).callsPerSecond();
            md.append(String.format("%nRatio devnet / Hardhat: transfers %.2fx, eth_call %.2fx (goal: at least 2x on both).%n", txRatio, callRatio));
            json.put("txRatio", txRatio);
            json.put("callRatio", callRatio);
        }
        md.append("\nHardhat's start-up includes launching Node.js; the devnet's is in-process (`Devnet.start` to the first HTTP answer).\n");
        Files.writeString(dir.resolve("devnet.md"), md.toString());
        Files.writeString(dir.resolve("devnet.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        System.out.print(md);
    }
}
