package dev.clearline.prover.trace;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.ForkedNodeStore;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.witness.StepWitness;
import dev.clearline.engine.witness.WitnessBuilder;
import dev.clearline.prover.replay.CalldataReplay;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.NodeStore;
import java.util.List;

/**
 * Builds the {@link StepCase} of transition {@code step} of a posted batch: replays the steps
 * before it with the Java STF on a scratch fork of the batch's pre-state (the verified tree is not
 * touched), then asks the witness builder for the step's witness and applies its writes for the
 * Java post-root.
 */
public final class StepCases {
    private final Stf stf;
    private final WitnessBuilder witnesses;

    public StepCases(Stf stf) {
        this.stf = stf;
        this.witnesses = new WitnessBuilder(stf);
    }

    /**
     * @param nodes the store holding the batch's pre-state
     * @param preVersion the tree version of the batch's pre-state ({@code -1} for genesis)
     * @throws IllegalArgumentException when {@code step} is not a transition of the batch
     */
    public StepCase of(NodeStore nodes, long preVersion, PostedBatch batch, int step) {
        long index = batch.header().batchIndex();
        // Bytes that do not cut form the last "transition": what a one-step proof would disprove.
        CalldataReplay.Decoded decoded = CalldataReplay.decode(batch.calldata());
        List<byte[]> pieces = decoded.pieces();
        if (step < 0 || step >= pieces.size()) {
            throw new IllegalArgumentException("batch " + index + " has " + pieces.size() + " transitions (steps 0 to "
                    + (pieces.size() - 1) + "), not a step " + step);
        }
        ForkedNodeStore fork = new ForkedNodeStore(nodes, preVersion);
        SparseMerkleTree tree = new SparseMerkleTree(fork, 0);
        TreeLeafStore store = new TreeLeafStore(tree);
        CalldataReplay.apply(stf, store, decoded.steps(), step, index, CalldataReplay.OnRefusal.SKIP, CalldataReplay.AfterStep.NONE);
        store.commit();
        long version = tree.latestVersion();
        Hash32 pre = new Hash32(tree.root().toArray());
        byte[] transition = pieces.get(step);
        StepWitness witness = version < 0 ? emptyTreeWitness(tree, transition, index) : witnesses.build(tree, version, transition, index);
        java.util.Map<String, LeafKind> kinds = LeafKinds.of(stf, store, transition, index);
        Hash32 post = pre;
        if (witness.verdict() instanceof StepWitness.Verdict.Applied a) {
            store.putAll(a.writes());
            post = store.root();
        }
        return new StepCase(index, step, transition, pre, witness, post, kinds);
    }

    /** The witness builder proves against a committed version; an empty genesis gets one (an empty version) first. */
    private StepWitness emptyTreeWitness(SparseMerkleTree tree, byte[] transition, long index) {
        tree.commit(new dev.clearline.tree.WriteSet());
        return witnesses.build(tree, tree.latestVersion(), transition, index);
    }
}
