package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.transition.Transition;

import java.util.Comparator;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The hashes of orders the exchange is done with (their ORDER leaf pruned) that carry an expiry,
 * per market, soonest expiry first: each one's ORDER_HASH leaf is pruned (PruneOrderHash) once its
 * market's oracle time has passed that expiry. Until then the leaf is what refuses the signed order
 * a second time; afterwards PostOrder refuses it as EXPIRED. So the state holds an order's hash only
 * while its order can still be posted, and for good only for orders without expiry.
 *
 * <p>Ties are broken by short id, and markets are visited in ascending id: every member emits the
 * same prunes in the same order. At most {@link #PER_COMMAND} go with one command, so a crowd of
 * orders expiring in the same second does not stall the command that moves the clock past them;
 * the rest go with the commands after it (a node's clock ticks keep coming).
 */
final class ExpiredHashes {
    /** The most hashes pruned at the end of one command. */
    static final int PER_COMMAND = 256;

    /** One hash waiting for its prune. */
    private record Waiting(long expiry, long stateId, Hash32 hash) {}

    private static final Comparator<Waiting> SOONEST = Comparator.comparingLong(Waiting::expiry).thenComparingLong(Waiting::stateId);

    private final Map<Integer, PriorityQueue<Waiting>> byMarket = new TreeMap<>(Integer::compareUnsigned);
    private int size;

    void add(int marketId, long expiry, long stateId, Hash32 hash) {
        byMarket.computeIfAbsent(marketId, m -> new PriorityQueue<>(SOONEST)).add(new Waiting(expiry, stateId, hash));
        size++;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Hashes waiting (tests). */
    int size() {
        return size;
    }

    /**
     * Hands {@code prune} a PruneOrderHash for each hash whose expiry its market's oracle time
     * ({@code markets}) has passed, market by market, soonest first, at most {@link #PER_COMMAND},
     * and forgets them.
     */
    void pruneDue(IntFunction<MarketLeaf> markets, Consumer<Transition> prune) {
        int budget = PER_COMMAND;
        for (var it = byMarket.entrySet().iterator(); it.hasNext() && budget > 0; ) {
            Map.Entry<Integer, PriorityQueue<Waiting>> e = it.next();
            PriorityQueue<Waiting> q = e.getValue();
            MarketLeaf m = markets.apply(e.getKey());
            long now = m == null ? 0 : m.lastOracleTs();
            while (budget > 0 && !q.isEmpty() && q.peek().expiry() < now) {
                prune.accept(new Transition.PruneOrderHash(q.poll().hash()));
                size--;
                budget--;
            }
            if (q.isEmpty()) it.remove(); // a market holds a queue only while hashes wait in it (and an image says so)
        }
    }

    /** Each market ascending with its waiting hashes in the order they leave, so equal states give equal images. */
    void writeImage(ImageWriter out) {
        out.writeInt(byMarket.size());
        for (Map.Entry<Integer, PriorityQueue<Waiting>> e : byMarket.entrySet()) {
            Waiting[] sorted = e.getValue().toArray(Waiting[]::new);
            java.util.Arrays.sort(sorted, SOONEST);
            out.writeInt(e.getKey()).writeInt(sorted.length);
            for (Waiting w : sorted) out.writeLong(w.expiry()).writeLong(w.stateId()).writeHash(w.hash());
        }
    }

    /** Reads what {@link #writeImage} wrote into this set, which must be empty. */
    void readImage(ImageReader in) {
        if (size != 0) throw new IllegalStateException("restoring into hashes that are not new");
        int markets = in.readCount(8);
        for (int i = 0; i < markets; i++) {
            int marketId = in.readInt();
            if (byMarket.containsKey(marketId)) throw new ImageFormatException("market " + marketId + " twice among the hashes to prune");
            int n = in.readCount(48);
            for (int j = 0; j < n; j++) {
                long expiry = in.readLong();
                long stateId = in.readLong();
                if (expiry <= 0 || stateId <= 0) throw new ImageFormatException("a hash to prune with expiry " + expiry + " and id " + stateId);
                add(marketId, expiry, stateId, in.readHash());
            }
        }
    }
}
