package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;

import java.util.List;
import java.util.function.LongFunction;

/**
 * The exchange's live orders by book id and by hash, and what it must remember of the orders that
 * left, which is little: a hash can come back only as the very same signed order, so with the same
 * trader and nonce, and every order this exchange accepted has its nonce recorded as used
 * ({@link UsedNonces}) before or as it leaves. A fresh nonce therefore means a fresh hash, and
 * only a used nonce needs the question "was this hash spent, and how?", answered by the tree
 * (its ORDER_HASH leaf: posted, or a tombstone) or, for an order cancelled before it was posted
 * (which the tree never saw), by a 64-bit fingerprint of its hash. So the hash table holds the
 * live orders only. The fingerprints cost 8 bytes per cancel before posting, plus 8 per
 * ForcedCancel tombstone (an L1 priority operation each; a hash named by one is looked up in the
 * tree even with a fresh nonce, and the tombstone binds only its canceller's own order, as in the
 * STF), and are kept for as long as the exchange refuses that hash with ORDER_CANCELLED (docs/protocol.md section 5:
 * "from then on"): for good for an order without expiry; for an order with one, until its expiry has
 * passed and it is refused as EXPIRED anyway ({@link ExpiringNonces}, which keeps those fingerprints
 * and forgets them with the order's nonce).
 */
final class OrderIndex {
    private final LongMap<LiveOrder> byId = new LongMap<>();
    private final HashIndex<Hash32, LiveOrder> byHash = new HashIndex<>();
    /** Fingerprints of the hashes of orders cancelled before they were posted. */
    private final LongSet cancelledUnposted = new LongSet();
    /** Fingerprints of hashes the tree holds a ForcedCancel tombstone for. */
    private final LongSet forcedTombstones = new LongSet();
    /** The nonces and cancel fingerprints of orders with an expiry, until it passes. */
    private final ExpiringNonces expiring;
    /**
     * Whether every new order's hash is looked up in the tree, not only those whose nonce the trader
     * used before here: set by {@link Exchange#takeUp}, whose accounts start without the nonces of
     * the orders L1 already holds, so the used-nonce shortcut would let a posted order in again (and
     * every fill of it be refused). One ORDER_HASH key and look-up per order.
     */
    private boolean everyHashInTree;
    private long nextId = 1;

    OrderIndex(ExpiringNonces expiring) {
        this.expiring = expiring;
    }

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
        return byHash.get(hash);
    }

    /**
     * Why {@code trader}'s order with this hash cannot be taken, or null: DUPLICATE_ORDER when it
     * is live or was posted, ORDER_CANCELLED when its trader cancelled it (a tombstone of the
     * trader's own in {@code tree}, or a cancel before posting here). {@code nonceUsed}: whether
     * the trader already used the order's nonce; when not, and no ForcedCancel named the hash, the
     * hash was never taken and only the table of live orders is read.
     */
    Reject spent(Hash32 hash, Address trader, boolean nonceUsed, LeafStore tree) {
        if (byHash.get(hash) != null) return Reject.DUPLICATE_ORDER;
        long f = fingerprint(hash);
        if (!nonceUsed && !everyHashInTree && (forcedTombstones.size() == 0 || !forcedTombstones.contains(f))) return null;
        OrderHashLeaf leaf = StateReads.orderHash(tree, hash);
        if (leaf != null && !leaf.isTombstone()) return Reject.DUPLICATE_ORDER;
        // another trader's tombstone does not bind this order, in the STF as here (no griefing)
        if (leaf != null && leaf.cancelledBy().equals(trader)) return Reject.ORDER_CANCELLED;
        return nonceUsed && (cancelledUnposted.contains(f) || expiring.isCancelled(f)) ? Reject.ORDER_CANCELLED : null;
    }

    /**
     * Records that this exchange refuses the hash from now on: its order was cancelled before it was posted
     * (for an order with {@code expiry}, until that passes).
     */
    void markCancelledUnposted(Hash32 hash, long expiry) {
        if (expiry == 0) cancelledUnposted.add(fingerprint(hash));
        else expiring.markCancelled(fingerprint(hash));
    }

    /** From now on every new order's hash is looked up in the tree ({@link Exchange#takeUp}). */
    void lookUpEveryHash() {
        everyHashInTree = true;
    }

    boolean looksUpEveryHash() {
        return everyHashInTree;
    }

    /** Records that the tree holds a ForcedCancel's tombstone for a hash (rare: one L1 priority operation each). */
    void markForcedTombstone(Hash32 hash) {
        forcedTombstones.add(fingerprint(hash));
    }

    /** Drops {@code e} from both indexes. */
    void remove(LiveOrder e) {
        if (byId.get(e.id) == e) byId.remove(e.id);
        unindexHash(e);
    }

    /**
     * Drops only the hash of an order being replaced under the same id. Its nonce stays used (a
     * posted order refused at submission had not recorded it yet), so its hash stays refused.
     */
    void unindexHash(LiveOrder e) {
        int at = byHash.find(e.v.hash()); // one probe for the check and the change
        if (at < 0 || byHash.valueAt(at) != e) return;
        if (e.posted) e.account.nonces.add(e.order().nonce());
        byHash.removeAt(at);
    }

    /** Hashes the table holds: the live orders (what a churn test bounds). */
    int retainedHashes() {
        return byHash.size();
    }

    /** Fingerprints of cancels before posting (8 bytes each, kept: see the class comment), with those of orders that expire. */
    int cancelledUnpostedCount() {
        return cancelledUnposted.size() + expiring.cancelledCount();
    }

    /** A snapshot of the live orders, for rare whole-set passes (liquidation), not per-operation use. */
    List<LiveOrder> all() {
        return byId.values();
    }

    /**
     * Writes the live orders, each once, inside the by-id table (as laid out: liquidation walks
     * it), then the hash table as laid out with references by book id, the fingerprint sets and
     * the next id. Every order the hash table holds must be the one its id names.
     */
    void writeImage(ImageWriter out) {
        byId.writeImage(out, (o, e) -> e.writeImage(o));
        byHash.writeImage(out, e -> {
            if (byId.get(e.id) != e) throw new IllegalStateException("order " + e.id + " is live by hash but not by id");
            return e.id;
        }, e -> e.v.hash());
        cancelledUnposted.writeImage(out);
        forcedTombstones.writeImage(out);
        out.writeLong(nextId);
    }

    /** Restores what {@link #writeImage} wrote into this index, which must be new; {@code accounts} finds an account by owner id. */
    void readImage(ImageReader in, LongFunction<Account> accounts) {
        byId.readImage(in, r -> LiveOrder.readImage(r, accounts), e -> e.id);
        byHash.readImage(in, byId::get, e -> e.v.hash());
        cancelledUnposted.readImage(in);
        forcedTombstones.readImage(in);
        long next = in.readLong();
        for (LiveOrder e : byId.values()) {
            if (e.id < 1 || e.id >= next) throw new ImageFormatException("live order " + e.id + " not below the next id " + next);
        }
        nextId = next;
    }

    /** The hash's first 8 bytes: Keccak output, so as good as any 64 bits of it. */
    static long fingerprint(Hash32 hash) {
        return hash.leading64();
    }
}
