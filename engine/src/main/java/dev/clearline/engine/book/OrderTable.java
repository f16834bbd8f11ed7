package dev.clearline.engine.book;

/**
 * The order pool doubling as the id index: an order lives at the position its id hashes to
 * (linear probing), so finding an order by id and reading it is one cache miss instead of two
 * (an index entry, then the order). Positions never move once taken, which keeps the FIFO links
 * through them valid; a removed order leaves a tombstone unless it ends its probe run, and
 * tombstones are reused by later orders. The table has at least twice as many positions as the
 * book's capacity, so probe runs stay short.
 */
final class OrderTable {
    static final int ABSENT = -1;

    private static final int STRIDE = Slots.STRIDE;
    private static final int META = Slots.META;
    private static final long TAKEN = Slots.LIVE_BIT | Slots.TOMBSTONE_BIT;

    private final long[] pool;
    private final int mask;

    /** Told when a live order moves to another position (never, yet: positions are fixed while tombstones exist). */
    @FunctionalInterface
    interface Mover {
        void moved(int from, int to);
    }

    OrderTable(int capacity, Mover mover) {
        this(capacity);
    }

    OrderTable(int capacity) {
        int positions = Integer.highestOneBit(Math.max(16, capacity) * 2 - 1) << 1;
        pool = Slots.newPool(positions);
        mask = positions - 1;
    }

    /** The pool, laid out as {@link Slots} describes. */
    long[] pool() {
        return pool;
    }

    /** The position of the live order with this id, or ABSENT. */
    int find(long id) {
        int i = home(id);
        for (int probes = 0; probes <= mask; probes++, i = (i + 1) & mask) {
            long meta = pool[i * STRIDE + META];
            if ((meta & TAKEN) == 0) {
                return ABSENT;
            }
            if ((meta & Slots.LIVE_BIT) != 0 && pool[i * STRIDE + Slots.ID] == id) {
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

    /** Frees a position; the order's fields other than its state stay readable until reused. */
    void vacate(int position) {
        if ((pool[((position + 1) & mask) * STRIDE + META] & TAKEN) != 0) {
            pool[position * STRIDE + META] = Slots.TOMBSTONE_BIT;
            return;
        }
        // Nothing probes past the end of a run, so the run's trailing tombstones can go too.
        pool[position * STRIDE + META] = 0;
        for (int p = (position - 1) & mask; (pool[p * STRIDE + META] & Slots.TOMBSTONE_BIT) != 0; p = (p - 1) & mask) {
            pool[p * STRIDE + META] = 0;
        }
    }

    private int home(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
