package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Hash32;

import java.util.List;

/**
 * The exchange's orders by book id and by hash. A hash stays known after its order leaves: a
 * posted one as gone (the tree holds its leaf, so it can never be posted again), one its trader
 * cancelled before it was posted as cancelled (the tree holds a tombstone).
 */
final class OrderIndex {
    private static final LiveOrder GONE = new LiveOrder(-1, null, null);
    private static final LiveOrder CANCELLED = new LiveOrder(-1, null, null);

    private final LongMap<LiveOrder> byId = new LongMap<>();
    private final HashIndex<Hash32, LiveOrder> byHash = new HashIndex<>();
    private long nextId = 1;

    /** A fresh book id. */
    long nextId() {
        return nextId++;
    }

    /** Makes {@code e} the live order behind its id and hash. */
    void add(LiveOrder e) {
        byId.put(e.id, e);
        byHash.put(e.v.hash(), e);
    }

    LiveOrder get(long id) {
        return byId.get(id);
    }

    /** The live order with this hash, or null. */
    LiveOrder live(Hash32 hash) {
        LiveOrder e = byHash.get(hash);
        return e == GONE || e == CANCELLED ? null : e;
    }

    /** Whether the hash was ever used by an order that is no longer live (posted and gone, or cancelled). */
    boolean wasCancelledUnposted(Hash32 hash) {
        return byHash.get(hash) == CANCELLED;
    }

    /** What a hash stands for, in one probe: null when it is free, else its live order or a marker. */
    LiveOrder prior(Hash32 hash) {
        return byHash.get(hash);
    }

    /** Whether a {@link #prior} result is the mark of a cancel before posting. */
    static boolean isCancelledMark(LiveOrder prior) {
        return prior == CANCELLED;
    }

    /** Whether this hash is taken: live, posted before, or cancelled. */
    boolean known(Hash32 hash) {
        return byHash.get(hash) != null;
    }

    /** Records that the tree holds a tombstone for this hash (cancelled before it was posted). */
    void markCancelled(Hash32 hash) {
        byHash.put(hash, CANCELLED);
    }

    /** Drops {@code e} from both indexes; its hash stays taken when it was posted. */
    void remove(LiveOrder e) {
        if (byId.get(e.id) == e) byId.remove(e.id);
        unindexHash(e);
    }

    /** Drops only the hash of an order being replaced under the same id. */
    void unindexHash(LiveOrder e) {
        int at = byHash.find(e.v.hash()); // one probe for the check and the change
        if (at < 0 || byHash.valueAt(at) != e) return;
        if (e.posted) byHash.setValueAt(at, GONE);
        else byHash.removeAt(at);
    }

    /** Marks a hash posted-and-gone (an order posted during a refused amend). */
    void markGone(Hash32 hash) {
        byHash.put(hash, GONE);
    }

    /** A snapshot of the live orders, for rare whole-set passes (liquidation), not per-operation use. */
    List<LiveOrder> all() {
        return byId.values();
    }
}
