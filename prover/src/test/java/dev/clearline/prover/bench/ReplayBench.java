package dev.clearline.prover.bench;

import dev.clearline.testkit.bench.MachineIdle;
import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.L1Source;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.prover.replay.ReplayListener;
import dev.clearline.prover.replay.Replayer;
import dev.clearline.prover.replay.SignaturesAhead;
import dev.clearline.prover.replay.TreeHelper;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.prover.store.ReplayStore;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Replay throughput: transitions verified per second from L1 calldata (batch headers and calldata
 * as {@code RollupLog} hands them over; the RPC fetch is not in the figure), on one thread.
 * {@code ./clearline bench prover [small | --transitions N] [fills] [deposits] [orders]} writes bench-results/prover-replay.{md,json}
 * when run as the README quotes it (no argument), and prover-replay-trial.{md,json} (not kept in git) for any other run, so a
 * quick trial no longer overwrites the published figures.
 *
 * <p>Rows, per workload: the watcher's replay in memory ({@code BatchVerifier.verify}: split,
 * decode, check the header, apply once with the writes held apart, compute the root, keep it), the same
 * through the persistent watcher ({@code Replayer} over a RocksDB {@code ReplayStore}), and as the
 * reference the STF alone on the same transitions (apply once, one root per batch), with the ratio.
 * Workloads: {@code fills} (Trade transitions between orders already in the state, as engine's STF
 * benchmark), {@code deposits} (priority ops from genesis) and {@code orders} (each fill after the
 * PostOrders of its two signed orders, replayed with the native and the Bouncy Castle signature
 * recovery). The machine's idle share during each measurement is printed beside it.
 */
public final class ReplayBench {
    private static final int BATCH = 1_000;
    private static final int MARKETS = 4;
    private static final Eip712 DOMAIN = new Eip712(1, Address.fromHex("0x00000000000000000000000000000000000000aa"));

    record Row(String workload, String what, double value, String unit, String goal, double idle, String notes) {}

    private ReplayBench() {}

    /**
     * Arguments: {@code small} (20,000 fill transitions instead of 400,000), {@code --transitions N}
     * (any size from 2,000, in transitions of the fills workload; deposits get half, orders a quarter
     * of it in fills), {@code --node-cache N} (decoded nodes the persistent rows' stores keep, as
     * {@code watch --node-cache}; default {@link ReplayStore#DEFAULT_CACHED_NODES}), and workload names
     * ({@code fills}, {@code deposits}, {@code orders}) to run only those. Anything else is refused with
     * what to pass.
     */
    public static void main(String[] args) throws Exception {
        int transitions = 400_000;
        int nodeCache = ReplayStore.DEFAULT_CACHED_NODES;
        java.util.Set<String> only = new java.util.LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "small" -> transitions = 20_000;
                case "--transitions" -> {
                    if (i + 1 >= args.length || !args[i + 1].matches("[0-9_,]+")) {
                        throw new IllegalArgumentException("--transitions needs a number of transitions, e.g. --transitions 50000");
                    }
                    transitions = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
                    if (transitions < 2_000) throw new IllegalArgumentException("--transitions must be 2000 or more (two batches), got " + transitions);
                }
                case "--node-cache" -> {
                    if (i + 1 >= args.length || !args[i + 1].matches("[0-9_,]+")) {
                        throw new IllegalArgumentException("--node-cache needs a number of nodes, e.g. --node-cache 4194304");
                    }
                    nodeCache = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
                    if (nodeCache < ReplayStore.MIN_CACHED_NODES || nodeCache > ReplayStore.MAX_CACHED_NODES) {
                        throw new IllegalArgumentException("--node-cache must be " + ReplayStore.MIN_CACHED_NODES + " to " + ReplayStore.MAX_CACHED_NODES
                                + ", got " + nodeCache);
                    }
                }
                case "fills", "deposits", "orders" -> only.add(args[i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; pass small, --transitions N, --node-cache N, or workload names among fills, deposits, orders");
            }
        }
        Path out = Path.of(System.getProperty("bench.out", "bench-results"));
        List<Row> rows = new ArrayList<>();
        if (only.isEmpty() || only.contains("fills")) rows.addAll(workload("fills", transitions, nodeCache, ReplayBench::fillsGenesis, ReplayBench::fills));
        if (only.isEmpty() || only.contains("deposits")) rows.addAll(workload("deposits", transitions / 2, nodeCache, n -> new WriteSet(), ReplayBench::deposits));
        if (only.isEmpty() || only.contains("orders")) rows.addAll(orderFlow(transitions / 4, nodeCache));
        write(out, stem(args), rows, "./clearline bench prover" + (args.length > 0 ? " " + String.join(" ", args) : ""), transitions);
    }

    /** The report's file name: the published one for the full run the README quotes, a trial's for any other. */
    static String stem(String[] args) {
        return args.length == 0 ? "prover-replay" : "prover-replay-trial";
    }

    private interface Transitions {
        List<Transition> make(int n);
    }

    private static List<Row> workload(String name, int n, int nodeCache, IntFunction<WriteSet> genesis, Transitions make) throws IOException {
        Stf stf = new Stf(DOMAIN, new BouncyCastleVerifier());
        List<Transition> ts = make.make(n);
        System.out.printf(Locale.ROOT, "%s: building %,d transitions into batches of %,d%n", name, n, BATCH);
        List<PostedBatch> posted = build(name, stf, genesis.apply(n), ts);
        long calldataBytes = posted.stream().mapToLong(p -> p.calldata().length).sum();

        List<Row> rows = new ArrayList<>();
        // Warm up the JIT on a copy, then measure.
        replayInMemory(stf, genesis.apply(n), posted.subList(0, Math.min(posted.size(), 20)));
        replayInMemory(stf, genesis.apply(n), posted.subList(0, Math.min(posted.size(), 20)), null);
        // The A/B pair alternated, best of two each: a row measured first pays for the state built just before it.
        Measured oneThread = replayInMemory(stf, genesis.apply(n), posted, null);
        Measured replay = replayInMemory(stf, genesis.apply(n), posted);
        oneThread = faster(oneThread, replayInMemory(stf, genesis.apply(n), posted, null));
        replay = faster(replay, replayInMemory(stf, genesis.apply(n), posted));
        long[] hashing = new long[2];
        Measured reference = stfAlone(stf, genesis.apply(n), posted, hashing);
        double nodeHashNanos = keccakNodeNanos();
        Measured persistent = replayPersistent(stf, genesis.apply(n), posted, nodeCache);
        String shape = String.format(Locale.ROOT, "%,d transitions in %,d batches, %,d calldata bytes", n, posted.size(), calldataBytes);
        rows.add(new Row(name, "replay from calldata, in memory", n / replay.seconds, "transitions/s", ">= 100,000", replay.idle,
                shape + String.format(Locale.ROOT, "; the tree computes each batch's version on a fork-join pool of one thread per core (TreeHelper, as every replay runs); "
                                + "%,.0f transitions per CPU-second of the process (%,.0f of the replay thread); %.2fx the STF alone; "
                                + "%.2fx the replay with the tree on its own thread", n / replay.processCpuSeconds, n / replay.cpuSeconds,
                        (n / replay.seconds) / (n / reference.seconds), oneThread.seconds / replay.seconds)));
        rows.add(new Row(name, "replay from calldata, in memory, one thread", n / oneThread.seconds, "transitions/s", ">= 100,000", oneThread.idle,
                String.format(Locale.ROOT, "the same with the tree on the replay thread (as before the pool; the two rows alternated, best of two each): %,.0f transitions per CPU-second; %.2fx the STF alone",
                        n / oneThread.cpuSeconds, (n / oneThread.seconds) / (n / reference.seconds))));
        rows.add(new Row(name, "replay from calldata, persistent (RocksDB)", n / persistent.seconds, "transitions/s", ">= 100,000", persistent.idle,
                String.format(Locale.ROOT, "Replayer over a ReplayStore in a temporary directory, one mark per batch (one sync of the tree's log, "
                                + "one synced progress write), node cache %,d; %,.0f transitions per CPU-second of the replay thread, %.2fx the in-memory replay's "
                                + "per CPU-second (a ratio a loaded machine keeps); %.2fx the STF alone",
                        nodeCache, n / persistent.cpuSeconds, replay.cpuSeconds / persistent.cpuSeconds, (n / persistent.seconds) / (n / reference.seconds))));
        rows.add(new Row(name, "reference: STF alone", n / reference.seconds, "transitions/s", "-", reference.idle,
                String.format(Locale.ROOT, "Stf.apply on the decoded transitions, one root per batch, all on one thread (the one-thread replay's ceiling); "
                        + "%,.0f transitions per CPU-second", n / reference.cpuSeconds)));
        double perTransition = (hashing[0] + hashing[1]) / (double) n;
        rows.add(new Row(name, "reference: hashing ceiling", 1e9 / (perTransition * nodeHashNanos), "transitions/s", "-", reference.idle,
                String.format(Locale.ROOT, "what one core does if it only hashes the tree's nodes: %.1f internal nodes and %.1f leaves hashed per "
                        + "transition (measured, one root per batch), at %.0f ns per 65-byte Keccak (measured in this run); the value hashes "
                        + "(one permutation per 136 bytes of leaf value) and everything else come on top", hashing[0] / (double) n,
                        hashing[1] / (double) n, nodeHashNanos)));
        rows.forEach(r -> System.out.printf(Locale.ROOT, "%s / %s: %,.0f %s (idle %.0f%%) %s%n", r.workload, r.what, r.value, r.unit, 100 * r.idle,
                r.notes));
        return rows;
    }

    /**
     * The batches a sequencer posts for {@code ts}. The builder and its tree (every version it made)
     * are garbage once this returns: the replays measured next do not share the heap with them.
     */
    private static List<PostedBatch> build(String name, Stf stf, WriteSet genesis, List<Transition> ts) {
        BatchBuilder builder = new BatchBuilder(stf, seeded(genesis), new BatchPolicy(BATCH, 60));
        for (int i = 0; i < ts.size(); i++) {
            if (!builder.append(ts.get(i), 0).applied()) throw new AssertionError(name + " transition " + i + " was refused: " + ts.get(i));
            if (i % BATCH == BATCH - 1) builder.seal();
        }
        builder.seal();
        List<PostedBatch> posted = new ArrayList<>();
        for (Batch b : builder.takeSealed()) posted.add(new PostedBatch(b.header(), b.calldata()));
        return posted;
    }

    /**
     * The order flow: every fill preceded by the PostOrders of its two orders (signed EIP-712 orders
     * from 200 funded traders), so a third of the transitions are fills and two thirds carry a
     * signature to recover. Replayed in memory twice, with the Bouncy Castle verifier and with the
     * native libsecp256k1 one: the roots are the same, the signature recovery's cost is not.
     */
    private static List<Row> orderFlow(int fills, int nodeCache) throws IOException {
        Stf build = new Stf(DOMAIN, new NativeSecp256k1Verifier());
        List<Signer> traders = new ArrayList<>();
        for (int i = 0; i < TRADERS; i++) traders.add(new Signer(java.math.BigInteger.valueOf(1_000_003L + i)));
        List<Transition> ts = new ArrayList<>(3 * fills);
        SplittableRandom rng = new SplittableRandom(11);
        for (int i = 0; i < fills; i++) {
            int m = 1 + rng.nextInt(MARKETS);
            Signer a = traders.get(rng.nextInt(TRADERS));
            Signer b = traders.get((traders.indexOf(a) + 1 + rng.nextInt(TRADERS - 1)) % TRADERS);
            long price = 10_000 + rng.nextInt(-50, 51);
            Order sell = new Order(a.address(), m, Side.SELL, price, 5, 0, TimeInForce.GTC, 0, 0, 2L * i + 1, 100_000);
            Order buy = new Order(b.address(), m, Side.BUY, price, 5, 0, TimeInForce.GTC, 0, 0, 2L * i + 2, 100_000);
            ts.add(new Transition.PostOrder(sell, a.sign(DOMAIN.orderDigest(sell))));
            ts.add(new Transition.PostOrder(buy, b.sign(DOMAIN.orderDigest(buy))));
            ts.add(new Transition.Trade(2L * i + 1, 2L * i + 2, 5));
        }
        int n = ts.size();
        System.out.printf(Locale.ROOT, "orders: building %,d transitions (%,d fills with their PostOrders) into batches of %,d%n", n, fills, BATCH);
        List<PostedBatch> posted = build("orders", build, orderGenesis(traders), ts);
        long calldataBytes = posted.stream().mapToLong(p -> p.calldata().length).sum();
        Stf bc = new Stf(DOMAIN, new BouncyCastleVerifier());
        replayInMemory(build, orderGenesis(traders), posted.subList(0, Math.min(posted.size(), 5)));
        replayInMemory(bc, orderGenesis(traders), posted.subList(0, Math.min(posted.size(), 5)));
        Stf ahead;
        try (SignaturesAhead sa = SignaturesAhead.onOtherCores()) {
            ahead = new Stf(DOMAIN, sa);
            replayInMemory(ahead, orderGenesis(traders), posted.subList(0, Math.min(posted.size(), 5)));
        }
        SignaturesAhead signaturesAhead = SignaturesAhead.onOtherCores();
        ahead = new Stf(DOMAIN, signaturesAhead);
        Measured nativeReplay = replayInMemory(build, orderGenesis(traders), posted, null); // everything on the replay thread
        Measured aheadReplay;
        Measured aheadOneThreadTree;
        try (signaturesAhead) {
            aheadOneThreadTree = replayInMemory(ahead, orderGenesis(traders), posted, null);
            aheadReplay = replayInMemory(ahead, orderGenesis(traders), posted);
            aheadOneThreadTree = faster(aheadOneThreadTree, replayInMemory(ahead, orderGenesis(traders), posted, null));
            aheadReplay = faster(aheadReplay, replayInMemory(ahead, orderGenesis(traders), posted));
        }
        Measured bcReplay = replayInMemory(bc, orderGenesis(traders), posted, null);
        // what `./clearline watch` runs: the persistent Replayer over RocksDB with signers recovered ahead
        Measured watcher;
        try (SignaturesAhead sa = SignaturesAhead.onOtherCores()) {
            watcher = replayPersistent(new Stf(DOMAIN, sa), orderGenesis(traders), posted, nodeCache);
        }
        String shape = String.format(Locale.ROOT, "%,d transitions (%,d fills, %,d PostOrders) in %,d batches, %,d calldata bytes", n, fills, 2 * fills,
                posted.size(), calldataBytes);
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("orders", "replay from calldata, in memory, native secp256k1, one thread", n / nativeReplay.seconds, "transitions/s", ">= 100,000",
                nativeReplay.idle, shape + String.format(Locale.ROOT, "; %,.0f transitions per CPU-second", n / nativeReplay.cpuSeconds)));
        rows.add(new Row("orders", "replay from calldata, in memory, native, signers recovered ahead", n / aheadReplay.seconds, "transitions/s",
                ">= 100,000", aheadReplay.idle, String.format(Locale.ROOT, "SignaturesAhead: %d worker thread(s) recover each batch's signers while"
                        + " the replay thread applies it, and the tree's pool computes each version, as the CLI's replays run;"
                        + " %,.0f transitions per CPU-second of the replay thread; %.2fx the one-thread replay's rate in the same run;"
                        + " with the tree on the replay thread %,.0f/s (%.0f%% idle)", signaturesAhead.threads(), n / aheadReplay.cpuSeconds,
                        nativeReplay.seconds / aheadReplay.seconds, n / aheadOneThreadTree.seconds, 100 * aheadOneThreadTree.idle)));
        rows.add(new Row("orders", "replay from calldata, persistent (RocksDB), signers recovered ahead", n / watcher.seconds, "transitions/s",
                ">= 100,000", watcher.idle, String.format(Locale.ROOT, "what ./clearline watch runs: the Replayer over a ReplayStore, one mark per"
                        + " batch, with SignaturesAhead, node cache %,d; %,.0f transitions per CPU-second of the replay thread", nodeCache, n / watcher.cpuSeconds)));
        rows.add(new Row("orders", "replay from calldata, in memory, Bouncy Castle", n / bcReplay.seconds, "transitions/s", ">= 100,000", bcReplay.idle,
                String.format(Locale.ROOT, "%,.0f transitions per CPU-second; native/Bouncy Castle %.2fx (CPU)", n / bcReplay.cpuSeconds,
                        bcReplay.cpuSeconds / nativeReplay.cpuSeconds)));
        rows.forEach(r -> System.out.printf(Locale.ROOT, "%s / %s: %,.0f %s (idle %.0f%%) %s%n", r.workload, r.what, r.value, r.unit, 100 * r.idle,
                r.notes));
        return rows;
    }

    private static final int TRADERS = 200;

    /** The markets of the fills workload and a large free balance for every trader. */
    private static WriteSet orderGenesis(List<Signer> traders) {
        WriteSet ws = new WriteSet();
        for (int m = 1; m <= MARKETS; m++) {
            ws.put(StateKeys.market(m), new MarketLeaf(1, 1, 100_000, 50_000, 100, 200, 0,
                    Address.fromHex("0x00000000000000000000000000000000000000bb"), 10_000, 0, 1, 0).encode());
        }
        for (Signer t : traders) ws.put(StateKeys.balance(t.address()), new BalanceLeaf(1_000_000_000_000L, 0).encode());
        return ws;
    }

    /** @param cpuSeconds the measuring thread's CPU; {@code processCpuSeconds} every thread's (a tree helper's and signature workers' too) */
    private record Measured(double seconds, double cpuSeconds, double processCpuSeconds, double idle) {}

    /** Thread-CPU nanoseconds per internal-node hash (keccak of 65 bytes), after a warm-up. */
    private static double keccakNodeNanos() {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        for (int i = 0; i < 200_000; i++) a = dev.clearline.tree.hash.TreeHash.node(a, b);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int n = 2_000_000;
        long cpu0 = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) a = dev.clearline.tree.hash.TreeHash.node(a, b);
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        if (a[0] == 42 && a[1] == 42 && a[2] == 42 && a[3] == 42) System.out.print(""); // keeps the loop's result alive
        return cpu / (double) n;
    }

    /** The quicker of two measurements of the same thing. */
    private static Measured faster(Measured a, Measured b) {
        return a.seconds <= b.seconds ? a : b;
    }

    private static Measured measure(Runnable run) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        MachineIdle idle = new MachineIdle();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long process0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        run.run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        double process = (os.getProcessCpuTime() - process0) / 1e9;
        return new Measured(seconds, cpu, process, idle.share());
    }

    private static Measured replayInMemory(Stf stf, WriteSet genesis, List<PostedBatch> posted) {
        return replayInMemory(stf, genesis, posted, TreeHelper.forThisMachine());
    }

    /** @param treeHelper the verifier tree's pool ({@code null}: the tree hashes on the replay thread alone) */
    private static Measured replayInMemory(Stf stf, WriteSet genesis, List<PostedBatch> posted, java.util.concurrent.ForkJoinPool treeHelper) {
        MemoryNodeStore nodes = seeded(genesis);
        BatchVerifier verifier = new BatchVerifier(stf, nodes, treeHelper);
        return measure(() -> {
            for (int k = 0; k < posted.size(); k++) {
                PostedBatch p = posted.get(k);
                // as the watcher's Replayer does: the next batch's signers are recovered meanwhile (a SignaturesAhead STF only)
                if (k == 0) verifier.prefetch(p);
                if (k + 1 < posted.size()) verifier.prefetch(posted.get(k + 1));
                Verdict v = verifier.verify(p);
                if (!v.honest()) throw new AssertionError("an honest batch was judged " + v);
                // one version kept, as verify-batches runs (the persistent watcher prunes what no dispute can ask for):
                // without it the heap holds every batch's nodes and the collector takes the second core
                verifier.forgetHistory();
            }
        });
    }

    /** @param hashing gets the internal nodes hashed [0] and the leaves written [1] over all batches */
    private static Measured stfAlone(Stf stf, WriteSet genesis, List<PostedBatch> posted, long[] hashing) {
        List<List<Transition>> decoded = new ArrayList<>();
        for (PostedBatch p : posted) {
            List<Transition> ts = new ArrayList<>();
            byte[] c = p.calldata();
            for (int at = 0; at < c.length; ) {
                int len = TransitionCodec.lengthOf(c[at] & 0xff);
                try {
                    ts.add(TransitionCodec.decode(Arrays.copyOfRange(c, at, at + len)));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                at += len;
            }
            decoded.add(ts);
        }
        TreeLeafStore store = new TreeLeafStore(new SparseMerkleTree(seeded(genesis)));
        long[] index = {0};
        Measured m = measure(() -> {
            for (List<Transition> batch : decoded) {
                for (Transition t : batch) if (!stf.apply(store, t, index[0]).applied()) throw new AssertionError("refused: " + t);
                TreeLeafStore.Prepared p = store.prepare();
                hashing[0] += p.internalNodesHashed();
                hashing[1] += p.leavesWritten();
                store.commit(p);
                store.tree().prune(store.tree().latestVersion()); // one version kept, as the replay rows keep
                index[0]++;
            }
        });
        return m;
    }

    private static Measured replayPersistent(Stf stf, WriteSet genesis, List<PostedBatch> posted, int nodeCache) throws IOException {
        Path dir = Files.createTempDirectory("clearline-replay-bench");
        try (ReplayStore store = ReplayStore.open(dir, "bench", nodeCache)) {
            if (genesis.size() > 0) new SparseMerkleTree(store.nodes()).commit(genesis);
            // The genesis version is not a mark: record it as one so the store keeps it on open.
            store.record(new dev.clearline.prover.store.BlockMark(0, String.format("0x%064x", 0), store.nodes().latestVersion(), 0), List.of(), 1_000_000);
            Replayer replayer = new Replayer(new MemoryL1(posted), store, stf, new Replayer.Settings(1, 1, 64), new ReplayListener() { });
            return measure(() -> {
                try {
                    Replayer.Poll poll = replayer.poll();
                    if (poll.fraud() != 0 || poll.batchesJudged() != posted.size()) throw new AssertionError("persistent replay: " + poll);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One batch per block, from block 1. */
    private record MemoryL1(List<PostedBatch> batches) implements L1Source {
        @Override
        public long head() {
            return batches.size();
        }

        @Override
        public Optional<String> blockHash(long block) {
            return Optional.of(String.format("0x%064x", block));
        }

        @Override
        public List<RollupLog.Posted> batches(long from, long to) {
            List<RollupLog.Posted> out = new ArrayList<>();
            for (long b = Math.max(1, from); b <= to && b <= batches.size(); b++) {
                out.add(new RollupLog.Posted(batches.get((int) b - 1), b, b, String.format("0x%064x", b))); // the rollup numbers its submissions from 1
            }
            return out;
        }
    }

    private static MemoryNodeStore seeded(WriteSet genesis) {
        MemoryNodeStore nodes = new MemoryNodeStore();
        if (genesis.size() > 0) new SparseMerkleTree(nodes).commit(genesis);
        return nodes;
    }

    // ------------------------------------------------------------------ workloads

    private static final int OWNERS = 10_000;

    private static Address owner(int i) {
        byte[] a = new byte[20];
        a[0] = 2;
        a[17] = (byte) (i >>> 16);
        a[18] = (byte) (i >>> 8);
        a[19] = (byte) i;
        return new Address(a);
    }

    /** Markets, funded positions and the orders every fill names (as engine's STF benchmark builds them). */
    private static WriteSet fillsGenesis(int pairs) {
        WriteSet ws = new WriteSet();
        for (int m = 1; m <= MARKETS; m++) {
            ws.put(StateKeys.market(m), new MarketLeaf(1, 1, 100_000, 50_000, 100, 200, 0,
                    Address.fromHex("0x00000000000000000000000000000000000000bb"), 10_000, 0, 1, 0).encode());
        }
        byte[] position = new PositionLeaf(0, 1_000_000_000L, 0).encode();
        for (int i = 0; i < OWNERS; i++) for (int m = 1; m <= MARKETS; m++) ws.put(StateKeys.position(owner(i), m), position);
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < pairs; i++) {
            int m = 1 + rng.nextInt(MARKETS);
            int a = rng.nextInt(OWNERS);
            int b = (a + 1 + rng.nextInt(OWNERS - 1)) % OWNERS;
            long price = 10_000 + rng.nextInt(-50, 51);
            ws.put(StateKeys.orderState(2L * i + 1), order(owner(a), m, i % 2 == 0, price).encode());
            ws.put(StateKeys.orderState(2L * i + 2), order(owner(b), m, i % 2 != 0, price).encode());
        }
        return ws;
    }

    /** Each fill uses its own order pair from the genesis state. */
    private static List<Transition> fills(int n) {
        List<Transition> ts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) ts.add(new Transition.Trade(2L * i + 1, 2L * i + 2, 5));
        return ts;
    }

    private static OrderLeaf order(Address trader, int market, boolean isBuy, long price) {
        return new OrderLeaf(trader, market, isBuy, price, 10, 0, dev.clearline.engine.order.Peg.NONE, 0,
                dev.clearline.engine.order.TimeInForce.GTC, 0, 0, 0, false);
    }

    private static List<Transition> deposits(int n) {
        List<Transition> ts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) ts.add(new Transition.Deposit(i, 0, owner(i % OWNERS), 1_000 + i));
        return ts;
    }

    // ------------------------------------------------------------------ report

    private static void write(Path dir, String stem, List<Row> rows, String command, int transitions) throws IOException {
        Files.createDirectories(dir);
        String when = Instant.now().toString();
        String machine = Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.vm.version");
        StringBuilder md = new StringBuilder();
        md.append("# prover: replay from L1 calldata\n\n");
        md.append("Machine: ").append(machine).append(", ").append(when).append(". Command: `").append(command).append("`. ")
                .append("One replay thread (the rows with signers recovered ahead add worker threads); batches of ").append(BATCH).append(" transitions as L1 holds them (header + calldata), the RPC fetch excluded. ")
                .append("Idle = the machine's idle share during that measurement (from /proc/stat): figures are meaningful only near 100% "
                        + "minus one core's share.\n\n");
        md.append("| workload | measurement | value | unit | goal | idle | notes |\n| --- | --- | ---: | --- | --- | ---: | --- |\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %s | %s | %.0f%% | %s |%n", r.workload, r.what, r.value, r.unit, r.goal,
                    100 * r.idle, r.notes));
        }
        md.append("\nThe replay applies every batch once: its writes are held apart while it is judged, its root is computed "
                + "without writing, and only an honest batch is kept. The STF row is the one-thread ceiling; see bench-results/prover-replay-profile.md "
                + "for where a fill's time goes.\n");
        Files.writeString(dir.resolve(stem + ".md"), md.toString(), StandardCharsets.UTF_8);

        StringBuilder json = new StringBuilder("{\n  \"date\": \"" + when + "\",\n  \"command\": \"" + command + "\",\n  \"machine\": \""
                + machine + "\",\n  \"transitions\": " + transitions + ",\n  \"rows\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            json.append(String.format(Locale.ROOT, "    {\"workload\": \"%s\", \"measurement\": \"%s\", \"value\": %.1f, \"unit\": \"%s\", "
                            + "\"goal\": \"%s\", \"idleShare\": %.3f, \"notes\": \"%s\"}%s%n", r.workload, r.what, r.value, r.unit, r.goal, r.idle,
                    r.notes.replace("\"", "'"), i + 1 < rows.size() ? "," : ""));
        }
        json.append("  ]\n}\n");
        Files.writeString(dir.resolve(stem + ".json"), json.toString(), StandardCharsets.UTF_8);
        System.out.println("wrote " + dir.resolve(stem + ".md") + " and " + stem + ".json");
    }
}
