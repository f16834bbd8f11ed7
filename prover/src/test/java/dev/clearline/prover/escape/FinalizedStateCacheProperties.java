package dev.clearline.prover.escape;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.order.Hash32;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.prover.replay.ReplaysAgreeProperties;
import dev.clearline.prover.replay.TestBatches;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The finalized state kept in a cache directory and brought forward batch by batch, as {@code claim}
 * and {@code escape} rebuild it, is the state a fresh in-memory replay of every finalized batch gives:
 * the same root, owners, markets, leaves, withdrawals and proofs, at every count, across reopenings.
 * A cache made on another chain is noticed and rebuilt, and L1 is read only from the last replayed
 * batch's block on.
 */
class FinalizedStateCacheProperties {
    @TempDir
    Path dir;

    /** {@code p} as a liar posts it: the same transitions under a post-state root with one bit flipped. */
    private static RollupLog.Posted withWrongPostRoot(RollupLog.Posted p, Random r) {
        BatchHeader t = p.batch().header();
        byte[] other = t.postStateRoot().bytes().clone();
        other[r.nextInt(32)] ^= 1;
        return new RollupLog.Posted(new PostedBatch(new BatchHeader(t.batchIndex(), t.prevStateRoot(), new Hash32(other), t.transitionCount(),
                t.transitionsRoot(), t.priorityOpsConsumed()), p.batch().calldata()), p.submissionId(), p.blockNumber(), p.transactionHash());
    }

    /** A history's postings, one block per batch from block 1, as L1 would list them. */
    private static List<RollupLog.Posted> postings(ReplaysAgreeProperties.History h) {
        List<RollupLog.Posted> out = new ArrayList<>();
        for (int i = 0; i < h.batches().size(); i++) out.add(new RollupLog.Posted(h.batches().get(i), i, i + 1, "0x" + i));
        return out;
    }

    @Test
    void aCacheBroughtForwardInStepsIsTheStateOfAFreshReplay() {
        Property.forAll(ReplaysAgreeProperties.histories(), Gens.seeds()).tries(8).check((h, seed) -> {
            Random r = new Random(seed);
            Stf stf = TestBatches.stf();
            List<RollupLog.Posted> posted = postings(h);
            Path cache = Files.createTempDirectory(dir, "cache");
            long[] lowestBlockRead = {Long.MAX_VALUE};
            FinalizedState.Postings l1 = from -> {
                lowestBlockRead[0] = Math.min(lowestBlockRead[0], from);
                return posted.stream().filter(p -> p.blockNumber() >= from).toList();
            };
            long count = 0;
            while (count < posted.size()) {
                long before = count;
                count = Math.min(posted.size(), count + 1 + r.nextInt(3));
                lowestBlockRead[0] = Long.MAX_VALUE;
                try (FinalizedState cached = FinalizedState.rebuild(l1, count, stf, FinalizedState.Progress.NONE, cache);
                     FinalizedState fresh = FinalizedState.rebuild(posted, count, stf, FinalizedState.Progress.NONE)) {
                    if (before > 0) assertThat(lowestBlockRead[0]).as("L1 read from the block of batch %d on", before - 1).isEqualTo(before);
                    assertSame(cached, fresh, h.traders());
                }
                // the directory keeps the latest finalized version only: a long-lived rollup's cache does not grow with its history
                try (var tree = dev.clearline.tree.store.RocksDbNodeStore.open(cache.resolve("tree"))) {
                    assertThat(tree.oldestVersion()).as("the oldest version kept, after %d batches", count).isEqualTo(tree.latestVersion());
                }
            }
        });
    }

    @Test
    void aCacheFromAnotherChainIsRebuiltNotTrusted() {
        Property.forAll(ReplaysAgreeProperties.histories(), ReplaysAgreeProperties.histories()).tries(6).check((first, second) -> {
            Stf stf = TestBatches.stf();
            Path cache = Files.createTempDirectory(dir, "cache");
            List<RollupLog.Posted> a = postings(first);
            List<RollupLog.Posted> b = postings(second);
            try (FinalizedState s = FinalizedState.rebuild(from -> a, a.size(), stf, FinalizedState.Progress.NONE, cache)) {
                assertThat(s.root()).isEqualTo(a.getLast().batch().header().postStateRoot());
            }
            // the same directory, another chain's postings (a devnet started again at the same addresses)
            try (FinalizedState cached = FinalizedState.rebuild(from -> b.stream().filter(p -> p.blockNumber() >= from).toList(), b.size(), stf,
                    FinalizedState.Progress.NONE, cache);
                 FinalizedState fresh = FinalizedState.rebuild(b, b.size(), stf, FinalizedState.Progress.NONE)) {
                assertSame(cached, fresh, second.traders());
            }
        });
    }

    /**
     * What {@code propose} builds on: the batches after the finalized ones judged from the cached state give the
     * verdicts and roots of a replay from genesis, a wrong one among them included, and the cache is left as
     * finalized (the next rebuild replays nothing and has the same root).
     */
    @Test
    void aVerifierAheadOfTheCacheJudgesAsAReplayFromGenesisAndLeavesTheCacheAsFinalized() {
        Property.forAll(ReplaysAgreeProperties.histories(), Gens.seeds()).tries(8).check((h, seed) -> {
            Random r = new Random(seed);
            Stf stf = TestBatches.stf();
            List<RollupLog.Posted> posted = new ArrayList<>(postings(h));
            int finalized = r.nextInt(posted.size() + 1);
            if (finalized < posted.size() && r.nextBoolean()) {
                // a lie after the final batches: the root it claims is the next batch's (or any other)
                int lie = finalized + r.nextInt(posted.size() - finalized);
                posted.set(lie, withWrongPostRoot(posted.get(lie), r));
            }
            Path cache = Files.createTempDirectory(dir, "cache");
            FinalizedState.Postings l1 = from -> posted.stream().filter(p -> p.blockNumber() >= from).toList();
            BatchVerifier fromGenesis = new BatchVerifier(stf, new MemoryNodeStore(), null);
            List<Verdict> expected = new ArrayList<>();
            for (RollupLog.Posted p : posted) expected.add(fromGenesis.verify(p.batch()));
            Hash32 finalRoot;
            try (FinalizedState state = FinalizedState.rebuild(l1, finalized, stf, FinalizedState.Progress.NONE, cache)) {
                finalRoot = state.root();
                assertThat(state.postedFromBlock()).isEqualTo(finalized == 0 ? 0 : finalized);
                BatchVerifier ahead = state.verifierAhead(stf);
                assertThat(ahead.verifiedRoot()).isEqualTo(finalRoot);
                for (int i = finalized; i < posted.size(); i++) {
                    assertThat(ahead.verify(posted.get(i).batch())).as("batch %d of %d, %d final", i, posted.size(), finalized).isEqualTo(expected.get(i));
                }
                assertThat(ahead.verifiedRoot()).isEqualTo(fromGenesis.verifiedRoot());
                assertThat(state.root()).as("the state itself stays as finalized").isEqualTo(finalRoot);
            }
            long[] replayed = {0};
            try (FinalizedState again = FinalizedState.rebuild(l1, finalized, stf, (b, of, t) -> replayed[0]++, cache)) {
                assertThat(again.root()).isEqualTo(finalRoot);
                assertThat(replayed[0]).as("the cache still names the finalized state").isZero();
            }
        });
    }

    /**
     * A record beside a tree that is not the one it names (another chain's tree restored beside it, say): the
     * record matches L1, the tree does not; both are dropped and the state rebuilt from the first batch, not
     * built on the foreign tree.
     */
    @Test
    void aCacheWhoseTreeIsNotTheOneItsRecordNamesIsRebuilt() {
        Property.forAll(ReplaysAgreeProperties.histories(), ReplaysAgreeProperties.histories()).tries(4).check((first, second) -> {
            Stf stf = TestBatches.stf();
            List<RollupLog.Posted> a = postings(first);
            List<RollupLog.Posted> b = postings(second);
            if (a.getLast().batch().header().postStateRoot().equals(b.getLast().batch().header().postStateRoot())) return;
            Path cacheA = Files.createTempDirectory(dir, "a");
            Path cacheB = Files.createTempDirectory(dir, "b");
            FinalizedState.Postings l1 = from -> a.stream().filter(p -> p.blockNumber() >= from).toList();
            FinalizedState.rebuild(l1, a.size(), stf, FinalizedState.Progress.NONE, cacheA).close();
            FinalizedState.rebuild(from -> b, b.size(), stf, FinalizedState.Progress.NONE, cacheB).close();
            try (var old = Files.walk(cacheA.resolve("tree"))) {
                for (Path f : old.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
            }
            Files.move(cacheB.resolve("tree"), cacheA.resolve("tree"));
            long[] replayed = {0};
            try (FinalizedState cached = FinalizedState.rebuild(l1, a.size(), stf, (n, of, t) -> replayed[0]++, cacheA);
                 FinalizedState fresh = FinalizedState.rebuild(a, a.size(), stf, FinalizedState.Progress.NONE)) {
                assertThat(replayed[0]).as("every batch replayed again").isEqualTo(a.size());
                assertSame(cached, fresh, first.traders());
            }
        });
    }

    /**
     * A rebuild that fails halfway (a finalized batch that replays to another root than its header: the chain finalized
     * fraud) says so and lets go of the cache: the next rebuild in the same process, on honest postings, opens it and
     * gives the fresh replay's state.
     */
    @Test
    void aRebuildThatFailsLetsGoOfItsCache() {
        Property.forAll(ReplaysAgreeProperties.histories(), Gens.seeds()).tries(4).check((h, seed) -> {
            Random r = new Random(seed);
            Stf stf = TestBatches.stf();
            List<RollupLog.Posted> honest = postings(h);
            List<RollupLog.Posted> lying = new ArrayList<>(honest);
            int lie = r.nextInt(honest.size());
            lying.set(lie, withWrongPostRoot(honest.get(lie), r));
            Path cache = Files.createTempDirectory(dir, "cache");
            assertThatThrownBy(() -> FinalizedState.rebuild(from -> lying, honest.size(), stf, FinalizedState.Progress.NONE, cache))
                    .as("batch %d of %d finalized with a wrong root", lie, honest.size()).isInstanceOf(java.io.IOException.class);
            try (FinalizedState cached = FinalizedState.rebuild(from -> honest, honest.size(), stf, FinalizedState.Progress.NONE, cache);
                 FinalizedState fresh = FinalizedState.rebuild(honest, honest.size(), stf, FinalizedState.Progress.NONE)) {
                assertSame(cached, fresh, h.traders());
            }
        });
    }

    @Test
    void aCacheInUseIsRefusedWithWhatToDo() throws Exception {
        ReplaysAgreeProperties.History h = ReplaysAgreeProperties.histories().sample(new java.util.SplittableRandom(3)).value();
        List<RollupLog.Posted> posted = postings(h);
        Stf stf = TestBatches.stf();
        try (FinalizedState open = FinalizedState.rebuild(from -> posted, posted.size(), stf, FinalizedState.Progress.NONE, dir)) {
            assertThatThrownBy(() -> FinalizedState.rebuild(from -> posted, posted.size(), stf, FinalizedState.Progress.NONE, dir))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be opened").hasMessageContaining("another directory");
        }
    }

    /**
     * The digests of the expiring orders whose ORDER_HASH leaf the finalized state holds, as a take-up needs them to prune
     * those leaves: posted in a finalized batch, until a PruneOrderHash takes one; and of the orders whose ORDER leaf it
     * holds, by short id, until a PruneOrder takes it (a take-up names them in later fills). The same from a fresh replay
     * and from a cache brought forward (kept in its record); the calldata reader ({@code expiringIn}) finds the first in a
     * batch alone.
     */
    @Test
    void theExpiringOrdersStillInTheStateAreKnownByTheirDigestsThroughTheCache() throws Exception {
        Stf stf = TestBatches.stf();
        var builder = new dev.clearline.engine.batch.BatchBuilder(stf, new MemoryNodeStore(), new dev.clearline.engine.batch.BatchPolicy(64, 60));
        var oracle = new dev.clearline.engine.order.Signer(java.math.BigInteger.valueOf(0x0AC1E));
        List<dev.clearline.engine.order.Signer> traders = List.of(new dev.clearline.engine.order.Signer(java.math.BigInteger.valueOf(2_000_011)),
                new dev.clearline.engine.order.Signer(java.math.BigInteger.valueOf(3_000_017)));
        long priority = 0;
        for (var t : traders) builder.append(new dev.clearline.engine.transition.Transition.Deposit(priority++, 0, t.address(), 5_000_000_000L), 0);
        builder.append(new dev.clearline.engine.transition.Transition.MarketConfig(priority++, 0, 1, 1, 1, 100_000, 50_000, 200, 500, 20_000, oracle.address()), 0);
        java.util.function.LongFunction<dev.clearline.engine.transition.Transition> price = ts -> new dev.clearline.engine.transition.Transition.OraclePrice(1,
                100_000_000L, 0, ts, oracle.sign(TestBatches.DOMAIN.oraclePriceDigest(1, 100_000_000L, 0, ts)));
        assertThat(builder.append(price.apply(1), 0).applied()).isTrue();
        builder.seal();
        List<Hash32> hashes = new ArrayList<>();
        long nonce = 1;
        for (long expiry : new long[] {5, 1_000, 0}) { // two with an expiry, one without
            var t = traders.get((int) (nonce % 2));
            var o = new dev.clearline.engine.order.Order(t.address(), 1, dev.clearline.engine.order.Side.BUY, 90_000_000L, 1, 0,
                    dev.clearline.engine.order.TimeInForce.GTC, 0, expiry, nonce++, 50_000_000L);
            Hash32 h = TestBatches.DOMAIN.orderDigest(o);
            hashes.add(h);
            assertThat(builder.append(new dev.clearline.engine.transition.Transition.PostOrder(o, t.sign(h)), 0).applied()).isTrue();
        }
        builder.seal();
        assertThat(builder.append(price.apply(10), 0).applied()).isTrue();
        assertThat(builder.append(new dev.clearline.engine.transition.Transition.PruneOrderHash(hashes.get(0)), 0).applied()).as("expired at 10").isTrue();
        assertThat(builder.append(new dev.clearline.engine.transition.Transition.PruneOrder(3), 0).applied()).as("order 3 done with").isTrue();
        builder.seal();
        List<RollupLog.Posted> posted = new ArrayList<>();
        int i = 0;
        for (var b : builder.takeSealed()) posted.add(new RollupLog.Posted(new PostedBatch(b.header(), b.calldata()), i, ++i, "0x" + i));
        List<Hash32> inCalldata = new ArrayList<>();
        FinalizedState.expiringIn(posted.get(1).batch().calldata(), TestBatches.DOMAIN::orderDigest, inCalldata);
        assertThat(inCalldata).as("the orders with an expiry batch 1 posts").containsExactly(hashes.get(0), hashes.get(1));

        Path cache = Files.createTempDirectory(dir, "expiring");
        FinalizedState.Postings l1 = from -> posted.stream().filter(p -> p.blockNumber() >= from).toList();
        java.util.Map<Long, Hash32> allThree = java.util.Map.of(1L, hashes.get(0), 2L, hashes.get(1), 3L, hashes.get(2));
        try (FinalizedState two = FinalizedState.rebuild(l1, 2, stf, FinalizedState.Progress.NONE, cache)) {
            assertThat(two.expiringOrderHashes()).containsExactlyInAnyOrder(hashes.get(0), hashes.get(1));
            assertThat(two.restingOrderHashes()).as("every order whose ORDER leaf is held, by short id").isEqualTo(allThree);
        }
        try (FinalizedState again = FinalizedState.rebuild(l1, 2, stf, FinalizedState.Progress.NONE, cache)) {
            assertThat(again.expiringOrderHashes()).as("from the cache's record alone").containsExactlyInAnyOrder(hashes.get(0), hashes.get(1));
            assertThat(again.restingOrderHashes()).isEqualTo(allThree);
        }
        try (FinalizedState three = FinalizedState.rebuild(l1, 3, stf, FinalizedState.Progress.NONE, cache);
             FinalizedState fresh = FinalizedState.rebuild(posted, 3, stf, FinalizedState.Progress.NONE)) {
            assertThat(three.expiringOrderHashes()).as("the pruned one gone").containsExactly(hashes.get(1));
            assertThat(fresh.expiringOrderHashes()).isEqualTo(three.expiringOrderHashes());
            assertThat(three.restingOrderHashes()).as("order 3's leaf pruned; order 1's ORDER leaf outlives its hash leaf")
                    .isEqualTo(java.util.Map.of(1L, hashes.get(0), 2L, hashes.get(1)));
            assertThat(fresh.restingOrderHashes()).isEqualTo(three.restingOrderHashes());
        }
    }

    /**
     * What a take-up reads of L1 besides the finalized state: the traders and markets each batch names ({@code namedIn}),
     * every transition of the live batches as a verifier ahead applies it (its watcher told of each, in order), that
     * verifier's leaves (they rebuild its root) and withdrawal count, each the same as a replay of every batch gives.
     */
    @Test
    void whatATakeUpReadsOfTheLiveBatchesIsWhatAReplayOfEveryBatchGives() {
        Property.forAll(ReplaysAgreeProperties.histories().filter(h -> h.batches().size() >= 2)).tries(6).check(h -> {
            Stf stf = TestBatches.stf();
            List<RollupLog.Posted> posted = postings(h);
            int fin = h.batches().size() / 2;
            try (FinalizedState state = FinalizedState.rebuild(posted, fin, stf, FinalizedState.Progress.NONE);
                 FinalizedState all = FinalizedState.rebuild(posted, posted.size(), stf, FinalizedState.Progress.NONE)) {
                java.util.TreeSet<Address> owners = new java.util.TreeSet<>(java.util.Comparator.comparing(Address::toString));
                java.util.TreeSet<Integer> markets = new java.util.TreeSet<>(java.util.Comparator.comparingLong(Integer::toUnsignedLong));
                owners.add(Address.INSURANCE_FUND);
                for (RollupLog.Posted p : posted) FinalizedState.namedIn(p.batch().calldata(), owners, markets);
                assertThat(List.copyOf(owners)).isEqualTo(all.owners());
                assertThat(List.copyOf(markets)).isEqualTo(all.markets());

                BatchVerifier ahead = state.verifierAhead(stf);
                List<dev.clearline.engine.transition.Transition> told = new ArrayList<>(), expected = new ArrayList<>();
                for (int i = fin; i < posted.size(); i++) {
                    PostedBatch b = h.batches().get(i);
                    assertThat(ahead.verify(b, (t, leaves) -> told.add(t))).isEqualTo(new Verdict.Honest(i, b.header().postStateRoot()));
                    for (var step : dev.clearline.prover.replay.CalldataReplay.decode(b.calldata()).steps()) expected.add(step.transition());
                }
                assertThat(told).as("every live transition, in order").isEqualTo(expected);
                long withdrawals = 0;
                for (Address t : all.owners()) withdrawals += all.withdrawalsTo(t).size();
                assertThat(all.withdrawalCount()).as("every withdrawal numbered has its leaf").isEqualTo(withdrawals);
                assertThat(ahead.withdrawalCount()).isEqualTo(all.withdrawalCount());
                List<dev.clearline.engine.stf.LeafStore.Write> leaves = new ArrayList<>();
                ahead.forEachLeaf((k, v) -> leaves.add(new dev.clearline.engine.stf.LeafStore.Write(k.clone(), v.clone())));
                dev.clearline.engine.stf.TreeLeafStore rebuilt = new dev.clearline.engine.stf.TreeLeafStore(
                        new dev.clearline.tree.SparseMerkleTree(new MemoryNodeStore(), 0));
                rebuilt.putAll(leaves);
                rebuilt.commit();
                assertThat(rebuilt.root()).as("its leaves rebuild its root").isEqualTo(ahead.verifiedRoot()).isEqualTo(all.root());
            }
        });
    }

    private static void assertSame(FinalizedState cached, FinalizedState fresh, List<Address> traders) {
        assertThat(cached.root()).isEqualTo(fresh.root());
        assertThat(cached.finalizedCount()).isEqualTo(fresh.finalizedCount());
        assertThat(cached.owners()).isEqualTo(fresh.owners()).containsAll(traders.stream().filter(t -> fresh.owners().contains(t)).toList());
        assertThat(cached.markets()).isEqualTo(fresh.markets());
        assertThat(cached.priorityOpsConsumed()).isEqualTo(fresh.priorityOpsConsumed());
        for (Address t : fresh.owners()) {
            assertThat(cached.balance(t)).as("balance of %s", t).isEqualTo(fresh.balance(t));
            assertThat(cached.balanceProof(t)).as("balance proof of %s", t).isEqualTo(fresh.balanceProof(t));
            for (int m : fresh.markets()) {
                assertThat(cached.position(t, m)).isEqualTo(fresh.position(t, m));
                assertThat(cached.positionProof(t, m)).isEqualTo(fresh.positionProof(t, m));
            }
            assertThat(cached.withdrawalsTo(t)).isEqualTo(fresh.withdrawalsTo(t));
            for (FinalizedState.Withdrawal w : fresh.withdrawalsTo(t)) assertThat(cached.withdrawalProof(w.id())).isEqualTo(fresh.withdrawalProof(w.id()));
        }
    }
}
