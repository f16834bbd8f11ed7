package dev.clearline.prover.replay;

import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.TransitionsRoot;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.ForkedNodeStore;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.NodeStore;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays posted batches with the Java STF and judges each one. A batch's writes are held apart
 * from the verified state while it is judged, and its root is computed without writing anything
 * ({@link TreeLeafStore#prepare()}); only an honest batch is then kept, as one new tree version, and
 * a fraudulent one is dropped without having touched the tree. Each batch is thus applied once.
 * The verified chain is always the state the rollup's honest history leads to, whatever a
 * proposer posted.
 *
 * <p>Not thread-safe: one watcher thread feeds it batches in L1 order.
 */
public final class BatchVerifier {
    private final Stf stf;
    private final NodeStore nodes;
    private final SparseMerkleTree tree;
    /** The verified state as the STF reads it; its leaf cache lives as long as the verifier. */
    private final TreeLeafStore state;
    /** Tree version holding the pre-state of each batch judged honest, for bisection replays. */
    private final Map<Long, Long> preVersions = new HashMap<>();
    /** Batches below this index may have lost their pre-state to {@link #forgetHistory()}; -1: nothing forgotten. */
    private long forgottenBelow = -1;
    /** The highest batch index judged so far. */
    private long highestJudged = -1;
    /** Batches prefetched, decoded once (the prefetched signers belong to that very list of steps). */
    private final Map<PostedBatch, CalldataReplay.Decoded> decodedAhead = new IdentityHashMap<>();

    /** A verifier whose tree computes each batch's version on every core when the machine has a second one ({@link TreeHelper}). */
    public BatchVerifier(Stf stf, NodeStore nodes) {
        this(stf, nodes, TreeHelper.forThisMachine());
    }

    /** @param treeHelper computes each batch's version in pieces, or {@code null}: all on the calling thread */
    public BatchVerifier(Stf stf, NodeStore nodes, java.util.concurrent.ForkJoinPool treeHelper) {
        this.stf = stf;
        this.nodes = nodes;
        // The leaf store keeps the values it needs at hand; the tree need not cache them too.
        this.tree = new SparseMerkleTree(nodes, 0, treeHelper);
        this.state = new TreeLeafStore(tree);
    }

    /** Visits every leaf of the verified state in key order (key, value: the tree's own arrays, not to be modified). */
    public void forEachLeaf(java.util.function.BiConsumer<byte[], byte[]> visitor) {
        tree.forEachLeaf(visitor);
    }

    /** How many withdrawals the verified state numbered (its next withdrawal id). */
    public long withdrawalCount() {
        return dev.clearline.engine.stf.StateReads.global(state).nextWithdrawalId();
    }

    /** The state root every honest batch so far leads to. */
    public Hash32 verifiedRoot() {
        return new Hash32(tree.root().toArray());
    }

    /**
     * Judges {@code batch} against the verified state; only an honest batch advances it.
     * Transitions are replayed in the context of the header's batch index (IOC/FOK rules).
     */
    public Verdict verify(PostedBatch batch) {
        return verify(batch, null);
    }

    /**
     * Told of each transition of a batch being judged right after the STF applied it, with the state as it left it (reads
     * only): what a reader of L1 learns besides the root (the take-up's fills). A batch found wrong later has been told of
     * in part: the watcher keeps what it learns only for honest verdicts.
     */
    @FunctionalInterface
    public interface StepWatcher {
        void applied(dev.clearline.engine.transition.Transition t, dev.clearline.engine.stf.LeafStore state);
    }

    /** As {@link #verify(PostedBatch)}, telling {@code watcher} (or nobody, when null) of each transition applied. */
    public Verdict verify(PostedBatch batch, StepWatcher watcher) {
        BatchHeader h = batch.header();
        long index = h.batchIndex();
        highestJudged = Math.max(highestJudged, index);
        Hash32 pre = verifiedRoot();
        if (!pre.equals(h.prevStateRoot())) return new Verdict.WrongPrevRoot(index, h.prevStateRoot(), pre);

        CalldataReplay.Decoded decoded = decodedAhead.remove(batch);
        if (decoded == null) decoded = CalldataReplay.decode(batch.calldata());
        if (decoded.tail().isPresent()) {
            CalldataReplay.Tail t = decoded.tail().get();
            return new Verdict.Undecodable(index, decoded.steps().size(), t.offset(), t.reason());
        }
        List<CalldataReplay.Step> steps = decoded.steps();
        if (steps.size() != h.transitionCount()) {
            return new Verdict.HeaderMismatch(index, "transitionCount", Integer.toString(h.transitionCount()), Integer.toString(steps.size()));
        }
        Hash32 transitionsRoot = TransitionsRoot.of(decoded.encoded());
        if (!transitionsRoot.equals(h.transitionsRoot())) {
            return new Verdict.HeaderMismatch(index, "transitionsRoot", h.transitionsRoot().toString(), transitionsRoot.toString());
        }
        int malformed = decoded.firstMalformed();
        if (malformed >= 0) {
            CalldataReplay.Step s = steps.get(malformed);
            return new Verdict.Undecodable(index, malformed, s.offset(), s.malformed());
        }

        long preVersion = tree.latestVersion();
        try {
            Verdict v = judge(h, steps, watcher);
            if (v.honest()) preVersions.put(index, preVersion);
            return v;
        } finally {
            // A refused batch (or a failure halfway) leaves the verified state as it was; after a commit this does nothing.
            state.discard();
        }
    }

    /**
     * Drops every tree version but the latest, and the pre-states kept for bisection with them: a
     * replay that only judges (`verify-batches`, the replay up to one batch) then holds one state in
     * memory instead of one more version per batch (about 40,000 nodes per batch of 1,000 fills),
     * which over a long chain would fill any heap. Judging goes on as before; asking
     * {@link #rootAfterPrefix} about a batch judged before this call is refused.
     */
    public void forgetHistory() {
        long latest = tree.latestVersion();
        if (latest > tree.oldestVersion()) tree.prune(latest);
        preVersions.clear();
        forgottenBelow = highestJudged + 1;
    }

    /**
     * Tells the verifier which batch comes after the one it will judge next: when its STF recovers
     * signatures ahead ({@link SignaturesAhead}), the signers of {@code next} are recovered on the
     * other cores while this thread is still busy with the batches before it. Does nothing for
     * any other STF, or for calldata that does not split into transitions.
     */
    public void prefetch(PostedBatch next) {
        if (!(stf.verifier() instanceof SignaturesAhead) || decodedAhead.containsKey(next)) return;
        CalldataReplay.Decoded decoded = CalldataReplay.decode(next.calldata());
        if (decodedAhead.size() >= 2) decodedAhead.clear(); // batches prefetched and never judged
        decodedAhead.put(next, decoded);
        SignaturesAhead.prefetchFor(stf, decoded);
    }

    /** Applies the decoded transitions to the verified state and keeps them only if the batch is honest. */
    private Verdict judge(BatchHeader h, List<CalldataReplay.Step> steps, StepWatcher watcher) {
        long index = h.batchIndex();
        CalldataReplay.Applied applied = CalldataReplay.apply(stf, state, steps, steps.size(), index, CalldataReplay.OnRefusal.STOP,
                watcher == null ? CalldataReplay.AfterStep.NONE : step -> watcher.applied(steps.get(step).transition(), state));
        if (!applied.allApplied()) return new Verdict.RejectedStep(index, applied.firstRefused(), applied.reason());
        long consumed = StateReads.global(state).priorityOpsConsumed();
        if (consumed != h.priorityOpsConsumed()) {
            return new Verdict.HeaderMismatch(index, "priorityOpsConsumed", Long.toString(h.priorityOpsConsumed()), Long.toString(consumed));
        }
        TreeLeafStore.Prepared prepared = state.prepare();
        Hash32 post = prepared.root();
        if (!post.equals(h.postStateRoot())) return new Verdict.WrongPostRoot(index, h.postStateRoot(), post);
        state.commit(prepared);
        return new Verdict.Honest(index, post);
    }

    /**
     * The batch of {@code transitions} that would follow the verified state as index
     * {@code batchIndex}: its header (the roots before and after, the count, the transitions root,
     * the priority ops consumed after it) and its calldata, as L1 takes them. What a proposer who is
     * not the operator posts (the queued ops a censoring operator left). Nothing is kept: the
     * verified state stays where it was.
     *
     * @throws IllegalArgumentException naming the first transition the STF refuses: no honest batch holds it
     */
    public PostedBatch propose(long batchIndex, List<? extends dev.clearline.engine.transition.Transition> transitions) {
        Hash32 pre = verifiedRoot();
        try {
            java.io.ByteArrayOutputStream calldata = new java.io.ByteArrayOutputStream();
            List<byte[]> encoded = new java.util.ArrayList<>(transitions.size());
            for (int i = 0; i < transitions.size(); i++) {
                var t = transitions.get(i);
                if (stf.apply(state, t, batchIndex) instanceof dev.clearline.engine.stf.Outcome.Rejected r) {
                    throw new IllegalArgumentException("transition " + i + " (" + t.getClass().getSimpleName() + ") is refused by the STF: "
                            + r.reason() + "; no honest batch can hold it here");
                }
                byte[] e = dev.clearline.engine.transition.TransitionCodec.encode(t);
                encoded.add(e);
                calldata.writeBytes(e);
            }
            long consumed = StateReads.global(state).priorityOpsConsumed();
            Hash32 post = state.prepare().root();
            return new PostedBatch(new BatchHeader(batchIndex, pre, post, transitions.size(), TransitionsRoot.of(encoded), consumed),
                    calldata.toByteArray());
        } finally {
            state.discard();
        }
    }

    /**
     * The state root after the first {@code prefix} transitions of {@code batch}, replayed from
     * the verified state before it (or from the current state when the batch was not accepted):
     * the roots a bisection move claims. Steps the STF refuses leave the root unchanged, as the
     * one-step verifier does.
     */
    public Hash32 rootAfterPrefix(PostedBatch batch, int prefix) {
        long index = batch.header().batchIndex();
        if (index < forgottenBelow && !preVersions.containsKey(index)) {
            throw new IllegalStateException("batch " + index + " was judged before this verifier forgot its history (forgetHistory);"
                    + " replay with a verifier that keeps it to bisect that batch");
        }
        long preVersion = preVersions.getOrDefault(index, tree.latestVersion());
        CalldataReplay.Decoded decoded = CalldataReplay.decode(batch.calldata());
        if (decoded.tail().isPresent()) throw new IllegalArgumentException("calldata does not split: " + decoded.tail().get().reason());
        TreeLeafStore scratch = new TreeLeafStore(new SparseMerkleTree(new ForkedNodeStore(nodes, preVersion), 0));
        CalldataReplay.apply(stf, scratch, decoded.steps(), prefix, batch.header().batchIndex(), CalldataReplay.OnRefusal.SKIP,
                CalldataReplay.AfterStep.NONE);
        return scratch.root();
    }
}
