package dev.clearline.prover.dispute;

import dev.clearline.engine.batch.TransitionsRoot;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.ForkedNodeStore;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.witness.WitnessBuilder;
import dev.clearline.prover.replay.CalldataReplay;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.store.NodeStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One posted batch replayed step by step from its pre-state on a scratch fork of the verified
 * state, keeping a tree version per step: the roots a bisection move names, and the pre-state a
 * one-step witness is proven against. The replay stops at the first transition the STF refuses
 * (or cannot decode): the Solidity step refuses it too, so that step alone proves the batch wrong,
 * and no honest root exists after it.
 */
public final class BatchTrace implements HonestRoots {
    private final PostedBatch batch;
    private final List<byte[]> pieces;
    private final SparseMerkleTree fork;
    /** versions[j]: the fork version holding the state after the first j transitions. */
    private final List<Long> versions = new ArrayList<>();
    private final List<Hash32> roots = new ArrayList<>();
    private final OptionalInt firstRefused;

    /**
     * @param nodes the verified state's node store (read only: writes go to a fork)
     * @param preVersion its version holding the batch's pre-state ({@code -1}: the empty genesis)
     */
    public BatchTrace(Stf stf, NodeStore nodes, long preVersion, PostedBatch batch) {
        this.batch = batch;
        CalldataReplay.Decoded decoded = CalldataReplay.decode(batch.calldata());
        this.pieces = decoded.pieces();
        // no value cache in the tree: the leaf store below keeps the leaves at hand
        this.fork = new SparseMerkleTree(new ForkedNodeStore(nodes, preVersion), 0);
        // A version of the fork's own for the pre-state: the witness builder proves against a
        // committed version, and the empty genesis has none in the base.
        versions.add(fork.commit(new WriteSet()));
        roots.add(new Hash32(fork.root().toArray()));
        TreeLeafStore store = new TreeLeafStore(fork);
        CalldataReplay.Applied applied = CalldataReplay.apply(stf, store, decoded.steps(), decoded.steps().size(),
                batch.header().batchIndex(), CalldataReplay.OnRefusal.STOP, step -> {
                    long v = store.commit();
                    versions.add(v);
                    roots.add(new Hash32(fork.root(v).toArray()));
                });
        // a broken tail is one last piece the STF refuses, after every whole one applied
        OptionalInt refused = !applied.allApplied() ? OptionalInt.of(applied.firstRefused())
                : decoded.tail().isPresent() ? OptionalInt.of(decoded.steps().size()) : OptionalInt.empty();
        this.firstRefused = refused;
    }

    public PostedBatch batch() {
        return batch;
    }

    public int transitionCount() {
        return pieces.size();
    }

    /** The first transition the STF refuses or cannot decode, if any: fraud provable by its step alone. */
    public OptionalInt firstRefused() {
        return firstRefused;
    }

    /**
     * The honest state root after the first {@code prefix} transitions, or empty when no honest
     * root exists there (the prefix runs past a refused transition): every claim there is wrong.
     */
    public Optional<Hash32> rootAfter(int prefix) {
        if (prefix < 0 || prefix > pieces.size()) throw new IndexOutOfBoundsException("prefix " + prefix + " of " + pieces.size());
        return prefix < roots.size() ? Optional.of(roots.get(prefix)) : Optional.empty();
    }

    /** True when the batch is wrong: a refused transition, or a posted post-root the replay does not reach. */
    public boolean fraudulent() {
        return firstRefused.isPresent() || !roots.getLast().equals(batch.header().postStateRoot());
    }

    /** True when {@code claimed} is the honest root after {@code prefix} transitions. */
    @Override
    public boolean agrees(int prefix, byte[] claimed) {
        return rootAfter(prefix).map(r -> Arrays.equals(r.bytes(), claimed)).orElse(false);
    }

    public byte[] transition(int step) {
        return pieces.get(step).clone();
    }

    /** The inclusion proof of transition {@code step} in the batch's transitions root, bottom-up. */
    public List<byte[]> inclusionProof(int step) {
        return TransitionsRoot.proof(pieces, step).stream().map(Hash32::bytes).toList();
    }

    /**
     * The one-step witness of transition {@code step} against the honest state before it.
     *
     * @throws IllegalArgumentException when the replay stopped before {@code step} (no honest pre-state)
     */
    public byte[] witness(WitnessBuilder builder, int step) {
        if (step >= versions.size()) {
            throw new IllegalArgumentException("no honest pre-state for step " + step + ": the replay stopped at step "
                    + firstRefused.orElse(-1));
        }
        return builder.build(fork, versions.get(step), pieces.get(step), batch.header().batchIndex()).witness().encode();
    }
}
