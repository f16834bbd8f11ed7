package dev.clearline.prover.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.dispute.BatchTrace;
import dev.clearline.prover.store.BatchRecord;
import dev.clearline.prover.store.ReplayStore;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A persistent replay that prunes as L1 finalizes batches, through reorgs and restarts: every batch
 * not yet final can still be replayed step by step from the version it was judged on (what a
 * dispute needs), the verified root is always the latest batch's, and the versions before the final
 * ones are gone.
 */
class PruningReplayProperties {
    @TempDir
    Path dir;

    @Test
    void aPrunedReplayStillHoldsEveryStateADisputeOrARewindCanAskFor() {
        Property.forAll(ReplaysAgreeProperties.histories().filter(h -> h.batches().size() >= 3), Gens.seeds()).tries(8).check((h, seed) -> {
            Random r = new Random(seed);
            Stf stf = TestBatches.stf();
            Path at = Files.createTempDirectory(dir, "replay");
            ScriptedL1 l1 = new ScriptedL1();
            ReplayStore store = ReplayStore.open(at, "pruning");
            try {
                Replayer.Settings settings = new Replayer.Settings(0, 1 + r.nextInt(3), 1 + r.nextInt(3));
                Replayer replayer = new Replayer(l1, store, stf, settings, new ReplayListener() { });
                List<PostedBatch> batches = h.batches();
                int mined = 0;
                long finalized = 0;
                while (mined < batches.size()) {
                    switch (r.nextInt(6)) {
                        case 0 -> { // a reorg takes the last block or two away; the same batches land again after it
                            long head = l1.head();
                            int dropped = (int) Math.min(1 + r.nextInt(2), head);
                            int batchesLost = 0;
                            for (long b = head - dropped + 1; b <= head; b++) batchesLost += l1.batches(b, b).size();
                            if (mined - batchesLost < finalized) break; // a final batch is never reorganised away (it is final on L1)
                            l1.reorgFrom(head - dropped + 1);
                            mined -= batchesLost;
                        }
                        case 1 -> { // restarted
                            store.close();
                            store = ReplayStore.open(at, "pruning");
                            replayer = new Replayer(l1, store, stf, settings, new ReplayListener() { });
                        }
                        case 2 -> finalized = Math.min(mined, finalized + 1 + r.nextInt(2));
                        default -> l1.mine(batches.get(mined++));
                    }
                    l1.finalizeBatches(finalized);
                    replayer.poll();
                    assertThat(replayer.verifier().verifiedRoot()).isEqualTo(mined == 0 ? replayer.verifier().verifiedRoot()
                            : batches.get(mined - 1).header().postStateRoot());
                    // every batch L1 has not finalized replays step by step from the version it was judged on
                    for (long index = finalized; index < mined; index++) {
                        BatchRecord rec = store.recentJudgementOf(index).orElseThrow();
                        PostedBatch p = batches.get((int) index);
                        BatchTrace trace = new BatchTrace(stf, store.nodes(), rec.preVersion(), p);
                        Optional<Hash32> end = trace.rootAfter(trace.transitionCount());
                        assertThat(end).as("batch %d from version %d (oldest kept %d)", index, rec.preVersion(), store.nodes().oldestVersion())
                                .contains(p.header().postStateRoot());
                    }
                }
                // the last finalization prunes what is before it
                l1.finalizeBatches(batches.size() - 1);
                // blocks without batches: a poll that reads new blocks asks L1 what is final, and past the reorg window the
                // marks a rewind could go back to no longer hold the old versions (two blocks left a window of 3 with none
                // pruned: seed -4056898818565497993 at 15x tries)
                for (long b = 0; b <= settings.reorgDepth(); b++) l1.mine();
                replayer.poll();
                long before = store.nodes().oldestVersion();
                assertThat(before).as("versions pruned while batches were finalized").isGreaterThan(0);
            } finally {
                store.close();
            }
        });
    }
}
