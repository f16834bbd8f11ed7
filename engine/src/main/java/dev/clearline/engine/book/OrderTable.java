package dev.clearline.engine.book;

/**
 * The order pool doubling as the id index: an order lives at or just after the position its id
 * hashes to (linear probing), so finding an order by id and reading it is one cache miss instead
 * of two (an index entry, then the order). The table has at least twice as many positions as the
 * book's capacity, so probe runs stay short.
 *
 * <p>Removal uses backward-shift deletion: the orders after the hole in its probe run move back
 * into it when that brings them no further from their home position, so the table never holds
 * tombstones and a probe run is only as long as the live orders in it, under any churn. A move
 * copies the order's cache line and its links and tells the book ({@link Mover}), which relinks the order's
 * FIFO neighbours; positions are therefore stable only between removals.
 */
final class OrderTable {
    static final int ABSENT = -1;

    private static final int STRIDE = Slots.STRIDE;
    private static final int META = Slots.META;

    /** Told when a live order moves to another position, with its fields (links included) already copied. */
    @FunctionalInterface
    interface Mover {
        void moved(int from, int to);
    }

    /**
     * Ids are hashed in runs of {@link #RUN}: ids that differ only in their low {@code RUN_BITS}
     * bits get consecutive home positions. The exchange numbers orders sequentially, so a new
     * order's home is usually the cache line next to the last order placed (already cached, same
     * page) instead of a random line of a pool far larger than the cache; runs themselves are
     * scattered, so long-lived orders do not pile into one probe run.
     */
    static final int RUN_BITS = 3;
    static final int RUN = 1 << RUN_BITS;

    private final long[] pool;
    private final long[] links;
    private final int mask;
    private final Mover mover;

    OrderTable(int capacity) {
        this(capacity, (from, to) -> { });
    }

    OrderTable(int capacity, Mover mover) {
        int positions = Integer.highestOneBit(Math.max(16, capacity) * 2 - 1) << 1;
        pool = Slots.newPool(positions);
        links = Slots.newLinks(positions);
        mask = positions - 1;
        this.mover = mover;
    }

    /** The pool, laid out as {@link Slots} describes. */
    long[] pool() {
        return pool;
    }

    /** The FIFO links by position ({@link Slots#newLinks}); they move with their order. */
    long[] links() {
        return links;
    }

    /** The position of the live order with this id, or ABSENT. */
    int find(long id) {
        int i = home(id);
        for (int probes = 0; probes <= mask; probes++, i = (i + 1) & mask) {
            long meta = pool[i * STRIDE + META];
            if ((meta & Slots.LIVE_BIT) == 0) {
                return ABSENT;
            }
            if (pool[i * STRIDE + Slots.ID] == id) {
                return i;
            }
        }
        return ABSENT;
    }

    /**
     * Takes a position for an id that is not in the table (the caller checked) and marks it live;
     * the caller fills in the rest of the order. There is always a free position, because the
     * table is larger than the book's capacity.
     */
    int claim(long id) {
        int i = home(id);
        while ((pool[i * STRIDE + META] & Slots.LIVE_BIT) != 0) {
            i = (i + 1) & mask;
        }
        pool[i * STRIDE + Slots.ID] = id;
        pool[i * STRIDE + META] = Slots.LIVE_BIT;
        return i;
    }

    /**
     * Frees a position and closes the hole: later orders of the probe run move back when their
     * home allows it. The freed order's fields may be overwritten at once; read them first.
     */
    void vacate(int position) {
        int hole = position;
        for (int j = (hole + 1) & mask; (pool[j * STRIDE + META] & Slots.LIVE_BIT) != 0; j = (j + 1) & mask) {
            int home = home(pool[j * STRIDE + Slots.ID]);
            // j may move to the hole when the hole lies on the way from j's home to j
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                System.arraycopy(pool, Slots.PADDING + j * STRIDE, pool, Slots.PADDING + hole * STRIDE, STRIDE);
                links[hole] = links[j];
                pool[j * STRIDE + META] = 0;
                mover.moved(j, hole);
                hole = j;
            }
        }
        pool[hole * STRIDE + META] = 0;
    }

    /** Positions with no order: what keeps probe runs short. */
    int emptyPositions() {
        int empty = 0;
        for (int i = 0; i <= mask; i++) {
            if ((pool[i * STRIDE + META] & Slots.LIVE_BIT) == 0) {
                empty++;
            }
        }
        return empty;
    }

    /** The longest distance of a live order from its home position (0: every order sits at home). */
    int longestProbe() {
        int longest = 0;
        for (int i = 0; i <= mask; i++) {
            if ((pool[i * STRIDE + META] & Slots.LIVE_BIT) != 0) {
                longest = Math.max(longest, (i - home(pool[i * STRIDE + Slots.ID])) & mask);
            }
        }
        return longest;
    }

    /** All positions, free or not. */
    int positions() {
        return mask + 1;
    }

    private int home(long id) {
        // the run's number scattered by a multiplicative hash, the id's place in its run kept
        long h = (id >>> RUN_BITS) * 0x9E3779B97F4A7C15L;
        return (((int) (h ^ (h >>> 32)) << RUN_BITS) | (int) (id & (RUN - 1))) & mask;
    }
}
