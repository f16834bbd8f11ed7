package dev.clearline.engine.witness;

import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.MalformedTransitionException;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.Proof;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the exact witness the Solidity step needs for one transition against one pre-state: runs
 * the Java STF over a recording view of the pre-state (so the witness holds exactly the leaves the
 * rule reads or writes, which are the leaves its Solidity twin reads, in the same order of
 * checks), then proves those keys in one multi-proof. The pre-state is not modified.
 */
public final class WitnessBuilder {
    private final Stf stf;

    /** @param stf the Java STF of the deployment (its EIP-712 domain decides signatures) */
    public WitnessBuilder(Stf stf) {
        this.stf = stf;
    }

    /** {@link #build(SparseMerkleTree, long, byte[], long)} in batch 0. */
    public StepWitness build(SparseMerkleTree tree, long version, byte[] transition) {
        return build(tree, version, transition, 0);
    }

    /**
     * @param tree the state tree holding the pre-state
     * @param version the tree version of the pre-state (its root is the step's pre-root)
     * @param transition the transition's encoding, well-formed or not
     * @param batchIndex the batch the transition belongs to ({@code IStepVerifier.Context.batchIndex})
     */
    public StepWitness build(SparseMerkleTree tree, long version, byte[] transition, long batchIndex) {
        Transition t;
        try {
            t = TransitionCodec.decode(transition);
        } catch (MalformedTransitionException e) {
            return new StepWitness(new StepWitness.Verdict.Malformed(e.getMessage()), Witness.EMPTY);
        }
        RecordingLeafStore view = new RecordingLeafStore(k -> tree.get(version, k).orElse(null));
        Outcome outcome = stf.apply(view, t, batchIndex);
        List<Bytes32> keys = new ArrayList<>(view.touched());
        List<WitnessLeaf> leaves = new ArrayList<>(keys.size());
        for (Bytes32 k : keys) leaves.add(new WitnessLeaf(k, tree.get(version, k).orElse(null)));
        Witness witness = keys.isEmpty() ? Witness.EMPTY : new Witness(leaves, proof(tree, version, keys, outcome, view).encode());
        StepWitness.Verdict verdict = switch (outcome) {
            case Outcome.Applied a -> new StepWitness.Verdict.Applied(view.writes());
            case Outcome.Rejected r -> new StepWitness.Verdict.Rejected(r.reason());
        };
        return new StepWitness(verdict, witness);
    }

    /**
     * The multi-proof of the witnessed keys. An applied step that deletes a leaf (PruneOrder) needs
     * the openings of the siblings the deletion exposes (docs/protocol.md 2.5), so its proof is an
     * update proof to the post-state value hashes; any other step's is the plain proof.
     */
    private static Proof proof(SparseMerkleTree tree, long version, List<Bytes32> keys, Outcome outcome, RecordingLeafStore view) {
        boolean deletes = outcome instanceof Outcome.Applied && view.writes().stream().anyMatch(LeafStore.Write::deletes);
        if (!deletes) return tree.prove(version, keys);
        Map<Bytes32, Bytes32> after = new HashMap<>();
        for (LeafStore.Write w : view.writes()) {
            after.put(Bytes32.of(w.key()), w.deletes() ? Bytes32.ZERO : Bytes32.of(TreeHash.value(w.bytes())));
        }
        List<Bytes32> newValueHashes = new ArrayList<>(keys.size());
        for (Bytes32 k : keys) {
            Bytes32 h = after.get(k);
            if (h == null) {
                byte[] v = tree.get(version, k).orElse(null);
                h = v == null ? Bytes32.ZERO : Bytes32.of(TreeHash.value(v));
            }
            newValueHashes.add(h);
        }
        return tree.proveUpdate(version, keys, newValueHashes);
    }
}
