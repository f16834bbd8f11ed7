package dev.clearline.engine.batch;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.ForkedNodeStore;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.NodeStore;

/** Replays a batch prefix from its pre-state without touching the real tree. */
public final class BatchReplay {
    private BatchReplay() {}

    public static Hash32 rootAfterPrefix(Stf stf, NodeStore nodes, Batch batch, int prefix) {
        int n = batch.transitions().size();
        if (prefix < 0 || prefix > n) throw new IndexOutOfBoundsException("prefix " + prefix + " of a batch of " + n);
        TreeLeafStore scratch = new TreeLeafStore(new SparseMerkleTree(new ForkedNodeStore(nodes, batch.preStateVersion())));
        for (int i = 0; i < prefix; i++) {
            Outcome o = stf.apply(scratch, batch.transitions().get(i), batch.header().batchIndex());
            if (!o.applied()) {
                throw new IllegalStateException("transition " + i + " of batch " + batch.header().batchIndex()
                        + " no longer applies (" + o + "): the node store does not hold this batch's pre-state");
            }
        }
        return scratch.root();
    }
}
