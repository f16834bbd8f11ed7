package dev.clearline.prover.dispute;

import dev.clearline.contracts.Artifacts;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.deploy.ContractSet;
import dev.clearline.devnet.deploy.Deployer;
import dev.clearline.devnet.deploy.DeploymentParameters;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.TimeTravel;
import dev.clearline.devnet.node.NodeConfig;
import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.prover.l1.RollupLog;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.web3j.protocol.Web3j;

/**
 * What a whole dispute costs on L1 with the real one-step verifier (the Solidity STF): a batch of
 * {@code n} transitions (every transition type once or more, the rest oracle prices) is posted
 * with a wrong post-root on a devnet carrying the standard contract set; the prover's watcher
 * challenges it and plays against the lying proposer down to the first wrong step. Reported: L1
 * transactions and gas per side for a lie from the middle of the batch, and the one-step
 * transaction's gas per transition type (a lie starting at that type's first step). Gas is taken
 * from receipts and is deterministic; wall times depend on the machine (its idle share is printed).
 *
 * <p>{@code ./mvnw -B -q -pl prover -am install -DskipTests && ./mvnw -B -q -pl prover -Pl1-gas exec:exec@l1-gas
 * [-Dl1gas.transitions=1024]}; writes {@code bench-results/dispute-gas.md}.
 */
public final class DisputeGasReport {
    private static final Hash32 LIE = Hash32.fromHex("0x" + "5e".repeat(32));

    private DisputeGasReport() {}

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("l1gas.transitions", 1024);
        Path out = Path.of(System.getProperty("clearline.benchResults", "bench-results"), "dispute-gas.md");
        CpuIdle idleStart = CpuIdle.now();
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        try (Devnet devnet = Devnet.start(Devnet.Options.inProcess(NodeConfig.defaults(clock::get)))) {
            var service = devnet.web3jService();
            Web3j web3j = Web3j.build(service);
            Path dir = Files.createTempDirectory("clearline-dispute-gas");
            Manifest manifest = switch (new Deployer(service, devnet.accounts().first(), Artifacts.onClasspath(), Deployer.Settings.defaults(),
                    m -> { }, System::currentTimeMillis).deploy(ContractSet.standard(),
                    DeploymentParameters.defaults(devnet.accounts().first().getAddress(),
                            Map.of("rollup.sequencer", devnet.accounts().keys().get(3).getAddress())), dir.resolve("deployment.json"), true)) {
                case Deployer.Deployed d -> d.manifest();
                case Deployer.Failed f -> throw new IllegalStateException("deploying the contract set failed: " + f.message());
            };
            DevnetContext l1 = new DevnetContext(devnet, service, web3j, manifest, devnet.accounts(), new TimeTravel(service));
            String report = measure(l1, n, idleStart);
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
            System.out.println(report);
            System.out.println("written to " + out.toAbsolutePath());
        }
    }

    /** One dispute's figures. */
    record Run(String label, int lieFrom, long challengerTxs, long challengerGas, long proposerTxs, long proposerGas, long oneStepGas,
               long submitGas, long challengerMillis, long proposerMillis, int status, String heldBack) {}

    static String measure(DevnetContext l1, int n, CpuIdle idleStart) throws Exception {
        Rollout r = new Rollout(l1);
        // More L1 requests for the priority types the batch also holds.
        Order forcedCancelled = new Order(r.alice.address(), 1, Side.SELL, 12_000, 1_000, 0, TimeInForce.GTC, 0, 0, 99, 1_100_000);
        Rollout.ok(r.rollupAs(l1.key(1)).requestForcedWithdrawal(BigInteger.valueOf(1_000)).send());
        Rollout.ok(r.rollupAs(l1.key(1)).requestForcedCancel(r.domain.orderDigest(forcedCancelled).bytes()).send());
        List<Transition> batch = transitions(r, n, forcedCancelled);
        List<Batch> sealed = r.seal(List.of(batch));
        if (sealed.size() != 1) throw new IllegalStateException("the sequencer sealed " + sealed.size() + " batches, expected one");
        Batch b = sealed.getFirst();

        Map<String, Integer> firstOfType = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) firstOfType.putIfAbsent(batch.get(i).getClass().getSimpleName(), i);
        String snapshot = l1.time().snapshot();
        List<Run> runs = new ArrayList<>();
        runs.add(dispute(r, b, n / 2, "lie from the middle (step " + n / 2 + ")"));
        for (var e : firstOfType.entrySet()) {
            if (!l1.time().revert(snapshot)) throw new IllegalStateException("evm_revert failed");
            snapshot = l1.time().snapshot();
            runs.add(dispute(r, b, e.getValue(), e.getKey()));
        }
        int samples = Integer.getInteger("l1gas.latencySamples", 5);
        long pollMillis = Long.getLong("l1gas.pollMs", 250);
        List<Batch> small = new BatchBuilderAtGenesis(r).seal(r.queued(0).subList(0, 3));
        List<Latency> latencies = new ArrayList<>();
        for (Batch lie : List.of(small.getFirst(), b)) {
            if (!l1.time().revert(snapshot)) throw new IllegalStateException("evm_revert failed");
            snapshot = l1.time().snapshot();
            latencies.add(challengeLatency(r, lie, samples, pollMillis, snapshot));
            snapshot = latencies.getLast().snapshot();
        }
        double idle = CpuIdle.now().since(idleStart);
        return markdown(n, b, runs, idle) + latencyMarkdown(latencies, pollMillis, samples);
    }

    /** The figures of one batch size: milliseconds from the lying batch's submission to the watcher's challenge leaving it. */
    record Latency(int transitions, List<Long> millis, String snapshot) {}

    /**
     * A watcher follows L1 ({@link Watcher#follow}, one look every {@code pollMillis}); {@code samples}
     * times the lying batch is submitted at a random moment of its poll cycle and the time until the
     * watcher hands its challenge to the node is taken. t0 is just before the submission is sent
     * (the devnet mines it within that call), t1 when the challenge's raw transaction is sent, so
     * the figure includes the submission's own round trip: it errs on the long side.
     */
    static Latency challengeLatency(Rollout r, Batch lie, int samples, long pollMillis, String snapshot) throws Exception {
        List<Long> millis = new ArrayList<>();
        java.util.Random jitter = new java.util.Random(42);
        for (int i = 0; i < samples; i++) {
            if (i > 0) {
                if (!r.l1.time().revert(snapshot)) throw new IllegalStateException("evm_revert failed");
                snapshot = r.l1.time().snapshot();
            }
            TimingTransport timing = new TimingTransport(r.l1.service());
            Path store = Files.createTempDirectory("clearline-latency");
            try (Watcher watcher = r.watcher(r.dispute(r.l1.key(4), Web3j.build(timing)), store)) {
                watcher.poll();
                java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
                Thread loop = new Thread(() -> {
                    try {
                        watcher.follow(running::get, Thread::sleep, pollMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "latency-watcher");
                loop.start();
                Thread.sleep(pollMillis + jitter.nextLong(pollMillis));
                long t0 = System.nanoTime();
                r.post(Rollout.withPostRoot(lie.header(), LIE), lie.calldata());
                long deadline = t0 + 30_000_000_000L;
                while (timing.sentAt().isEmpty() && System.nanoTime() < deadline) Thread.sleep(1);
                running.set(false);
                loop.join(30_000);
                if (timing.sentAt().isEmpty()) throw new IllegalStateException("the watcher did not challenge within 30 s");
                millis.add((timing.sentAt().getFirst() - t0) / 1_000_000);
            } finally {
                deleteTree(store);
            }
        }
        return new Latency(lie.header().transitionCount(), millis, snapshot);
    }

    static String latencyMarkdown(List<Latency> latencies, long pollMillis, int samples) {
        StringBuilder md = new StringBuilder();
        md.append("\n## From a bad batch landing on L1 to the challenge being sent\n\n");
        md.append("The watcher follows the devnet with one look every ").append(pollMillis).append(" ms (`-Dl1gas.pollMs`); ").append(samples)
                .append(" samples per batch size (`-Dl1gas.latencySamples`), each submitted at a random moment of the poll cycle. t0: just before the")
                .append(" submission is sent (the devnet mines it inside that call); t1: the challenge's raw transaction handed to the node.")
                .append(" In between: the poll's wait, reading the batch (logs, transaction), judging it with the Java STF, replaying it per")
                .append(" step for the dispute, `isLive`, and the challenge's gas estimate and fees. Goal: under 1 s.\n\n");
        md.append("| batch | median | max | all samples (ms) | goal |\n| ---: | ---: | ---: | --- | --- |\n");
        for (Latency l : latencies) {
            List<Long> sorted = l.millis().stream().sorted().toList();
            long median = sorted.get(sorted.size() / 2);
            long max = sorted.getLast();
            md.append(String.format(Locale.ROOT, "| %,d transitions | %,d ms | %,d ms | %s | < 1,000 ms: %s |\n", l.transitions(), median, max,
                    l.millis(), max < 1_000 ? "met" : "missed"));
        }
        return md.toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** A second sequencer from genesis, for a small first batch beside the big one. */
    record BatchBuilderAtGenesis(Rollout r) {
        List<Batch> seal(List<Transition> queueOps) {
            dev.clearline.engine.batch.BatchBuilder builder = new dev.clearline.engine.batch.BatchBuilder(
                    new dev.clearline.engine.stf.Stf(r.domain, new dev.clearline.engine.order.BouncyCastleVerifier()),
                    new dev.clearline.tree.store.MemoryNodeStore(), new dev.clearline.engine.batch.BatchPolicy(100_000, 60));
            List<Transition> all = new ArrayList<>(queueOps);
            all.add(r.price(10_000));
            for (Transition t : all) {
                if (!builder.append(t, 0).applied()) throw new IllegalStateException(t + " does not apply");
            }
            builder.seal();
            return builder.takeSealed();
        }
    }

    /** Posts {@code b} with a wrong post-root; the proposer stands by honest roots up to {@code lieFrom} and lies after it. */
    static Run dispute(Rollout r, Batch b, int lieFrom, String label) throws Exception {
        DisputeL1 proposer = r.dispute(r.proposerKey);
        long submitStart = proposer.latestBlock();
        r.post(Rollout.withPostRoot(b.header(), LIE), b.calldata());
        long submitGas = r.l1.web3j().ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.valueOf(submitStart + 1)),
                false).send().getBlock().getGasUsed().longValueExact();
        int count = b.header().transitionCount();
        Claims lies = prefix -> prefix <= lieFrom ? r.sequencer.rootAfterPrefix(b, prefix).bytes()
                : prefix == count ? LIE.bytes() : Hash32.fromHex(String.format("0x%064x", 0x1e0000L + prefix)).bytes();
        Defender liar = new Defender(proposer, proposer.arity());
        long challengerNanos = 0;
        long proposerNanos = 0;
        try (Watcher watcher = r.watcher(r.l1.key(4), new Watcher.Role(true, false))) {
            for (int round = 0; round < 64 && (watcher.finishedGames().isEmpty() || watcher.activeGames() > 0); round++) {
                long t0 = System.nanoTime();
                int sent = watcher.poll();
                long t1 = System.nanoTime();
                for (var e : proposer.challenges(submitStart, proposer.latestBlock())) {
                    if (liar.move(proposer.game(e.gameId.longValueExact()), lies)) sent++;
                }
                long t2 = System.nanoTime();
                if (sent == 0 && round > 0 && watcher.finishedGames().isEmpty()) break; // stalled: the one step was held back
                challengerNanos += t1 - t0;
                proposerNanos += t2 - t1;
            }
            int status = watcher.finishedGames().isEmpty() ? 0 : watcher.finishedGames().values().iterator().next();
            if (status == 0 && watcher.heldBack().isEmpty()) throw new IllegalStateException(label + ": the dispute did not end");
            GasLedger c = watcher.ledger();
            GasLedger p = proposer.ledger();
            long oneStep = c.entries().stream().filter(e -> e.action().equals("oneStep")).mapToLong(GasLedger.Entry::gasUsed).sum();
            return new Run(label, lieFrom, c.transactions(), c.totalGas(), p.transactions(), p.totalGas(), oneStep, submitGas,
                    challengerNanos / 1_000_000, proposerNanos / 1_000_000, status, watcher.heldBack());
        }
    }

    /** Every transition type, then oracle prices up to {@code n}. */
    static List<Transition> transitions(Rollout r, int n, Order forcedCancelled) throws IOException {
        List<Transition> queue = r.queued(0); // MarketConfig, two Deposits, ForcedWithdrawal, ForcedCancel
        List<Transition> t = new ArrayList<>(queue.subList(0, 4));
        t.add(r.price(10_000));
        t.add(new Transition.PostOrder(forcedCancelled, r.alice.sign(r.domain.orderDigest(forcedCancelled))));
        t.add(queue.get(4));
        t.add(new Transition.Allocate(r.alice.address(), 1, 2_000_000, 0, r.alice.sign(r.domain.allocateDigest(r.alice.address(), 1, 2_000_000, 0))));
        t.add(new Transition.Release(r.alice.address(), 1, 1_000_000, 1, r.alice.sign(r.domain.releaseDigest(r.alice.address(), 1, 1_000_000, 1))));
        Order ask = new Order(r.alice.address(), 1, Side.SELL, 10_000, 5_000, 0, TimeInForce.GTC, 0, 0, 1, 5_000_000);
        Order bid = new Order(r.bob.address(), 1, Side.BUY, 10_000, 5_000, 0, TimeInForce.GTC, 0, 0, 1, 5_000_000);
        t.add(new Transition.PostOrder(ask, r.alice.sign(r.domain.orderDigest(ask))));
        t.add(new Transition.PostOrder(bid, r.bob.sign(r.domain.orderDigest(bid))));
        t.add(new Transition.Trade(2, 3, 1_000));
        Order cancelled = new Order(r.bob.address(), 1, Side.BUY, 9_000, 1_000, 0, TimeInForce.GTC, 0, 0, 2, 1_100_000);
        t.add(new Transition.PostOrder(cancelled, r.bob.sign(r.domain.orderDigest(cancelled))));
        Hash32 h = r.domain.orderDigest(cancelled);
        t.add(new Transition.Cancel(r.bob.address(), h, r.bob.sign(r.domain.cancelDigest(r.bob.address(), h))));
        t.add(new Transition.Withdraw(r.bob.address(), r.bob.address(), 1_000, 0,
                r.bob.sign(r.domain.withdrawDigest(r.bob.address(), r.bob.address(), 1_000, 0))));
        while (t.size() < n) t.add(r.price(10_000 + t.size() % 50));
        return t.subList(0, n);
    }

    static String markdown(int n, Batch b, List<Run> runs, double idle) {
        StringBuilder md = new StringBuilder();
        md.append("# A whole dispute with the real one-step verifier\n\n");
        md.append("- command: `./mvnw -B -q -pl prover -am install -DskipTests && ./mvnw -B -q -pl prover -Pl1-gas exec:exec@l1-gas`");
        md.append(" (`-Dl1gas.transitions=N` for another batch size)\n");
        md.append("- date: ").append(LocalDate.now()).append(", JDK ").append(Runtime.version()).append(", devnet (embedded EVM, Shanghai) over in-process JSON-RPC, standard contract set\n");
        md.append("- batch: ").append(n).append(" transitions (every type, then oracle prices), ").append(b.calldata().length)
                .append(" bytes of calldata; k = 16; the proposer posts a wrong post-root and stands by honest roots up to the step named, lies after it\n");
        md.append("- gas as in receipts (intrinsic and calldata included), deterministic; wall times are the watcher's and the liar's own work")
                .append(" (replay, witness, embedded-EVM replay, RPC), machine idle share during the run: ")
                .append(idle < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", idle)).append("\n\n");
        Run whole = runs.getFirst();
        md.append("## Whole dispute, ").append(whole.label()).append("\n\n");
        md.append("| side | transactions | gas | goal | gas / goal | wall time |\n| --- | ---: | ---: | --- | ---: | ---: |\n");
        md.append(String.format(Locale.ROOT, "| challenger (challenge, choices, one step) | %d | %,d | < 3,000,000 gas, <= 10 txs | %.2f | %,d ms |\n",
                whole.challengerTxs(), whole.challengerGas(), whole.challengerGas() / 3_000_000.0, whole.challengerMillis()));
        md.append(String.format(Locale.ROOT, "| proposer (bisections; the batch's submitBatch, %,d gas, not counted) | %d | %,d | <= 10 txs | | %,d ms |\n",
                whole.submitGas(), whole.proposerTxs(), whole.proposerGas(), whole.proposerMillis()));
        md.append("\nOutcome: ").append(GameView.statusName(whole.status())).append(".\n\n");
        md.append("## One-step transaction per transition type (the lie starts at the type's first step)\n\n");
        md.append("| transition | step | oneStep gas | challenger txs | challenger gas | outcome |\n| --- | ---: | ---: | ---: | ---: | --- |\n");
        for (Run run : runs.subList(1, runs.size())) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %,d | %d | %,d | %s |\n", run.label(), run.lieFrom(), run.oneStepGas(),
                    run.challengerTxs(), run.challengerGas(), run.status() != 0 ? GameView.statusName(run.status())
                            : "NOT PROVABLE: the challenger held its one step back, the replay reverts (" + run.heldBack() + ")"));
        }
        md.append("\nThe one-step gas includes the calldata of the transition, its inclusion proof and the witness (leaf values and their multi-proof) and the game's settlement.\n");
        return md.toString();
    }

    static int encodedLength(Transition t) {
        return TransitionCodec.encode(t).length;
    }

    /** The machine's idle share between two readings of /proc/stat. */
    record CpuIdle(long idle, long total) {
        static CpuIdle now() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
                return new CpuIdle(Long.parseLong(f[4]) + Long.parseLong(f[5]), total);
            } catch (IOException | RuntimeException e) {
                return new CpuIdle(-1, -1);
            }
        }

        double since(CpuIdle start) {
            if (idle < 0 || start.idle < 0 || total == start.total) return -1;
            return 100.0 * (idle - start.idle) / (total - start.total);
        }
    }
}
