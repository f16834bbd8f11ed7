package dev.clearline.sequencer.bench;

import dev.clearline.engine.exchange.SignatureStage;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.FastSigner;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.Reply;
import dev.clearline.sequencer.state.SequencerState;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cluster service's own work per order, without the network, the log or the gateway: the
 * state machine applying pre-verified {@code Place} commands (engine, STF mirror, Merkle tree,
 * batches, the API's views) and the reply's JSON, on this one thread, the way the service thread
 * does it. Measured in CPU-seconds of this thread, so other work on the machine stretches the wall
 * time but not the figure much. The orders are the acknowledgement benchmark's own.
 */
final class ServiceAlone {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * @param applyCpu CPU-seconds of the service thread in {@code SequencerState.apply}; {@code encodeCpu} in the
     *     reply's JSON; {@code treeCpu} of the tree worker's thread (0 when the tree runs on the service thread)
     * @param applyBytes bytes the service thread allocated in apply; {@code treeBytes} the tree worker
     * @param retainedBytes how much more heap is live after the measured orders than before them (each side
     *     after a full collection): what the state keeps of them
     */
    record Figures(boolean treeOnWorker, int orders, double applyCpu, double encodeCpu, double treeCpu, long applyBytes, long treeBytes, long encodeBytes,
            long retainedBytes) {
        /** Orders per CPU-second of the service thread: the single-threaded limit of the node. */
        double ordersPerCpuSecond() {
            return orders / (applyCpu + encodeCpu);
        }

        /** Microseconds of CPU per order on both threads together. */
        double totalUsPerOrder() {
            return (applyCpu + encodeCpu + treeCpu) * 1e6 / orders;
        }

        String describe() {
            return String.format(java.util.Locale.ROOT, "%,.0f orders per service-thread CPU-second: %.1f us apply + %.1f us JSON per order"
                    + " on the service thread, %.1f us on the tree worker (%.1f us in all); allocated %,d B per order on the service thread"
                    + " (apply; the reply's JSON %,d B more), %,d B on the tree worker; %,d B per order still live after a full collection",
                    ordersPerCpuSecond(), applyCpu * 1e6 / orders, encodeCpu * 1e6 / orders, treeCpu * 1e6 / orders, totalUsPerOrder(),
                    applyBytes / orders, encodeBytes / orders, treeBytes / orders, retainedBytes / orders);
        }
    }

    /** Alone, for a profiler: {@code ServiceAlone [warm-up orders] [measured orders]}. */
    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        List<FastSigner> signers = new ArrayList<>();
        for (int i = 0; i < SequencerBench.TRADERS; i++) signers.add(FastSigner.dev(i));
        boolean onWorker = args.length <= 2 || !args[2].equals("tree-inline");
        Figures f = measure(Genesis.devnet(dev.clearline.sequencer.Market.ROLLUP), signers, warmup, measured, onWorker);
        System.out.println((onWorker ? "tree on its worker: " : "tree on the service thread: ") + f.describe());
    }

    /**
     * {@code ./clearline bench sequencer alone [warm-up orders] [measured orders] [rounds] [--member-jvm]}: the
     * service alone, tree on its worker as a node runs it, {@code rounds} times (default 3) in one JVM, each
     * after its own warm-up; writes bench-results/sequencer-service-alone.md. Thread CPU, so a loaded
     * machine stretches it less than wall time: the quick A/B for a change to the state machine.
     * {@code --member-jvm} (read by the {@code clearline} script) runs it with a member's JVM flags
     * (member-jvm.options: C1 only, G1), which is what a cluster member's service thread runs.
     * {@code --expiring} compares, in each round (history in a file), orders that never expire with
     * orders that expire a few oracle seconds after they are placed, an oracle price every
     * {@value #ORACLE_EVERY} orders moving the clock on one second: once it passes an order's expiry the
     * state drops its hash (PruneOrderHash); writes bench-results/sequencer-expiring-orders.md.
     */
    static void bench(String[] args, String command) throws java.io.IOException {
        boolean expiringArms = java.util.Arrays.stream(args).anyMatch(a -> a.trim().equals("--expiring"));
        List<String> plain = new ArrayList<>();
        for (String a : args) if (!a.isBlank() && !a.trim().startsWith("--")) plain.add(a.trim());
        int warmup = plain.size() > 0 ? Integer.parseInt(plain.get(0)) : 20_000;
        int measured = plain.size() > 1 ? Integer.parseInt(plain.get(1)) : 20_000;
        int rounds = plain.size() > 2 ? Integer.parseInt(plain.get(2)) : 3;
        List<FastSigner> signers = new ArrayList<>();
        for (int i = 0; i < SequencerBench.TRADERS; i++) signers.add(FastSigner.dev(i));
        Genesis genesis = Genesis.devnet(dev.clearline.sequencer.Market.ROLLUP);
        List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:TieredStopAtLevel") || a.startsWith("-XX:+Use") && a.endsWith("GC") || a.startsWith("-Xmx")).toList();
        StringBuilder md = new StringBuilder(expiringArms ? "# sequencer: the service alone, orders that never expire against orders that do\n\n"
                : "# sequencer: the service alone\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(System.getProperty("java.vm.name"))
                .append(' ').append(System.getProperty("java.vm.version")).append(", ").append(java.time.Instant.now())
                .append(". Command: `./clearline bench sequencer ").append(command).append("`. JVM flags: ")
                .append(jvm.isEmpty() ? "the bench's defaults (C2)" : "`" + String.join(" ", jvm) + "`").append(".\n\n");
        md.append("`SequencerState.apply` of pre-verified `Place` orders that fill against resting ones (engine, STF mirror, Merkle tree on its"
                + " worker, batches, views), then their reply JSON, on one thread; CPU and allocation per order from the threads' own"
                + " counters, after a warm-up of ").append(String.format(Locale.ROOT, "%,d", warmup)).append(" orders per round.\n\n");
        if (expiringArms) {
            md.append("Each round twice, the command history in a file as a cluster member keeps it: orders without expiry, then orders"
                    + " that expire " + EXPIRY_AHEAD + " oracle seconds after the last price, with an oracle price every " + ORACLE_EVERY
                    + " orders moving the clock on one second (those prices are among the commands counted). Every order fills at once, so"
                    + " the exchange is done with it at once; an expiring order's hash leaves the state once the clock passes its expiry.\n\n");
        } else {
            md.append("Each round twice: the command history in a file, as a cluster member keeps it, then in the heap, as it was kept"
                    + " before (and still is outside a member).\n\n");
        }
        md.append("| round | ").append(expiringArms ? "orders" : "history").append(" | orders per service-thread CPU-second | apply us | JSON us | tree worker us | service B per order | JSON B | tree B | live heap kept per order | machine idle |\n");
        md.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (int r = 1; r <= rounds; r++) for (boolean arm : new boolean[] {true, false}) {
            boolean inFile = expiringArms || arm;
            boolean expiring = expiringArms && !arm;
            String armName = expiringArms ? (expiring ? "expiring" : "never expire") : inFile ? "file" : "heap";
            dev.clearline.testkit.bench.MachineIdle idle0 = dev.clearline.testkit.bench.MachineIdle.now();
            Figures f = measure(genesis, signers, warmup, measured, true, inFile, expiring);
            double idle = dev.clearline.testkit.bench.MachineIdle.now().percentSince(idle0);
            System.out.println("round " + r + " (" + armName + "): " + f.describe()
                    + String.format(Locale.ROOT, "; machine idle %.0f%%", idle));
            md.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %.1f | %.1f | %.1f | %,d | %,d | %,d | %,d B | %s |%n", r, armName, f.ordersPerCpuSecond(),
                    f.applyCpu() * 1e6 / f.orders(), f.encodeCpu() * 1e6 / f.orders(), f.treeCpu() * 1e6 / f.orders(),
                    f.applyBytes() / f.orders(), f.encodeBytes() / f.orders(), f.treeBytes() / f.orders(), f.retainedBytes() / f.orders(), idle < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", idle)));
        }
        java.nio.file.Path out = java.nio.file.Path.of("bench-results", expiringArms ? "sequencer-expiring-orders.md" : "sequencer-service-alone.md");
        java.nio.file.Files.createDirectories(out.getParent());
        java.nio.file.Files.writeString(out, md.toString());
        System.out.println("wrote " + out);
    }

    /** @param treeOnWorker the Merkle tree on its own thread, as the node runs it; false: on the service thread */
    static Figures measure(Genesis genesis, List<FastSigner> signers, int warmup, int measured, boolean treeOnWorker) {
        return measure(genesis, signers, warmup, measured, treeOnWorker, true);
    }

    /** An oracle price every this many orders in the {@code --expiring} arm, each one second on. */
    static final int ORACLE_EVERY = 500;
    /** How far past the last price an expiring order's expiry lies, in oracle seconds. */
    static final int EXPIRY_AHEAD = 2;

    /** @param historyInFile the command history in a file, as a cluster member keeps it; false: in the heap, as it was kept before */
    static Figures measure(Genesis genesis, List<FastSigner> signers, int warmup, int measured, boolean treeOnWorker, boolean historyInFile) {
        return measure(genesis, signers, warmup, measured, treeOnWorker, historyInFile, false);
    }

    /**
     * @param expiring orders expire {@link #EXPIRY_AHEAD} oracle seconds after the last price, and an
     *     oracle price every {@link #ORACLE_EVERY} orders moves the clock one second on
     */
    static Figures measure(Genesis genesis, List<FastSigner> signers, int warmup, int measured, boolean treeOnWorker, boolean historyInFile,
                           boolean expiring) {
        Eip712 domain = genesis.domain();
        java.nio.file.Path historyFile;
        try {
            historyFile = java.nio.file.Files.createTempFile("bench-history", "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        historyFile.toFile().deleteOnExit();
        SequencerState state = new SequencerState(genesis, new NativeSecp256k1Verifier(),
                historyInFile ? dev.clearline.sequencer.state.CommandHistory.inFile(historyFile) : dev.clearline.sequencer.state.CommandHistory.inMemory());
        if (treeOnWorker) state.moveTreeToWorker(Thread.ofPlatform().name("bench-tree").daemon().factory());
        long client = 1;
        long[] seq = {0};
        long ms = 1_700_000_000_000L;
        var oracle = DevAccounts.oracle();
        List<Command> opening = new ArrayList<>();
        long p = 0;
        opening.add(new Command.L1Op(client, ++seq[0], new Transition.MarketConfig(p++, 0, 1, 100, 1_000, 100_000, 50_000, 200, 500, oracle.address())));
        for (FastSigner s : signers) opening.add(new Command.L1Op(client, ++seq[0], new Transition.Deposit(p++, 0, s.address(), 1_000_000_000_000L)));
        long ts = ms / 1000;
        opening.add(new Command.Oracle(client, ++seq[0], new Transition.OraclePrice(1, 10_000, 0, ts, oracle.sign(domain.oraclePriceDigest(1, 10_000, 0, ts)))));
        for (Command c : opening) state.apply(c, ms);

        SignatureStage stage = new SignatureStage(domain, new NativeSecp256k1Verifier());
        List<Command> orders = new ArrayList<>(warmup + measured);
        long clock = ts;
        int warmCommands = warmup;
        for (int i = 0; i < warmup + measured; i++) {
            if (i == warmup) warmCommands = orders.size();
            if (expiring && i > 0 && i % ORACLE_EVERY == 0) {
                clock++;
                orders.add(new Command.Oracle(client, ++seq[0], new Transition.OraclePrice(1, 10_000, 0, clock, oracle.sign(domain.oraclePriceDigest(1, 10_000, 0, clock)))));
            }
            FastSigner s = signers.get(i % signers.size());
            Side side = (i / signers.size()) % 2 == 0 ? Side.BUY : Side.SELL;
            Order o = new Order(s.address(), 1, side, 10_000, 1_000, 0, TimeInForce.GTC, 0, expiring ? clock + EXPIRY_AHEAD : 0, 1_000_000 + i, 100_000);
            VerifiedOrder v = (VerifiedOrder) stage.verify(new SignedOrder(o, domain.chainId(), domain.verifyingContract(), s.sign(domain.orderDigest(o))));
            orders.add(new Command.Place(client, ++seq[0], v));
        }
        // as the service gets them: each command with the bytes it came in (the history keeps those), replies into one kept buffer
        List<byte[]> encoded = new ArrayList<>(orders.size());
        for (Command c : orders) encoded.add(dev.clearline.sequencer.command.CommandCodec.encode(c));
        ReplyCodec.Writer writer = new ReplyCodec.Writer();
        long sink = 0;
        for (int i = 0; i < warmCommands; i++) sink += writer.write(state.apply(orders.get(i), ms + i, encoded.get(i), 0, encoded.get(i).length));
        state.stateRoot(); // the tree worker has caught up with the warm-up
        long live0 = liveHeapBytes();
        Reply[] replies = new Reply[orders.size() - warmCommands]; // the measured orders and, expiring, their oracle prices
        long self = Thread.currentThread().threadId();
        long tree = treeOnWorker ? state.treeThread().threadId() : -1;
        long tree0 = tree < 0 ? 0 : THREADS.getThreadCpuTime(tree);
        long treeBytes0 = tree < 0 ? 0 : THREADS.getThreadAllocatedBytes(tree);
        long bytes0 = THREADS.getThreadAllocatedBytes(self);
        long t0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < replies.length; i++) {
            byte[] b = encoded.get(warmCommands + i);
            replies[i] = state.apply(orders.get(warmCommands + i), ms + warmCommands + i, b, 0, b.length);
        }
        long t1 = THREADS.getCurrentThreadCpuTime();
        long bytes1 = THREADS.getThreadAllocatedBytes(self);
        state.stateRoot(); // waits for the worker (the root's own hashing is on this thread, not counted: a seal's share)
        long tree1 = tree < 0 ? 0 : THREADS.getThreadCpuTime(tree);
        long treeBytes1 = tree < 0 ? 0 : THREADS.getThreadAllocatedBytes(tree);
        long t1b = THREADS.getCurrentThreadCpuTime();
        long encodeBytes0 = THREADS.getThreadAllocatedBytes(self);
        for (Reply r : replies) sink += writer.write(r);
        long t2 = THREADS.getCurrentThreadCpuTime();
        long encodeBytes1 = THREADS.getThreadAllocatedBytes(self);
        java.util.Arrays.fill(replies, null); // the bench's own hold on them
        long live1 = liveHeapBytes();
        state.close();
        if (sink == 0) throw new IllegalStateException("no replies");
        return new Figures(treeOnWorker, measured, (t1 - t0) / 1e9, (t2 - t1b) / 1e9, (tree1 - tree0) / 1e9,
                bytes1 - bytes0, treeBytes1 - treeBytes0, encodeBytes1 - encodeBytes0, live1 - live0);
    }

    /**
     * The heap in use after full collections: what is live. The state never lets go of an order's
     * leaves (the STF keeps every ORDER and ORDER_HASH leaf; the mirror, the tree and its leaf cache
     * each hold them), so this, times the orders a node has taken, is what its heap must hold.
     */
    private static long liveHeapBytes() {
        java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) { // until it stops falling (objects a finalizer-free heap frees in a later pass)
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used) break;
            used = now;
        }
        return used;
    }
}
