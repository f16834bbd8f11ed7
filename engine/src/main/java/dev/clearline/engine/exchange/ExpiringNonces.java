package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

import java.util.Comparator;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * What the exchange remembers of an order with an expiry only until that expiry has passed: its
 * trader's used nonce and, for an order cancelled before it was posted, the fingerprint of its hash
 * ({@link OrderIndex}). Both are there to refuse the same signed order a second time, and once its
 * market's oracle time has passed its expiry the order is refused as EXPIRED anyway, for good (that
 * clock only moves forward). So a node keeps nothing for good of an order that expires; with
 * {@link ExpiredHashes}, which does the same for the ORDER_HASH leaf in the state.
 *
 * <p>An entry is made when the order's nonce is recorded, per market, soonest expiry first, ties in
 * the order entries were made: every member forgets the same things at the same command. A nonce
 * forgotten may be signed again, in a new order (its hash differs).
 */
final class ExpiringNonces {
    /** The most entries forgotten at one look: a crowd expiring in the same second does not stall a command. */
    static final int PER_LOOK = 256;

    /** One order's nonce and the fingerprint of its hash, waiting for its expiry to pass. */
    private record Entry(long expiry, long seq, int ownerId, long nonce, long fingerprint) {}

    private static final Comparator<Entry> SOONEST = Comparator.comparingLong(Entry::expiry).thenComparingLong(Entry::seq);

    /** Forgets what an entry names. */
    interface Forget {
        void forget(int ownerId, long nonce);
    }

    private final Map<Integer, PriorityQueue<Entry>> byMarket = new TreeMap<>(Integer::compareUnsigned);
    /**
     * Fingerprints of the hashes of orders with an expiry cancelled before they were posted, apart from
     * those of orders without expiry ({@link OrderIndex}): only these are ever forgotten, so a
     * fingerprint an order without expiry shares is never taken with them.
     */
    private final LongSet cancelled = new LongSet();
    /** Numbers entries in the order they were made; back to 0 whenever none waits, so an empty set has one image. */
    private long nextSeq;
    private int size;

    /** Remembers until {@code expiry} passes that the trader {@code ownerId} used {@code nonce} for the order {@code fingerprint} names. */
    void add(int marketId, long expiry, int ownerId, long nonce, long fingerprint) {
        if (expiry == 0) throw new IllegalArgumentException("an order without expiry is remembered for good");
        byMarket.computeIfAbsent(marketId, m -> new PriorityQueue<>(SOONEST)).add(new Entry(expiry, nextSeq++, ownerId, nonce, fingerprint));
        size++;
    }

    /** Refuses the order with this fingerprint as cancelled until its entry's expiry passes (the entry was made when it was taken). */
    void markCancelled(long fingerprint) {
        cancelled.add(fingerprint);
    }

    boolean isCancelled(long fingerprint) {
        return cancelled.size() > 0 && cancelled.contains(fingerprint);
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Fingerprints of cancels before posting waiting here (tests). */
    int cancelledCount() {
        return cancelled.size();
    }

    /** Entries waiting (tests). */
    int size() {
        return size;
    }

    /**
     * Hands {@code forget} each entry of {@code marketId} whose expiry {@code now} (the market's oracle
     * time) has passed, soonest first, at most {@link #PER_LOOK}, and drops them.
     */
    void forgetDue(int marketId, long now, Forget forget) {
        PriorityQueue<Entry> q = byMarket.get(marketId);
        if (q == null) return;
        for (int budget = PER_LOOK; budget > 0 && !q.isEmpty() && q.peek().expiry() < now; budget--) {
            Entry e = q.poll();
            forget.forget(e.ownerId(), e.nonce());
            cancelled.remove(e.fingerprint());
            size--;
        }
        if (q.isEmpty()) byMarket.remove(marketId); // a market holds a queue only while entries wait in it (and an image says so)
        if (size == 0) nextSeq = 0;
    }

    /** The next sequence number, the fingerprints, then each market ascending with its entries soonest first. */
    void writeImage(ImageWriter out) {
        out.writeLong(nextSeq);
        cancelled.writeImage(out);
        out.writeInt(byMarket.size());
        for (Map.Entry<Integer, PriorityQueue<Entry>> m : byMarket.entrySet()) {
            Entry[] sorted = m.getValue().toArray(Entry[]::new);
            java.util.Arrays.sort(sorted, SOONEST);
            out.writeInt(m.getKey()).writeInt(sorted.length);
            for (Entry e : sorted) {
                out.writeLong(e.expiry()).writeLong(e.seq()).writeInt(e.ownerId()).writeLong(e.nonce()).writeLong(e.fingerprint());
            }
        }
    }

    /** Reads what {@link #writeImage} wrote into these entries, which must be new; {@code owners} is the count of accounts. */
    void readImage(ImageReader in, int owners) {
        if (size != 0 || nextSeq != 0) throw new IllegalStateException("restoring into expiring nonces that are not new");
        long next = in.readLong();
        cancelled.readImage(in);
        int markets = in.readCount(8);
        for (int i = 0; i < markets; i++) {
            int marketId = in.readInt();
            if (byMarket.containsKey(marketId)) throw new ImageFormatException("market " + marketId + " twice among the expiring nonces");
            int n = in.readCount(36);
            if (n == 0) throw new ImageFormatException("market " + marketId + " with no expiring nonces");
            PriorityQueue<Entry> q = new PriorityQueue<>(SOONEST);
            for (int j = 0; j < n; j++) {
                Entry e = new Entry(in.readLong(), in.readLong(), in.readInt(), in.readLong(), in.readLong());
                if (e.expiry() == 0 || e.seq() < 0 || e.seq() >= next || e.ownerId() < 0 || e.ownerId() >= owners) {
                    throw new ImageFormatException("an expiring nonce " + e + " with " + owners + " accounts and next number " + next);
                }
                q.add(e);
            }
            byMarket.put(marketId, q);
            size += n;
        }
        if (size == 0) throw new ImageFormatException("expiring nonces written with none waiting");
        if (cancelled.size() > size) throw new ImageFormatException(cancelled.size() + " cancel fingerprints for " + size + " expiring orders");
        nextSeq = next;
    }
}
