package dev.clearline.prover.dispute;

import dev.clearline.engine.batch.TransitionsRoot;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.ForkedNodeStore;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.MalformedTransitionException;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.engine.witness.WitnessBuilder;
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
public final class BatchTrace {
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
        this.pieces = split(batch.calldata());
        this.fork = new SparseMerkleTree(new ForkedNodeStore(nodes, preVersion));
        // A version of the fork's own for the pre-state: the witness builder proves against a
        // committed version, and the empty genesis has none in the base.
        versions.add(fork.commit(new WriteSet()));
        roots.add(new Hash32(fork.root().toArray()));
        TreeLeafStore store = new TreeLeafStore(fork);
        long batchIndex = batch.header().batchIndex();
        OptionalInt refused = OptionalInt.empty();
        for (int step = 0; step < pieces.size(); step++) {
            Transition t;
            try {
                t = TransitionCodec.decode(pieces.get(step));
            } catch (MalformedTransitionException e) {
                refused = OptionalInt.of(step);
                break;
            }
            Outcome o = stf.apply(store, t, batchIndex);
            if (!o.applied()) {
                refused = OptionalInt.of(step);
                break;
            }
            long v = store.commit();
            versions.add(v);
            roots.add(new Hash32(fork.root(v).toArray()));
        }
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

    /** Cuts calldata by each type byte's length; a broken tail (the rollup refuses those) is one last piece. */
    static List<byte[]> split(byte[] calldata) {
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < calldata.length) {
            int length = TransitionCodec.lengthOf(calldata[at] & 0xff);
            if (length < 0 || at + length > calldata.length) {
                out.add(Arrays.copyOfRange(calldata, at, calldata.length));
                break;
            }
            out.add(Arrays.copyOfRange(calldata, at, at + length));
            at += length;
        }
        return out;
    }
}
