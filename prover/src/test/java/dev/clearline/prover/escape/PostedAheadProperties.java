package dev.clearline.prover.escape;

import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.prover.replay.ReplaysAgreeProperties;
import dev.clearline.prover.replay.TestBatches;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the batches posted after the finalized ones do, as {@code escape --dry-run} shows a trader
 * whose operator went quiet: replayed on top of the cached finalized state, the withdrawals they make
 * are exactly those a replay of every posted batch holds beyond the finalized ones, each in the batch
 * that made it; a batch posted with a wrong root stops the look ahead there; and the cache still
 * holds the finalized state afterwards (the next rebuild reads L1 only from its last batch on).
 */
class PostedAheadProperties {
    @TempDir
    Path dir;

    /** A history's postings, one block per batch from block 1. */
    private static List<RollupLog.Posted> postings(List<PostedBatch> batches) {
        List<RollupLog.Posted> out = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) out.add(new RollupLog.Posted(batches.get(i), i, i + 1, "0x" + i));
        return out;
    }

    @Test
    void theWithdrawalsOfPostedBatchesAreThoseAFullReplayAddsAndTheCacheStaysFinalized() {
        int[] withPending = {0}; // tries with a withdrawal posted but not final
        Property.forAll(ReplaysAgreeProperties.histories(), Gens.seeds()).tries(8).check((h, seed) -> {
            Random r = new Random(seed);
            Stf stf = TestBatches.stf();
            List<RollupLog.Posted> posted = postings(h.batches());
            int n = posted.size();
            int fin = r.nextInt(n + 1);
            long[] lowest = {Long.MAX_VALUE};
            FinalizedState.Postings l1 = from -> {
                lowest[0] = Math.min(lowest[0], from);
                return posted.stream().filter(p -> p.blockNumber() >= from).toList();
            };
            Path cache = Files.createTempDirectory(dir, "cache");
            try (FinalizedState state = FinalizedState.rebuild(l1, fin, stf, FinalizedState.Progress.NONE, cache)) {
                var rootBefore = state.root();
                lowest[0] = Long.MAX_VALUE;
                List<long[]> told = new ArrayList<>();
                FinalizedState.Ahead ahead = state.ahead(l1, n, stf, (batches, of, transitions) -> told.add(new long[] {batches, of, transitions}));
                // progress after each batch replayed, with the transitions so far
                assertThat(told).hasSize(n - fin);
                long steps = 0;
                for (int k = 0; k < told.size(); k++) {
                    steps += posted.get(fin + k).batch().header().transitionCount();
                    assertThat(told.get(k)).containsExactly(fin + k + 1, n, steps);
                }
                // batch k was posted in block k + 1; with nothing posted past the final ones, nothing is read
                assertThat(lowest[0]).as("read from the last final batch's block on").isEqualTo(fin == n ? Long.MAX_VALUE : fin == 0 ? 0 : fin);
                assertThat(ahead.firstWrong()).isEmpty();
                assertThat(ahead.batchesReplayed()).isEqualTo(n - fin);
                assertThat(ahead.withdrawals()).containsExactlyElementsOf(expected(posted, fin, n, stf, h.traders()));
                try (FinalizedState all = FinalizedState.rebuild(posted, n, stf, FinalizedState.Progress.NONE)) {
                    assertThat(ahead.priorityOpsConsumed()).as("the queue as the last posted batch left it").isEqualTo(all.priorityOpsConsumed());
                }
                if (!ahead.withdrawals().isEmpty()) withPending[0]++;
                for (Address t : h.traders()) {
                    // what `status` shows a trader: every pending withdrawal paying them, in order, and no other
                    assertThat(ahead.to(t)).containsExactlyElementsOf(ahead.withdrawals().stream().filter(w -> w.recipient().equals(t)).toList());
                }
                assertThat(state.root()).as("the finalized state itself").isEqualTo(rootBefore);
            }
            lowest[0] = Long.MAX_VALUE;
            try (FinalizedState again = FinalizedState.rebuild(l1, fin, stf, FinalizedState.Progress.NONE, cache);
                 FinalizedState fresh = FinalizedState.rebuild(posted, fin, stf, FinalizedState.Progress.NONE)) {
                assertThat(again.root()).isEqualTo(fresh.root());
                if (fin > 0) assertThat(lowest[0]).as("the cache still names its state: no replay from the first batch").isEqualTo(fin);
            }
        });
        assertThat(withPending[0]).as("tries with a pending withdrawal").isPositive();
    }

    @Test
    void aBatchPostedWithAWrongRootStopsTheLookAheadBeforeIt() {
        Property.forAll(ReplaysAgreeProperties.histories(), Gens.seeds()).tries(8).check((h, seed) -> {
            Random r = new Random(seed);
            Stf stf = TestBatches.stf();
            List<PostedBatch> batches = new ArrayList<>(h.batches());
            int n = batches.size();
            int fin = r.nextInt(n);
            int wrong = fin + r.nextInt(n - fin);
            BatchHeader good = batches.get(wrong).header();
            byte[] bent = good.postStateRoot().bytes().clone();
            bent[31] ^= 1;
            batches.set(wrong, new PostedBatch(new BatchHeader(good.batchIndex(), good.prevStateRoot(), new Hash32(bent), good.transitionCount(),
                    good.transitionsRoot(), good.priorityOpsConsumed()), batches.get(wrong).calldata()));
            List<RollupLog.Posted> posted = postings(batches);
            List<RollupLog.Posted> honest = postings(h.batches());
            try (FinalizedState state = FinalizedState.rebuild(posted, fin, stf, FinalizedState.Progress.NONE)) {
                FinalizedState.Ahead ahead = state.ahead(from -> posted.stream().filter(p -> p.blockNumber() >= from).toList(), n, stf, FinalizedState.Progress.NONE);
                assertThat(ahead.firstWrong()).hasValue(wrong);
                assertThat(ahead.wrongBecause()).contains("not the " + new Hash32(bent));
                assertThat(ahead.batchesReplayed()).isEqualTo(wrong - fin);
                assertThat(ahead.withdrawals()).containsExactlyElementsOf(expected(honest, fin, wrong, stf, h.traders()));
                try (FinalizedState before = FinalizedState.rebuild(honest, wrong, stf, FinalizedState.Progress.NONE)) {
                    assertThat(ahead.priorityOpsConsumed()).as("as the batch before the wrong one left it").isEqualTo(before.priorityOpsConsumed());
                }
            }
        });
    }

    @Test
    void aBatchWhoseCalldataDoesNotSplitStopsTheLookAheadBeforeIt() {
        Property.forAll(ReplaysAgreeProperties.histories(), Gens.seeds()).tries(4).check((h, seed) -> {
            Random r = new Random(seed);
            Stf stf = TestBatches.stf();
            List<PostedBatch> batches = new ArrayList<>(h.batches());
            int n = batches.size();
            int fin = r.nextInt(n);
            int broken = fin + r.nextInt(n - fin);
            // a transition's type byte no decoder knows, with nothing after it: the calldata ends in a tail
            byte[] calldata = batches.get(broken).calldata();
            byte[] cut = java.util.Arrays.copyOf(calldata, calldata.length + 1);
            cut[calldata.length] = (byte) 0xff;
            batches.set(broken, new PostedBatch(batches.get(broken).header(), cut));
            List<RollupLog.Posted> posted = postings(batches);
            try (FinalizedState state = FinalizedState.rebuild(posted, fin, stf, FinalizedState.Progress.NONE)) {
                FinalizedState.Ahead ahead = state.ahead(from -> posted.stream().filter(p -> p.blockNumber() >= from).toList(), n, stf,
                        FinalizedState.Progress.NONE);
                assertThat(ahead.firstWrong()).hasValue(broken);
                assertThat(ahead.wrongBecause()).contains("does not split into transitions");
                assertThat(ahead.batchesReplayed()).isEqualTo(broken - fin);
            }
        });
    }

    /** The withdrawals in a replay of batches 0 to {@code to - 1} that a replay to {@code from} lacks, each tagged with the batch that made it. */
    private static List<FinalizedState.PendingWithdrawal> expected(List<RollupLog.Posted> posted, int from, int to, Stf stf, List<Address> traders)
            throws Exception {
        List<FinalizedState.PendingWithdrawal> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        try (FinalizedState at = FinalizedState.rebuild(posted, from, stf, FinalizedState.Progress.NONE)) {
            for (Address t : traders) for (FinalizedState.Withdrawal w : at.withdrawalsTo(t)) seen.add(w.id());
        }
        for (int k = from + 1; k <= to; k++) {
            List<FinalizedState.PendingWithdrawal> made = new ArrayList<>();
            try (FinalizedState at = FinalizedState.rebuild(posted, k, stf, FinalizedState.Progress.NONE)) {
                for (Address t : traders) {
                    for (FinalizedState.Withdrawal w : at.withdrawalsTo(t)) {
                        if (seen.add(w.id())) made.add(new FinalizedState.PendingWithdrawal(k - 1, w.id(), w.recipient(), w.amount()));
                    }
                }
            }
            made.sort(java.util.Comparator.comparingLong(FinalizedState.PendingWithdrawal::id));
            out.addAll(made);
        }
        return out;
    }
}
