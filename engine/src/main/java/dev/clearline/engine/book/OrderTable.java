package dev.clearline.engine.book;

/**
 * The resting orders: a dense record per order ({@link Slots}), and an id index to find them.
 *
 * <p>An order gets a <em>slot</em> when it starts resting and keeps it until it leaves: its record
 * in {@link #pool}, its FIFO links in {@link #links}, both indexed by the slot, never moved. Free
 * slots are a stack, so the slot freed last is reused first: the record a new order writes is
 * usually the line the last removal just touched, and the live records stay packed at the low end
 * of the pool (64 MB for a million orders, however many were placed before).
 *
 * <p>The index is open addressing with linear probing over one {@code long} per position: the slot
 * and a 37-bit fingerprint of the id, so a probe compares 8 positions per cache line without
 * reading any record, and a record is read only when the fingerprint matches (then its id is
 * compared: the fingerprint only narrows). The fingerprint holds the bits the home position is made
 * of, so removal's backward-shift deletion (the positions after the hole move back into it when
 * that brings them no further from their home) reads the index alone. The index never holds
 * tombstones and has at least twice as many positions as the book's capacity, so probe runs stay
 * short under any churn.
 *
 * <p>Why not the record at its hashed position (the layout before): a probe then read a 64-byte
 * line per position, a removal's backward shift read and copied whole records, the pool was spread
 * over four times the positions there are orders (256 MB at a million), and queues needed a second
 * table from link slot to position, one more random line per order met while matching.
 */
final class OrderTable {
    static final int ABSENT = -1;

    private static final int STRIDE = Slots.STRIDE;

    /**
     * Ids are hashed in runs of {@link #RUN}: ids that differ only in their low {@code RUN_BITS}
     * bits get consecutive home positions, one aligned group of 8 (a cache line of the index). The
     * exchange numbers orders sequentially, so a new order's index entry usually shares a line with
     * the last order placed; runs themselves are scattered, so long-lived orders do not pile into
     * one probe run.
     */
    static final int RUN_BITS = 3;
    static final int RUN = 1 << RUN_BITS;

    /** The odd multiplier that scatters run numbers (odd, so the scattering is a bijection). */
    static final long RUN_HASH = 0x9E3779B97F4A7C15L;

    /** Index entry: fingerprint (high 37 bits), slot + 1 (low 27 bits); 0 is an empty position. */
    private static final int SLOT_BITS = 27;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;
    private static final int FINGERPRINT_BITS = 64 - SLOT_BITS;
    /**
     * Longs skipped at the start of the index: as for the pool ({@link Slots#PADDING}), a large
     * array starts at a G1 region with a 16-byte header, so 48 bytes more align each run's 8
     * positions with one cache line.
     */
    private static final int INDEX_PADDING = 6;

    private final long[] pool;
    private final long[] index;
    private final int mask;
    /** log2 of the index's positions. */
    private final int indexBits;
    /** The FIFO links by slot. */
    private final long[] links;
    /** Free slots, a stack: {@code freeSlots[0..free)}. */
    private final int[] freeSlots;
    private int free;

    /** A table for at most {@code capacity} orders at once. */
    OrderTable(int capacity) {
        int positions = Integer.highestOneBit(Math.max(16, capacity) * 2 - 1) << 1;
        index = new long[INDEX_PADDING + positions];
        mask = positions - 1;
        indexBits = Integer.numberOfTrailingZeros(positions);
        pool = Slots.newPool(capacity);
        links = Slots.newLinks(capacity);
        freeSlots = new int[capacity];
        // slot 0 on top: the first orders take the lowest slots
        for (int k = 0; k < capacity; k++) {
            freeSlots[k] = capacity - 1 - k;
        }
        free = capacity;
    }

    /** The records by slot, laid out as {@link Slots} describes. */
    long[] pool() {
        return pool;
    }

    /** The FIFO links by slot ({@link Slots#newLinks}). */
    long[] links() {
        return links;
    }

    /** The slot of the live order with this id, or ABSENT. */
    int find(long id) {
        long fp = fingerprint(id);
        for (int i = home(fp), probes = 0; probes <= mask; probes++, i = (i + 1) & mask) {
            long e = index[INDEX_PADDING + i];
            if (e == 0) {
                return ABSENT;
            }
            if (e >>> SLOT_BITS == fp) {
                int slot = (int) (e & SLOT_MASK) - 1;
                if (pool[slot * STRIDE + Slots.ID] == id) {
                    return slot;
                }
            }
        }
        return ABSENT;
    }

    /**
     * Takes a slot for an id that is not in the table (the caller checked), indexes it and marks it
     * live; the caller fills in the rest of the order. There is always a free index position (the
     * index is larger than the capacity) and a free slot while fewer than capacity orders are live
     * (the book refuses orders beyond its capacity before they get here).
     */
    int claim(long id) {
        if (free == 0) {
            throw new IllegalStateException("order table full: " + links.length + " orders live");
        }
        long fp = fingerprint(id);
        int i = home(fp);
        while (index[INDEX_PADDING + i] != 0) {
            i = (i + 1) & mask;
        }
        int slot = freeSlots[--free];
        index[INDEX_PADDING + i] = fp << SLOT_BITS | (slot + 1L);
        pool[slot * STRIDE + Slots.ID] = id;
        pool[slot * STRIDE + Slots.META] = Slots.LIVE_BIT;
        return slot;
    }

    /**
     * Frees a slot (its record may be overwritten at once: read it first) and its index position,
     * closing the hole: later positions of the probe run move back when their home allows it.
     */
    void vacate(int slot) {
        long tag = slot + 1L;
        int hole = home(fingerprint(pool[slot * STRIDE + Slots.ID]));
        // the entry sits in the probe run from the id's home; an empty position first means it is not there
        for (long e = index[INDEX_PADDING + hole]; (e & SLOT_MASK) != tag; e = index[INDEX_PADDING + hole]) {
            if (e == 0) {
                throw new IllegalStateException("slot " + slot + " holds no live order");
            }
            hole = (hole + 1) & mask;
        }
        for (int j = (hole + 1) & mask; ; j = (j + 1) & mask) {
            long e = index[INDEX_PADDING + j];
            if (e == 0) {
                break;
            }
            int home = home(e >>> SLOT_BITS);
            // j may move to the hole when the hole lies on the way from j's home to j
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                index[INDEX_PADDING + hole] = e;
                hole = j;
            }
        }
        index[INDEX_PADDING + hole] = 0;
        pool[slot * STRIDE + Slots.META] = 0;
        freeSlots[free++] = slot;
    }

    /** The index position holding the live order with this id, or ABSENT (for tests of the layout). */
    int indexPosition(long id) {
        int slot = find(id);
        if (slot == ABSENT) {
            return ABSENT;
        }
        int i = home(fingerprint(id));
        while ((index[INDEX_PADDING + i] & SLOT_MASK) != slot + 1L) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Index positions with no order: what keeps probe runs short. */
    int emptyPositions() {
        int empty = 0;
        for (int i = 0; i <= mask; i++) {
            if (index[INDEX_PADDING + i] == 0) {
                empty++;
            }
        }
        return empty;
    }

    /** The longest distance of a live order's index entry from its home position (0: every entry sits at home). */
    int longestProbe() {
        int longest = 0;
        for (int i = 0; i <= mask; i++) {
            long e = index[INDEX_PADDING + i];
            if (e != 0) {
                longest = Math.max(longest, (i - home(e >>> SLOT_BITS)) & mask);
            }
        }
        return longest;
    }

    /** All index positions, free or not. */
    int positions() {
        return mask + 1;
    }

    /**
     * The id's fingerprint: its run's number scattered by a multiplicative hash (a bijection), top
     * 34 bits, then the id's place in its run (3 bits). Different ids may share a fingerprint;
     * {@link #find} compares the record's id.
     */
    static long fingerprint(long id) {
        long h = (id >>> RUN_BITS) * RUN_HASH;
        return (h >>> (64 - (FINGERPRINT_BITS - RUN_BITS))) << RUN_BITS | (id & (RUN - 1));
    }

    /** The home position of a fingerprint: the top bits of its run part, then its place in the run. */
    private int home(long fp) {
        int runBits = indexBits - RUN_BITS;
        int run = runBits <= 0 ? 0 : (int) (fp >>> (FINGERPRINT_BITS - runBits));
        return ((run << RUN_BITS) | (int) (fp & (RUN - 1))) & mask;
    }
}
