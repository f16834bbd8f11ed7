package dev.clearline.sequencer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.Genesis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one sequencer: the single-member cluster node, the gateway and the trader API in this JVM.
 * <pre>
 *   sequencer [--dir DIR] [--host 127.0.0.1] [--port 8480] [--chain-id 31337] [--rollup 0x..]
 *             [--verify-threads N] [--rate-per-key 2000] [--snapshot-every 60] [--dev-setup N]
 * </pre>
 * {@code --dev-setup N} lists market 1 and credits dev traders 0..N-1 on a fresh state (dev keys,
 * see {@link DevAccounts}). Prints {@code SEQUENCER_READY port=P seq=S} once it serves.
 * The JVM needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (the launcher adds it).
 */
public final class SequencerMain {
    private SequencerMain() {}

    public static void main(String[] args) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) System.setProperty("logback.configurationFile", "sequencer-logback.xml");
        Map<String, String> opts = parse(args);
        if (opts == null) {
            System.err.println("usage: sequencer [--dir DIR] [--host 127.0.0.1] [--port 8480] [--chain-id 31337] [--rollup 0x..]"
                    + " [--verify-threads N] [--rate-per-key 2000] [--snapshot-every 60] [--dev-setup N]");
            System.exit(2);
        }
        Path dir = Path.of(opts.getOrDefault("dir", System.getProperty("user.home") + "/.clearline/sequencer"));
        Genesis dev = Genesis.devnet(Address.fromHex(opts.getOrDefault("rollup", "0x5FbDB2315678afecb367f032d93F642f64180aa3")));
        Genesis genesis = new Genesis(Long.parseLong(opts.getOrDefault("chain-id", "31337")), dev.verifyingContract(), dev.books(), dev.batches());
        int verifyThreads = Integer.parseInt(opts.getOrDefault("verify-threads", String.valueOf(Runtime.getRuntime().availableProcessors())));
        double rate = Double.parseDouble(opts.getOrDefault("rate-per-key", "2000"));
        long snapshotEvery = Long.parseLong(opts.getOrDefault("snapshot-every", "60"));
        int devTraders = Integer.parseInt(opts.getOrDefault("dev-setup", "0"));

        SequencerNode node = SequencerNode.start(new NodeConfig(dir, genesis, 0, 0, 0, 0, 0), new NativeSecp256k1Verifier());
        Gateway gateway = new Gateway(node.config().aeronDir(), node.config().ingressEndpoints(), genesis.domain(),
                new NativeSecp256k1Verifier(), verifyThreads);
        ObjectNode state = gateway.query(Command.QueryKind.STATE, 0, null, null).get(60, TimeUnit.SECONDS);
        if (devTraders > 0 && state.path("seq").asLong() == 0) devSetup(gateway, genesis.domain(), devTraders);
        TraderApi api = new TraderApi(gateway, new RateLimiter(rate, rate, System::nanoTime),
                opts.getOrDefault("host", "127.0.0.1"), Integer.parseInt(opts.getOrDefault("port", "8480")), 64 * 1024);

        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                api.close();
                gateway.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
            node.close();
            stop.countDown();
        }, "shutdown"));
        long seq = gateway.query(Command.QueryKind.STATE, 0, null, null).get(60, TimeUnit.SECONDS).path("seq").asLong();
        System.out.println("SEQUENCER_READY port=" + api.port() + " seq=" + seq);
        System.out.flush();
        // outside the state machine: wall-clock ticks (batch sealing by age) and periodic snapshots
        long lastSnapshot = System.nanoTime();
        while (!stop.await(1, TimeUnit.SECONDS)) {
            long now = System.currentTimeMillis() / 1000;
            gateway.submit((id, s) -> new Command.TimeTick(id, s, now));
            if (snapshotEvery > 0 && System.nanoTime() - lastSnapshot > TimeUnit.SECONDS.toNanos(snapshotEvery)) {
                node.requestSnapshot();
                lastSnapshot = System.nanoTime();
            }
        }
    }

    /** Lists market 1 (tick 100, lot 1000) with the dev oracle and credits dev traders 0..traders-1. */
    public static void devSetup(Gateway gateway, Eip712 domain, int traders) throws Exception {
        Signer oracle = DevAccounts.oracle();
        List<java.util.concurrent.CompletableFuture<ObjectNode>> done = new ArrayList<>();
        long p = 0;
        long pi = p++;
        done.add(gateway.submit((id, s) -> new Command.L1Op(id, s,
                new Transition.MarketConfig(pi, 0, 1, 100, 1_000, 100_000, 50_000, 200, 500, oracle.address()))));
        for (int i = 0; i < traders; i++) {
            long index = p++;
            Address a = DevAccounts.trader(i).address();
            done.add(gateway.submit((id, s) -> new Command.L1Op(id, s, new Transition.Deposit(index, 0, a, 1_000_000_000_000L))));
        }
        long ts = System.currentTimeMillis() / 1000;
        Transition.OraclePrice price = new Transition.OraclePrice(1, 10_000, 0, ts, oracle.sign(domain.oraclePriceDigest(1, 10_000, 0, ts)));
        done.add(gateway.submit((id, s) -> new Command.Oracle(id, s, price)));
        for (var f : done) f.get(60, TimeUnit.SECONDS);
    }

    private static final java.util.Set<String> OPTIONS = java.util.Set.of("dir", "host", "port", "chain-id", "rollup",
            "verify-threads", "rate-per-key", "snapshot-every", "dev-setup");

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || !OPTIONS.contains(args[i].substring(2))) {
                System.err.println("sequencer: unknown option or missing value: " + args[i]);
                return null;
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
