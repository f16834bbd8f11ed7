package dev.clearline.prover.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.dispute.BatchTrace;
import dev.clearline.prover.escape.FinalizedState;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.store.ReplayStore;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.tree.store.NodeStore;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Every way the prover rebuilds state from L1 reaches the same state: the watcher's verifier in
 * memory ({@link BatchVerifier}, as the CLI's replays use it), the persistent watcher
 * ({@link Replayer} over RocksDB), the dispute's step-by-step replay ({@link BatchTrace}) and the
 * escape hatch's finalized state ({@link FinalizedState}). Random trading histories (deposits,
 * markets, oracle prices, signed orders of every time in force, fills, cancels, allocations,
 * withdrawals, liquidations) are cut into batches of random sizes by the sequencer's own batch
 * builder and driven through each entry point: the roots after every batch and after every step,
 * and the leaves of every trader at the end, must be the same.
 */
public class ReplaysAgreeProperties {
    private static final Signer ORACLE = new Signer(BigInteger.valueOf(0x0AC1E));
    private static final Address ORACLE_ADDRESS = ORACLE.address();
    private static final int[] MARKETS = {1, 7};

    /** A history as L1 holds it, and who took part. */
    public record History(List<PostedBatch> batches, List<Address> traders) {
        @Override
        public String toString() {
            return batches.size() + " batches of " + batches.stream().map(b -> Integer.toString(b.header().transitionCount())).toList()
                    + " transitions, " + traders.size() + " traders";
        }
    }

    public static Gen<History> histories() {
        return Gen.of(ReplaysAgreeProperties::history);
    }

    private static History history(RandomGenerator r) {
        Stf stf = TestBatches.stf();
        BatchBuilder b = new BatchBuilder(stf, new MemoryNodeStore(), new BatchPolicy(1 + r.nextInt(12), 60));
        List<Signer> traders = new ArrayList<>();
        int n = 2 + r.nextInt(3);
        long priority = 0;
        for (int i = 0; i < n; i++) {
            Signer s = new Signer(BigInteger.valueOf(1_000_003L * (i + 2) + r.nextInt(1_000)));
            traders.add(s);
            b.append(new Transition.Deposit(priority++, 0, s.address(), 1_000_000_000L + r.nextLong(9_000_000_000L)), 0);
        }
        long ts = 0;
        long[] mark = new long[MARKETS.length];
        long[] funding = new long[MARKETS.length];
        for (int k = 0; k < MARKETS.length; k++) {
            b.append(new Transition.MarketConfig(priority++, 0, MARKETS[k], 1, 1, 100_000, 50_000, 200, 500, 20_000, ORACLE_ADDRESS), 0);
            mark[k] = 100_000_000L;
            b.append(price(MARKETS[k], mark[k], 0, ++ts), 0);
        }
        long nonce = 1;
        long orders = 0;
        List<Order> open = new ArrayList<>();
        int steps = 10 + r.nextInt(40);
        for (int step = 0; step < steps; step++) {
            int k = r.nextInt(MARKETS.length);
            int market = MARKETS[k];
            Signer s = traders.get(r.nextInt(n));
            switch (r.nextInt(9)) {
                case 0, 1, 2 -> { // two orders that cross, then a fill (the fill may be refused: the builder keeps only what applies)
                    Signer maker = s;
                    Signer taker = traders.get(r.nextInt(n));
                    if (maker == taker) continue;
                    long lots = 1 + r.nextInt(10);
                    long price = mark[k] + r.nextLong(-5_000_000L, 5_000_000L);
                    Side side = r.nextBoolean() ? Side.BUY : Side.SELL;
                    long margin = lots * price / 8 + r.nextLong(lots * price / 8);
                    TimeInForce tif = TimeInForce.values()[r.nextInt(TimeInForce.values().length)];
                    Order mo = new Order(maker.address(), market, side, price, lots, 0, TimeInForce.GTC, 0, 0, nonce++, margin);
                    Order to = new Order(taker.address(), market, side == Side.BUY ? Side.SELL : Side.BUY, price, lots, 0, tif, 0, 0, nonce++, margin);
                    long makerId = b.append(post(mo, maker), 0).applied() ? ++orders : 0;
                    long takerId = b.append(post(to, taker), 0).applied() ? ++orders : 0;
                    if (makerId != 0) open.add(mo);
                    // sometimes in a later batch: an IOC/FOK taker's fill is then refused
                    if (r.nextInt(4) == 0) b.seal();
                    b.append(new Transition.Trade(makerId, takerId, 1 + r.nextInt((int) lots)), 0);
                }
                case 3 -> { // the mark moves, funding accrues
                    mark[k] = Math.max(1_000_000L, mark[k] + r.nextLong(-15_000_000L, 15_000_000L));
                    funding[k] += r.nextLong(-200_000L, 200_000L);
                    b.append(price(market, mark[k], funding[k], ++ts), 0);
                }
                case 4 -> b.append(new Transition.Liquidate(s.address(), market), 0);
                case 5 -> { // cancel an order of someone's (refused unless it is the owner's)
                    if (open.isEmpty()) continue;
                    Order o = open.get(r.nextInt(open.size()));
                    Hash32 h = TestBatches.DOMAIN.orderDigest(o);
                    b.append(new Transition.Cancel(s.address(), h, s.sign(TestBatches.DOMAIN.cancelDigest(s.address(), h))), 0);
                }
                case 6 -> { // isolate some collateral in a market
                    long amount = 1 + r.nextLong(100_000_000L);
                    long nn = r.nextInt(3);
                    b.append(new Transition.Allocate(s.address(), market, amount, nn,
                            s.sign(TestBatches.DOMAIN.allocateDigest(s.address(), market, amount, nn))), 0);
                }
                case 7 -> b.seal();
                default -> { // a withdrawal of some free balance
                    long amount = 1 + r.nextLong(200_000_000L);
                    long nn = r.nextInt(3);
                    b.append(new Transition.Withdraw(s.address(), s.address(), amount, nn,
                            s.sign(TestBatches.DOMAIN.withdrawDigest(s.address(), s.address(), amount, nn))), 0);
                }
            }
        }
        b.seal();
        List<PostedBatch> posted = new ArrayList<>();
        for (Batch batch : b.takeSealed()) posted.add(new PostedBatch(batch.header(), batch.calldata()));
        return new History(posted, traders.stream().map(Signer::address).toList());
    }

    private static Transition post(Order o, Signer s) {
        return new Transition.PostOrder(o, s.sign(TestBatches.DOMAIN.orderDigest(o)));
    }

    private static Transition price(int market, long price, long funding, long ts) {
        return new Transition.OraclePrice(market, price, funding, ts, ORACLE.sign(TestBatches.DOMAIN.oraclePriceDigest(market, price, funding, ts)));
    }

    @Test
    void everyReplayOfAnHonestHistoryReachesTheSameRootsAndLeaves() {
        Property.forAll(histories()).tries(10).check(h -> {
            Stf stf = TestBatches.stf();
            // the watcher's verifier in memory, with the roots after every batch and every step
            MemoryNodeStore nodes = new MemoryNodeStore();
            BatchVerifier verifier = new BatchVerifier(stf, nodes);
            List<Hash32> roots = new ArrayList<>();
            for (PostedBatch p : h.batches()) {
                long pre = nodes.latestVersion();
                Verdict v = verifier.verify(p);
                assertThat(v).as("batch %d", p.header().batchIndex()).isEqualTo(new Verdict.Honest(p.header().batchIndex(), p.header().postStateRoot()));
                roots.add(verifier.verifiedRoot());
                // the dispute's replay: a version per step, the same intermediate roots as a bisection's
                BatchTrace trace = new BatchTrace(stf, nodes, pre, p);
                assertThat(trace.fraudulent()).as("trace of honest batch %d", p.header().batchIndex()).isFalse();
                for (int k = 0; k <= trace.transitionCount(); k++) {
                    assertThat(trace.rootAfter(k)).as("batch %d prefix %d", p.header().batchIndex(), k)
                            .contains(verifier.rootAfterPrefix(p, k));
                }
            }
            // the escape hatch's state, from the postings alone
            List<RollupLog.Posted> posted = new ArrayList<>();
            for (int i = 0; i < h.batches().size(); i++) posted.add(new RollupLog.Posted(h.batches().get(i), i, i + 1, "0x" + i));
            FinalizedState finalized = FinalizedState.rebuild(posted, posted.size(), stf, FinalizedState.Progress.NONE);
            assertThat(finalized.root()).isEqualTo(roots.getLast());
            // the persistent watcher over RocksDB, one block per batch; again with the smallest node cache, where
            // nearly every read goes to RocksDB (what a watcher of a state larger than its cache meets)
            for (int cached : new int[] {ReplayStore.DEFAULT_CACHED_NODES, ReplayStore.MIN_CACHED_NODES}) {
                Path dir = Files.createTempDirectory("clearline-replays-agree");
                try (ReplayStore store = ReplayStore.open(dir, "replays-agree", cached)) {
                    ScriptedL1 l1 = new ScriptedL1();
                    for (PostedBatch p : h.batches()) l1.mine(p);
                    Replayer replayer = new Replayer(l1, store, stf, new Replayer.Settings(0, 1 + h.batches().size() / 3, 64), new ReplayListener() { });
                    Replayer.Poll poll = replayer.poll();
                    assertThat(poll.fraud()).as("node cache %d", cached).isZero();
                    assertThat(poll.batchesJudged()).isEqualTo(h.batches().size());
                    assertThat(replayer.verifier().verifiedRoot()).as("node cache %d", cached).isEqualTo(roots.getLast());
                    assertSameLeaves(h.traders(), finalized, store.nodes());
                } finally {
                    delete(dir);
                }
            }
            assertSameLeaves(h.traders(), finalized, nodes);
        });
    }

    @Test
    void everyJudgeFindsTheSameBatchWrongAndKeepsTheSameState() {
        Property.forAll(histories().filter(h -> h.batches().size() >= 2)).tries(6).check(h -> {
            Stf stf = TestBatches.stf();
            int bad = h.batches().size() / 2;
            Hash32 lie = Hash32.fromHex("0x" + "5e".repeat(32));
            List<PostedBatch> lying = new ArrayList<>(h.batches());
            lying.set(bad, TestBatches.withPostRoot(lying.get(bad), lie));

            MemoryNodeStore nodes = new MemoryNodeStore();
            BatchVerifier verifier = new BatchVerifier(stf, nodes);
            long badPre = -1;
            for (int i = 0; i < lying.size(); i++) {
                if (i == bad) badPre = nodes.latestVersion();
                Verdict v = verifier.verify(lying.get(i));
                // the lie is refused and the verified state stays before it: every later batch starts from another root
                assertThat(v.honest()).as("batch %d: %s", i, v).isEqualTo(i < bad);
                if (i > bad) assertThat(v).isInstanceOf(Verdict.WrongPrevRoot.class);
            }
            BatchTrace trace = new BatchTrace(stf, nodes, badPre, lying.get(bad));
            assertThat(trace.fraudulent()).isTrue();
            assertThat(trace.rootAfter(trace.transitionCount())).contains(h.batches().get(bad).header().postStateRoot());

            Path dir = Files.createTempDirectory("clearline-replays-agree");
            try (ReplayStore store = ReplayStore.open(dir, "replays-agree")) {
                ScriptedL1 l1 = new ScriptedL1();
                for (PostedBatch p : lying) l1.mine(p);
                Replayer replayer = new Replayer(l1, store, stf, new Replayer.Settings(0, 2, 64), new ReplayListener() { });
                Replayer.Poll poll = replayer.poll();
                assertThat(poll.fraud()).isEqualTo(lying.size() - bad);
                assertThat(replayer.verifier().verifiedRoot()).isEqualTo(verifier.verifiedRoot()).isEqualTo(lying.get(bad).header().prevStateRoot());
            } finally {
                delete(dir);
            }
        });
    }

    /**
     * The persistent watcher over its RocksDB store (the latest tree's top levels linked from its
     * root, lower nodes in a bounded cache, older versions on disk only), following L1 as batches
     * land a few at a time and restarted at random between polls: after every poll it holds the
     * in-memory verifier's root, and the bisection roots of a batch it judged since its restart
     * (replayed from that batch's pre-state, an older version) are the in-memory ones.
     */
    @Test
    void aPersistentWatcherRestartedBetweenPollsReachesTheInMemoryRootsAndBisectionRoots() {
        Property.forAll(histories(), Gens.seeds()).tries(6).check((h, seed) -> {
            java.util.Random r = new java.util.Random(seed);
            Stf stf = TestBatches.stf();
            BatchVerifier memory = new BatchVerifier(stf, new MemoryNodeStore());
            List<Hash32> roots = new ArrayList<>();
            for (PostedBatch p : h.batches()) {
                assertThat(memory.verify(p).honest()).isTrue();
                roots.add(memory.verifiedRoot());
            }
            Path dir = Files.createTempDirectory("clearline-replays-restart");
            ReplayStore store = ReplayStore.open(dir, "replays-agree");
            try {
                ScriptedL1 l1 = new ScriptedL1();
                Replayer replayer = new Replayer(l1, store, stf, new Replayer.Settings(0, 1 + r.nextInt(3), 64), new ReplayListener() { });
                List<PostedBatch> sinceRestart = new ArrayList<>();
                int mined = 0;
                while (mined < h.batches().size()) {
                    int land = Math.min(h.batches().size() - mined, 1 + r.nextInt(3));
                    for (int i = 0; i < land; i++) {
                        l1.mine(h.batches().get(mined));
                        sinceRestart.add(h.batches().get(mined++));
                    }
                    Replayer.Poll poll = replayer.poll();
                    assertThat(poll.fraud()).isZero();
                    assertThat(replayer.verifier().verifiedRoot()).as("after %d batches", mined).isEqualTo(roots.get(mined - 1));
                    PostedBatch check = sinceRestart.get(r.nextInt(sinceRestart.size()));
                    int prefix = r.nextInt(check.header().transitionCount() + 1);
                    assertThat(replayer.verifier().rootAfterPrefix(check, prefix)).as("batch %d prefix %d", check.header().batchIndex(), prefix)
                            .isEqualTo(memory.rootAfterPrefix(check, prefix));
                    if (r.nextInt(3) == 0) {
                        store.close();
                        store = ReplayStore.open(dir, "replays-agree");
                        replayer = new Replayer(l1, store, stf, new Replayer.Settings(0, 1 + r.nextInt(3), 64), new ReplayListener() { });
                        assertThat(replayer.verifier().verifiedRoot()).as("reopened after %d batches", mined).isEqualTo(roots.get(mined - 1));
                        sinceRestart.clear();
                    }
                }
            } finally {
                store.close();
                delete(dir);
            }
        });
    }

    /** Every trader's balance and positions read from {@code nodes}' latest version equal the escape hatch's. */
    private static void assertSameLeaves(List<Address> traders, FinalizedState finalized, NodeStore nodes) {
        TreeLeafStore state = new TreeLeafStore(new SparseMerkleTree(nodes, 0));
        assertThat(finalized.owners()).containsAll(traders);
        for (Address t : finalized.owners()) {
            assertThat(StateReads.balance(state, t)).as("balance of %s", t).isEqualTo(finalized.balance(t));
            for (int m : MARKETS) assertThat(StateReads.position(state, t, m)).as("position of %s in %d", t, m).isEqualTo(finalized.position(t, m));
        }
        for (int m : MARKETS) assertThat(StateReads.market(state, m)).as("market %d", m).isEqualTo(finalized.market(m));
        assertThat(StateReads.global(state).priorityOpsConsumed()).isEqualTo(finalized.priorityOpsConsumed());
    }

    private static void delete(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
