package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.stf.KeyCache;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.LeafStore.Write;
import dev.clearline.engine.stf.MemoryLeafStore;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exchange's copy of the state and the STF that moves it: every transition the exchange emits
 * has gone through the same {@link Stf} the batches use, on this mirror, so none is ever refused
 * later. Requests verified by the {@link SignatureStage} are trusted here: their signer and digest
 * are already known, so the mirror STF does not recover or hash them again.
 */
final class StfMirror {
    final MemoryLeafStore state = new MemoryLeafStore();
    final KeyCache keys = new KeyCache(1 << 16);
    private final Stf stf;
    private final List<Transition> emitted = new ArrayList<>();
    /** Short ids of posted orders that left since the last {@link #take}: pruned at the next one. */
    private long[] retired = new long[64];
    private int retiredCount;
    /** The hashes of the retired orders with an expiry, by short id, until the next {@link #take}. */
    private final Map<Long, Hash32> retiredHashes = new HashMap<>();
    /** Retired orders' hashes waiting for their market's oracle time to pass their expiry: {@link ExpiredHashes}. */
    private final ExpiredHashes expiredHashes = new ExpiredHashes();
    /**
     * Short ids of ORDER leaves a taken-up state holds for orders no book of this exchange holds
     * ({@link #pruneOrphans}), ascending; those before {@link #orphansPruned} are pruned already.
     */
    private long[] orphans = new long[0];
    private int orphansPruned;
    /** The most orphaned ORDER leaves pruned at the end of one command: a state taken up with many resting orders does not stall its first one. */
    static final int ORPHANS_PER_TAKE = 256;
    /** The ORDER leaves the last {@link #take} pruned, by short id: its earlier transitions name them. */
    private final Map<Long, OrderLeaf> prunedLastTake = new HashMap<>();
    private final Map<Integer, MarketLeaf> markets = new HashMap<>();
    /** The market asked for last (most commands touch one market): no boxing, no map probe. */
    private int lastMarketId;
    private MarketLeaf lastMarket;
    private Signature trustedSignature;
    private Address trustedSigner;
    private Order trustedOrder;
    private Hash32 trustedOrderHash;

    StfMirror(Eip712 domain, SignatureVerifier verifier) {
        SignatureVerifier trusting = (digest, sig) ->
                sig == trustedSignature && sig != null ? trustedSigner : verifier.recover(digest, sig);
        this.stf = new Stf(domain, trusting, o -> o == trustedOrder ? trustedOrderHash : domain.orderDigest(o));
    }

    /**
     * Transitions emitted since the last call, ending with a PruneOrder for each posted order that
     * left the exchange since then ({@link #retire}), ascending by id, then a PruneOrderHash for each
     * retired order's hash whose expiry its market's oracle time has passed ({@link ExpiredHashes}).
     */
    List<Transition> take() {
        prunedLastTake.clear();
        pruneRetired();
        if (orphansPruned < orphans.length) pruneOrphanSlice();
        if (!expiredHashes.isEmpty()) expiredHashes.pruneDue(this::market, this::emit);
        List<Transition> out = List.copyOf(emitted);
        emitted.clear();
        return out;
    }

    /**
     * Notes that the posted order {@code l} left the exchange (filled, cancelled, expired, replaced
     * or evicted): its ORDER leaf is pruned when the command's transitions are taken, after every
     * transition that names it, and, if it has an expiry, its hash waits for that expiry from then
     * on ({@link ExpiredHashes}). Noting an order twice prunes it once.
     */
    void retire(LiveOrder l) {
        if (retiredCount == retired.length) retired = Arrays.copyOf(retired, retired.length * 2);
        retired[retiredCount++] = l.stateId;
        if (l.order().expiry() != 0) retiredHashes.put(l.stateId, l.v.hash());
    }

    /**
     * Notes ORDER leaves of orders this exchange will never fill: a state taken up from L1
     * ({@link Exchange#takeUp}) holds the leaves of the orders that rested there, partly filled,
     * while its books start empty. They are pruned, ascending, at most {@link #ORPHANS_PER_TAKE}
     * at the end of each command's transitions from the next one on, so the state again holds an
     * ORDER leaf only for a live order (docs/protocol.md, PruneOrder). Their ORDER_HASH leaves stay:
     * the signed orders are still refused for good; one with an expiry goes once it passes only if
     * the taker-up named its hash ({@link #awaitExpiries}: the state holds only its key).
     */
    void pruneOrphans(long[] ids) {
        long[] sorted = java.util.Arrays.stream(ids).sorted().distinct().toArray();
        orphans = sorted;
        orphansPruned = 0;
    }

    /**
     * Of {@code hashes} (digests of orders a reader of L1 saw posted), the ones whose ORDER_HASH leaf this state holds as
     * posted with an expiry wait for it ({@link ExpiredHashes}), as a retired order's hash does: a taken-up state whose
     * orders all left with the books prunes each once its market's oracle time passes its expiry. Any other hash (no
     * leaf, a tombstone, no expiry, named twice) is passed over: what L1's state says decides, not the list. Call once,
     * before the first command.
     */
    void awaitExpiries(List<Hash32> hashes) {
        java.util.Set<Hash32> seen = new java.util.HashSet<>();
        for (Hash32 h : hashes) {
            if (!seen.add(h)) continue;
            dev.clearline.engine.state.OrderHashLeaf leaf = dev.clearline.engine.stf.StateReads.orderHash(state, h);
            if (leaf == null || leaf.expiry() == 0) continue; // none, or one without expiry (a tombstone has none either)
            expiredHashes.add(leaf.marketId(), leaf.expiry(), leaf.orderId(), h);
        }
    }

    /** Orphaned ORDER leaves still to prune (tests, and an image's optional part). */
    int orphansLeft() {
        return orphans.length - orphansPruned;
    }

    private void pruneOrphanSlice() {
        int end = Math.min(orphans.length, orphansPruned + ORPHANS_PER_TAKE);
        for (int i = orphansPruned; i < end; i++) {
            // a leaf gone meanwhile is skipped: a prune the STF would refuse is never emitted
            if (state.get(keys.orderState(orphans[i])) != null) emit(new Transition.PruneOrder(orphans[i]));
        }
        orphansPruned = end;
        if (end == orphans.length) {
            orphans = new long[0];
            orphansPruned = 0;
        }
    }

    /** The orphans still to prune, ascending (an image's optional part). */
    void writeOrphans(ImageWriter out) {
        out.writeInt(orphansLeft());
        for (int i = orphansPruned; i < orphans.length; i++) out.writeLong(orphans[i]);
    }

    /** Reads what {@link #writeOrphans} wrote. */
    void readOrphans(ImageReader in) {
        int n = in.readCount(8);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = in.readLong();
            if (ids[i] <= 0 || i > 0 && ids[i] <= ids[i - 1]) throw new ImageFormatException("orphaned order id " + ids[i] + " out of order");
        }
        orphans = ids;
        orphansPruned = 0;
    }

    /** The ORDER leaf the last {@link #take} pruned under {@code stateId} (null: none). */
    OrderLeaf prunedInLastTake(long stateId) {
        return prunedLastTake.get(stateId);
    }

    private void pruneRetired() {
        if (retiredCount == 0) return;
        Arrays.sort(retired, 0, retiredCount);
        for (int i = 0; i < retiredCount; i++) {
            if (i > 0 && retired[i] == retired[i - 1]) continue;
            OrderLeaf leaf = state.get(keys.orderState(retired[i]), OrderLeaf.class, OrderLeaf::decode);
            prunedLastTake.put(retired[i], leaf);
            emit(new Transition.PruneOrder(retired[i]));
            Hash32 hash = retiredHashes.get(retired[i]);
            if (hash != null) expiredHashes.add(leaf.marketId(), leaf.expiry(), retired[i], hash);
        }
        retiredCount = 0;
        retiredHashes.clear();
        if (retired.length > 1024) retired = new long[64]; // a sweep's burst is not kept for good
    }

    /** A non-order transition: applied and emitted when the STF accepts it; the market cache is dropped. */
    Reject applyRequest(Transition t) {
        Outcome o = stf.apply(state, t);
        if (o instanceof Outcome.Rejected r) return r.reason();
        emitted.add(t);
        markets.clear();
        lastMarket = null;
        return null;
    }

    /** Emits a transition the exchange knows the STF accepts; a refusal is a bug in the exchange. */
    void emit(Transition t) {
        Outcome o = stf.apply(state, t);
        if (!o.applied()) throw new IllegalStateException("the exchange built a transition its own STF refuses: " + t + " -> " + o);
        emitted.add(t);
    }

    /** Emits an owner's verified cancel of a posted order. */
    void emitCancel(VerifiedCancel c) {
        trust(c.signature(), c.owner(), null, null);
        try {
            emit(new Transition.Cancel(c.owner(), c.orderHash(), c.signature()));
        } finally {
            trust(null, null, null, null);
        }
    }

    /** Tries a live order's PostOrder on {@code store}; null when applied (and, on the mirror, emitted). */
    Reject tryPost(LeafStore store, LiveOrder l) {
        trust(l.v.signature(), l.order().trader(), l.order(), l.v.hash());
        try {
            return tryApply(store, new Transition.PostOrder(l.order(), l.v.signature()));
        } finally {
            trust(null, null, null, null);
        }
    }

    /** Tries a transition on {@code store} (the mirror or a scratch overlay); null when applied. */
    Reject tryApply(LeafStore store, Transition t) {
        Outcome o = stf.apply(store, t);
        if (o instanceof Outcome.Rejected r) return r.reason();
        if (store == state) emitted.add(t);
        return null;
    }

    /**
     * Market parameters, mark, index and oracle time. Cached until the next non-order transition:
     * fills only change the fee total, which nothing here reads.
     */
    MarketLeaf market(int id) {
        if (id == lastMarketId && lastMarket != null) return lastMarket;
        MarketLeaf m = markets.get(id);
        if (m == null) {
            m = state.get(keys.market(id), MarketLeaf.class, MarketLeaf::decode);
            if (m == null) return null;
            markets.put(id, m);
        }
        lastMarketId = id;
        lastMarket = m;
        return m;
    }

    /** Transitions emitted and not taken yet. */
    boolean hasPending() {
        return !emitted.isEmpty() || retiredCount > 0;
    }

    /**
     * Writes every leaf (key, value), ascending by key so that equal states give equal images
     * whatever the table's layout (nothing walks the table in its own order). The market cache
     * and the key cache are not written (they fill again on use), nor the trusted request, which
     * is set only inside one transition.
     */
    void writeImage(ImageWriter out) {
        if (hasPending()) throw new IllegalStateException(emitted.size() + " transitions and " + retiredCount + " prunes not taken yet");
        if (trustedSignature != null || trustedOrder != null) throw new IllegalStateException("a state image taken inside a transition");
        List<byte[][]> leaves = new ArrayList<>(state.size());
        state.forEach((k, v) -> leaves.add(new byte[][] {k, v}));
        leaves.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
        out.writeInt(leaves.size());
        for (byte[][] leaf : leaves) out.writeRaw(leaf[0]).writeWords(leaf[1]);
    }

    /** The hashes waiting for their prune: part of the exchange's image (not of the leaves). */
    ExpiredHashes expiredHashes() {
        return expiredHashes;
    }

    /** Restores the leaves {@link #writeImage} wrote into this mirror, which must be new. */
    void readImage(ImageReader in) {
        if (state.size() != 0) throw new IllegalStateException("restoring into a mirror that is not new");
        int n = in.readCount(36); // a key and a value's length at least
        List<Write> writes = new ArrayList<>(n);
        byte[] last = null;
        for (int i = 0; i < n; i++) {
            byte[] key = in.readRaw(32);
            byte[] value = in.readWords();
            if (value == null) throw new ImageFormatException("leaf " + i + " without a value");
            if (last != null && Arrays.compareUnsigned(last, key) >= 0) throw new ImageFormatException("leaf " + i + " out of key order");
            last = key;
            writes.add(new Write(key, value));
        }
        state.putAll(writes);
    }

    private void trust(Signature signature, Address signer, Order order, Hash32 orderHash) {
        trustedSignature = signature;
        trustedSigner = signer;
        trustedOrder = order;
        trustedOrderHash = orderHash;
    }
}
