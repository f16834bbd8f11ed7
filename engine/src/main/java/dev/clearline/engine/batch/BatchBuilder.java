package dev.clearline.engine.batch;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.MalformedTransitionException;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.NodeStore;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the stream of transitions into batches: applies each to the state tree through the STF
 * (a rejected one is reported and never included), and seals a batch by size or by the time
 * passed in. Not thread-safe: one sequencer thread feeds it.
 */
public final class BatchBuilder {
    private final Stf stf;
    private final NodeStore nodes;
    private final TreeLeafStore state;
    private final BatchPolicy policy;
    private final List<Transition> open = new ArrayList<>();
    private final List<Batch> sealed = new ArrayList<>();
    private long nextBatchIndex;
    private long openedAt;
    private long preVersion;
    private Hash32 preRoot;

    /** Keeps up to {@link TreeLeafStore#DEFAULT_CACHED_LEAVES} leaves at hand. */
    public BatchBuilder(Stf stf, NodeStore nodes, BatchPolicy policy) {
        this(stf, nodes, policy, TreeLeafStore.DEFAULT_CACHED_LEAVES);
    }

    /**
     * @param cachedLeaves how many leaves the STF's leaf store keeps at hand before it starts over
     *     (at a commit): the only cache of leaf values here, since the tree under it keeps none (a
     *     second cache of every committed leaf in the tree cost a node about 150 bytes of heap per
     *     order for good, and the leaf store's own, unbounded by default, about 400 more)
     */
    public BatchBuilder(Stf stf, NodeStore nodes, BatchPolicy policy, int cachedLeaves) {
        this.stf = stf;
        this.nodes = nodes;
        this.state = new TreeLeafStore(new SparseMerkleTree(nodes, 0), cachedLeaves);
        this.policy = policy;
        this.preVersion = state.commit();
        this.preRoot = state.root();
    }

    /** Applies {@code t}; included in the open batch only if the STF accepts it. May seal a full batch. */
    public Outcome append(Transition t, long now) {
        Outcome o = stf.apply(state, t, nextBatchIndex);
        if (!o.applied()) return o;
        if (open.isEmpty()) openedAt = now;
        open.add(t);
        if (open.size() >= policy.maxTransitions()) seal();
        return o;
    }

    /**
     * Applies the transitions one exchange command produced (PostOrders and the Trades that follow
     * them, or an oracle price and the liquidations after it). A group that fits in a batch goes
     * into one batch: if it would not fit in the open batch, that is sealed first. A longer group is
     * cut between its {@link OrderRuns}, so an IOC/FOK order's PostOrder and its fills still never
     * straddle batches (the STF would refuse the fills); a run longer than {@code maxTransitions}
     * (only possible with a policy below {@code Exchange.LONGEST_ORDER_RUN}) gets a batch of its own.
     */
    public List<Outcome> appendAll(List<? extends Transition> group, long now) {
        int[] runs = OrderRuns.forBatches(group, policy.maxTransitions(), () -> StateReads.global(state).orderCount() + 1);
        List<Outcome> outcomes = new ArrayList<>(group.size());
        int at = 0;
        for (int run : runs) {
            if (!open.isEmpty() && open.size() + run > policy.maxTransitions()) seal();
            for (Transition t : group.subList(at, at + run)) {
                Outcome o = stf.apply(state, t, nextBatchIndex);
                outcomes.add(o);
                if (!o.applied()) continue;
                if (open.isEmpty()) openedAt = now;
                open.add(t);
            }
            at += run;
            if (open.size() >= policy.maxTransitions()) seal();
        }
        return outcomes;
    }

    /** Seals the open batch if it is old enough; call with the current time whenever time passes. */
    public void tick(long now) {
        if (!open.isEmpty() && now - openedAt >= policy.maxAgeSeconds()) seal();
    }

    /**
     * Hashes the open batch's writes so far into a tree version of their own, without sealing: no
     * header, root or batch changes (a root depends only on the leaves), but a later {@link #seal()}
     * hashes only the writes after it. A thread that applies transitions behind the one that seals
     * calls this while it has nothing else to do, so the seal's hashing, which the sealing command's
     * reply waits for, is mostly done by then. No-op when nothing is pending.
     */
    public void settle() {
        if (!open.isEmpty() && state.hasPending()) state.commit();
    }

    /** Seals the open batch now (no-op when empty). */
    public void seal() {
        if (open.isEmpty()) return;
        Hash32 post = state.root();
        long postVersion = state.commit();
        List<byte[]> encoded = open.stream().map(TransitionCodec::encode).toList();
        long consumed = currentPriorityOpsConsumed();
        BatchHeader h = new BatchHeader(nextBatchIndex++, preRoot, post, open.size(), TransitionsRoot.of(encoded), consumed);
        sealed.add(new Batch(h, open, preVersion));
        open.clear();
        preRoot = post;
        preVersion = postVersion;
    }

    /** Batches sealed since the last call, oldest first. */
    public List<Batch> takeSealed() {
        List<Batch> out = List.copyOf(sealed);
        sealed.clear();
        return out;
    }

    public int openTransitions() {
        return open.size();
    }

    /** The state as the STF sees it (pending writes included). */
    public TreeLeafStore state() {
        return state;
    }

    /**
     * The state root after the first {@code prefix} transitions of {@code batch}, replayed from its
     * pre-state version on a scratch fork of the node store (what a dispute's bisection needs).
     */
    public Hash32 rootAfterPrefix(Batch batch, int prefix) {
        return BatchReplay.rootAfterPrefix(stf, nodes, batch, prefix);
    }

    /**
     * Writes what the builder holds beside its tree: the next batch's index, the open batch's
     * transitions, when it opened and its pre-state root, and the state root now (pending writes
     * committed first). The tree's leaves are the caller's to write ({@link #forEachLeaf}) and to
     * hand back to {@link #restore}, which rebuilds the tree from them and checks that root. Call
     * between commands, every sealed batch taken.
     */
    public void writeImage(ImageWriter out) {
        if (!sealed.isEmpty()) throw new IllegalStateException(sealed.size() + " sealed batch(es) not taken before the image");
        out.writeLong(nextBatchIndex).writeLong(openedAt).writeHash(preRoot).writeHash(state.root());
        out.writeInt(open.size());
        for (Transition t : open) out.writeBytes(TransitionCodec.encode(t));
    }

    /** Visits every leaf of the state (pending writes committed first), in key order: the tree's own arrays, not to be modified. */
    public void forEachLeaf(java.util.function.BiConsumer<byte[], byte[]> visitor) {
        state.root();
        state.tree().forEachLeaf(visitor);
    }

    /**
     * The builder an image describes, its tree rebuilt in one version from {@code leaves} (each
     * internal node hashed once, not once per transition that wrote below it). Refused when that
     * does not give the root the image records.
     *
     * <p>The open batch's pre-state is known by its root only: the tree versions before the image
     * are gone, so the batch sealed next records no pre-state version ({@link Batch#preStateVersion}
     * -1); nothing in the sequencer replays from it (a dispute replays L1's calldata in the prover).
     */
    public static BatchBuilder restore(Stf stf, NodeStore nodes, BatchPolicy policy, int cachedLeaves, List<LeafStore.Write> leaves,
                                       ImageReader in) {
        BatchBuilder b = new BatchBuilder(stf, nodes, policy, cachedLeaves);
        b.nextBatchIndex = in.readLong();
        b.openedAt = in.readLong();
        Hash32 pre = in.readHash();
        Hash32 root = in.readHash();
        int n = in.readCount(1);
        for (int i = 0; i < n; i++) {
            try {
                b.open.add(TransitionCodec.decode(in.readBytes()));
            } catch (MalformedTransitionException e) {
                throw new ImageFormatException("open transition " + i + " of the image does not decode: " + e.getMessage());
            }
        }
        if (pre == null || root == null) throw new ImageFormatException("the batch builder's image lacks a root");
        b.state.putAll(leaves);
        b.state.commit();
        Hash32 rebuilt = b.state.root();
        if (!rebuilt.equals(root)) {
            throw new ImageFormatException("the image's " + leaves.size() + " leaves give the state root " + rebuilt
                    + " but the image records " + root);
        }
        b.preRoot = pre;
        b.preVersion = -1;
        return b;
    }

    /**
     * A builder that goes on from a state it did not build: the tree is {@code leaves} (a state
     * rebuilt from L1, the post-state of L1's last batch), and the next batch it seals is number
     * {@code nextBatchIndex} with that state's root as its pre-state root, as L1 expects of the
     * batch after its tip.
     */
    public static BatchBuilder takeUp(Stf stf, NodeStore nodes, BatchPolicy policy, int cachedLeaves, List<LeafStore.Write> leaves,
                                      long nextBatchIndex) {
        if (nextBatchIndex < 0) throw new IllegalArgumentException("batch index " + nextBatchIndex);
        BatchBuilder b = new BatchBuilder(stf, nodes, policy, cachedLeaves);
        b.nextBatchIndex = nextBatchIndex;
        b.state.putAll(leaves);
        b.preVersion = b.state.commit();
        b.preRoot = b.state.root();
        return b;
    }

    private long currentPriorityOpsConsumed() {
        return dev.clearline.engine.stf.StateReads.global(state).priorityOpsConsumed();
    }
}
