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
 * copies the order's cache line; positions are therefore stable only between removals.
 *
 * <p>Each order also holds a link slot while it rests ({@link Slots#LINK}): a dense number, stable
 * until the order leaves, that indexes the FIFO links ({@link #links}) and {@link #positionOf}.
 * Free link slots are kept on a stack, so the most recently freed one is reused first and the live
 * ones stay packed at the low end (see {@link Slots} for why that matters).
 */
final class OrderTable {
    static final int ABSENT = -1;

    private static final int STRIDE = Slots.STRIDE;
    private static final int META = Slots.META;
    private static final int LINK = Slots.LINK;

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
    private final int mask;
    /** The FIFO links by link slot. */
    private final long[] links;
    /** The pool position of the order holding each link slot. */
    private final int[] where;
    /** Free link slots, a stack: {@code freeLinks[0..free)}. */
    private final int[] freeLinks;
    private int free;

    /** A table for at most {@code capacity} orders at once. */
    OrderTable(int capacity) {
        int positions = Integer.highestOneBit(Math.max(16, capacity) * 2 - 1) << 1;
        pool = Slots.newPool(positions);
        mask = positions - 1;
        links = Slots.newLinks(capacity);
        where = new int[capacity];
        freeLinks = new int[capacity];
        // slot 0 on top: the first orders take the lowest slots
        for (int k = 0; k < capacity; k++) {
            freeLinks[k] = capacity - 1 - k;
        }
        free = capacity;
    }

    /** The pool, laid out as {@link Slots} describes. */
    long[] pool() {
        return pool;
    }

    /** The FIFO links by link slot ({@link Slots#newLinks}); they stay put when their order moves. */
    long[] links() {
        return links;
    }

    /** The position of the order holding this link slot. */
    int positionOf(int link) {
        return where[link];
    }

    /** The link slot of the order at this position. */
    int linkOf(int position) {
        return (int) pool[position * STRIDE + LINK];
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
     * Takes a position and a link slot for an id that is not in the table (the caller checked) and
     * marks it live; the caller fills in the rest of the order. There is always a free position,
     * because the table is larger than its capacity, and a free link slot while fewer than
     * capacity orders are live (the book refuses orders beyond its capacity before they get here).
     */
    int claim(long id) {
        if (free == 0) {
            throw new IllegalStateException("order table full: " + links.length + " orders live");
        }
        int i = home(id);
        while ((pool[i * STRIDE + META] & Slots.LIVE_BIT) != 0) {
            i = (i + 1) & mask;
        }
        int link = freeLinks[--free];
        pool[i * STRIDE + Slots.ID] = id;
        pool[i * STRIDE + META] = Slots.LIVE_BIT;
        pool[i * STRIDE + LINK] = link;
        where[link] = i;
        return i;
    }

    /**
     * Frees a position and its link slot and closes the hole: later orders of the probe run move
     * back when their home allows it. The freed order's fields may be overwritten at once; read
     * them first.
     */
    void vacate(int position) {
        freeLinks[free++] = (int) pool[position * STRIDE + LINK];
        int hole = position;
        for (int j = (hole + 1) & mask; (pool[j * STRIDE + META] & Slots.LIVE_BIT) != 0; j = (j + 1) & mask) {
            int home = home(pool[j * STRIDE + Slots.ID]);
            // j may move to the hole when the hole lies on the way from j's home to j
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                System.arraycopy(pool, Slots.PADDING + j * STRIDE, pool, Slots.PADDING + hole * STRIDE, STRIDE);
                where[(int) pool[hole * STRIDE + LINK]] = hole;
                pool[j * STRIDE + META] = 0;
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
