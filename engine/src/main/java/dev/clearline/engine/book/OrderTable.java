package dev.clearline.engine.book;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

/**
 * The resting orders: a record per order ({@link Slots}), found by the order's id.
 *
 * <p>An order rests in a <em>slot</em> and keeps it until it leaves: its record in {@link #pool},
 * its FIFO links in {@link #links}, both indexed by the slot, never moved. An order's slot is, when
 * that slot is free, its <em>home</em>: the id's low bits ({@code id mod slots}, a power of two at
 * least the capacity). So finding an order is one read of its own record, with no index to walk
 * first: at a million resting orders every first touch of an order's record is a cache miss, and
 * a lookup that went through an index paid a second miss before it (the index line), in series.
 * The exchange numbers orders one after another, so consecutive orders sit in consecutive records
 * and links, and the oldest orders, which the cancels and moves of a busy book reach, share lines
 * and pages.
 *
 * <p>An order whose home is taken (a live order whose id is {@code slots} apart, or a stranger
 * put there) gets another free slot, half the table away from its home (the homes of ids that
 * come much later), and only such orders enter the <em>index</em>: open addressing with linear
 * probing over one {@code long} per position, the slot and a 37-bit fingerprint of the id (8
 * positions per cache line, no record read unless the fingerprint matches), with backward-shift
 * deletion, so no tombstones, and at least twice as many positions as the capacity, so probe runs
 * stay short under any churn. An empty index is never read. Free slots are a bitmap with a summary
 * word per 64 words, so any free slot is found in a few word scans.
 *
 * <p>Why not a stack of free slots, reused last-freed-first, with every order in the index (the
 * layout before): on the exchange-core stream at a million resting orders, half the book's time
 * went to finding orders, almost all of it the first touch of an old order: the index line, then,
 * only once that had arrived, the record line.
 */
final class OrderTable {
    static final int ABSENT = -1;

    private static final int STRIDE = Slots.STRIDE;

    /**
     * Ids are hashed in runs of {@link #RUN} for the index: ids that differ only in their low
     * {@code RUN_BITS} bits get consecutive home positions, one aligned group of 8 (a cache line of
     * the index); runs themselves are scattered, so long-lived orders do not pile into one probe run.
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

    private final int capacity;
    private final long[] pool;
    /** The FIFO links by slot. */
    private final long[] links;
    /** slots - 1: an id's home slot is {@code id & slotMask}. */
    private final int slotMask;
    /** One bit per slot, set while the slot is free. */
    private final long[] freeBits;
    /** One bit per word of {@link #freeBits}, set while that word has a free slot. */
    private final long[] freeWords;
    private int live;
    private final long[] index;
    private final int mask;
    /** log2 of the index's positions. */
    private final int indexBits;
    /** Orders in the index (those away from their home slot). */
    private int indexed;

    /** A table for at most {@code capacity} orders at once. */
    OrderTable(int capacity) {
        this.capacity = capacity;
        int slots = Integer.highestOneBit(Math.max(64, capacity) * 2 - 1);
        slotMask = slots - 1;
        pool = Slots.newPool(slots);
        links = Slots.newLinks(slots);
        freeBits = new long[slots >>> 6];
        java.util.Arrays.fill(freeBits, -1L);
        freeWords = new long[(freeBits.length + 63) >>> 6];
        for (int w = 0; w < freeBits.length; w++) {
            freeWords[w >>> 6] |= 1L << w;
        }
        int positions = Integer.highestOneBit(Math.max(16, capacity) * 2 - 1) << 1;
        index = new long[INDEX_PADDING + positions];
        mask = positions - 1;
        indexBits = Integer.numberOfTrailingZeros(positions);
    }

    /** Orders live in the table. */
    int live() {
        return live;
    }

    /**
     * Writes the live orders, each with its slot, record and links, ascending by slot, then the
     * index as runs of its occupied positions. A free slot's record is not written: a slot is
     * written in full whenever it is claimed, so what a departed order left there is never read.
     * The free bitmaps and counts follow from the live slots and the index.
     */
    void writeImage(ImageWriter out) {
        out.writeInt(live);
        for (int w = 0; w < freeBits.length; w++) {
            for (long taken = ~freeBits[w]; taken != 0; taken &= taken - 1) {
                int slot = (w << 6) + Long.numberOfTrailingZeros(taken);
                out.writeInt(slot);
                for (int f = Slots.ID; f <= Slots.META; f++) {
                    out.writeLong(pool[slot * STRIDE + f]);
                }
                out.writeLong(links[slot]);
            }
        }
        out.writeSparseLongs(index);
    }

    /**
     * Restores what {@link #writeImage} wrote into this table, which must be new. Refuses a
     * table a look-up would not read back: an order that is not found in its slot (a twin id, or
     * away from home and missing from the index), an index entry naming no order.
     */
    void readImage(ImageReader in) {
        if (live != 0) {
            throw new IllegalStateException("restoring into an order table that is not new");
        }
        int n = in.readCount(68);
        if (n > capacity) {
            throw new ImageFormatException(n + " orders in a table for " + capacity);
        }
        int last = -1;
        for (int j = 0; j < n; j++) {
            int slot = in.readInt();
            if (slot <= last || slot >= slots()) {
                throw new ImageFormatException("slot " + slot + " after slot " + last + " in a table of " + slots());
            }
            last = slot;
            for (int f = Slots.ID; f <= Slots.META; f++) {
                pool[slot * STRIDE + f] = in.readLong();
            }
            links[slot] = in.readLong();
            if ((pool[slot * STRIDE + Slots.META] & Slots.LIVE_BIT) == 0) {
                throw new ImageFormatException("slot " + slot + " is listed live without its live bit");
            }
            take(slot);
            live++;
        }
        in.readSparseLongsInto(index);
        for (int i = 0; i < INDEX_PADDING; i++) {
            if (index[i] != 0) {
                throw new ImageFormatException("an order in the index's padding");
            }
        }
        int away = 0;
        for (int i = 0; i <= mask; i++) {
            long e = index[INDEX_PADDING + i];
            if (e == 0) {
                continue;
            }
            int slot = (int) (e & SLOT_MASK) - 1;
            if (slot < 0 || slot >= slots() || isFree(slot)) {
                throw new ImageFormatException("index position " + i + " names slot " + slot + ", which holds no order");
            }
            long id = pool[slot * STRIDE + Slots.ID];
            if (home(id) == slot || e >>> SLOT_BITS != fingerprint(id)) {
                throw new ImageFormatException("index position " + i + " does not fit order " + id + " in slot " + slot);
            }
            indexed++;
        }
        for (int w = 0; w < freeBits.length; w++) {
            for (long taken = ~freeBits[w]; taken != 0; taken &= taken - 1) {
                int slot = (w << 6) + Long.numberOfTrailingZeros(taken);
                long id = pool[slot * STRIDE + Slots.ID];
                if (find(id) != slot) {
                    throw new ImageFormatException("order " + id + " in slot " + slot + " is not found there");
                }
                away += home(id) == slot ? 0 : 1;
            }
        }
        if (away != indexed) {
            throw new ImageFormatException(indexed + " index entries for " + away + " orders away from their home slot");
        }
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
        int home = home(id);
        if (pool[home * STRIDE + Slots.ID] == id && (pool[home * STRIDE + Slots.META] & Slots.LIVE_BIT) != 0) {
            return home;
        }
        if (indexed == 0) {
            return ABSENT;
        }
        long fp = fingerprint(id);
        for (int i = position(fp), probes = 0; probes <= mask; probes++, i = (i + 1) & mask) {
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
     * Takes a slot for an id that is not in the table (the caller checked): its home if free, else
     * another free one, indexed. Marks it live; the caller fills in the rest of the order. The book
     * refuses orders beyond its capacity before they get here.
     */
    int claim(long id) {
        if (live == capacity) {
            throw new IllegalStateException("order table full: " + capacity + " orders live");
        }
        int home = home(id);
        int slot = home;
        if (!isFree(home)) {
            slot = nextFree((home + (slotMask + 1) / 2) & slotMask);
            long fp = fingerprint(id);
            int i = position(fp);
            while (index[INDEX_PADDING + i] != 0) {
                i = (i + 1) & mask;
            }
            index[INDEX_PADDING + i] = fp << SLOT_BITS | (slot + 1L);
            indexed++;
        }
        take(slot);
        live++;
        pool[slot * STRIDE + Slots.ID] = id;
        pool[slot * STRIDE + Slots.META] = Slots.LIVE_BIT;
        return slot;
    }

    /**
     * Frees a slot (its record may be overwritten at once: read it first). An order away from its
     * home also leaves the index, closing the hole: later positions of the probe run move back when
     * their home allows it.
     */
    void vacate(int slot) {
        if ((pool[slot * STRIDE + Slots.META] & Slots.LIVE_BIT) == 0) {
            throw new IllegalStateException("slot " + slot + " holds no live order");
        }
        long id = pool[slot * STRIDE + Slots.ID];
        if (home(id) != slot) {
            unindex(id, slot);
        }
        pool[slot * STRIDE + Slots.META] = 0;
        release(slot);
        live--;
    }

    private void unindex(long id, int slot) {
        long tag = slot + 1L;
        int hole = position(fingerprint(id));
        // the entry sits in the probe run from the id's position; an empty position first means it is not there
        for (long e = index[INDEX_PADDING + hole]; (e & SLOT_MASK) != tag; e = index[INDEX_PADDING + hole]) {
            if (e == 0) {
                throw new IllegalStateException("slot " + slot + " is not in the index");
            }
            hole = (hole + 1) & mask;
        }
        for (int j = (hole + 1) & mask; ; j = (j + 1) & mask) {
            long e = index[INDEX_PADDING + j];
            if (e == 0) {
                break;
            }
            int home = position(e >>> SLOT_BITS);
            // j may move to the hole when the hole lies on the way from j's position to j
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                index[INDEX_PADDING + hole] = e;
                hole = j;
            }
        }
        index[INDEX_PADDING + hole] = 0;
        indexed--;
    }

    /** The slot an id rests in when that slot is free: its low bits. */
    int home(long id) {
        return (int) id & slotMask;
    }

    private boolean isFree(int slot) {
        return (freeBits[slot >>> 6] & (1L << slot)) != 0;
    }

    private void take(int slot) {
        int w = slot >>> 6;
        freeBits[w] &= ~(1L << slot);
        if (freeBits[w] == 0) {
            freeWords[w >>> 6] &= ~(1L << w);
        }
    }

    private void release(int slot) {
        int w = slot >>> 6;
        if (freeBits[w] == 0) {
            freeWords[w >>> 6] |= 1L << w;
        }
        freeBits[w] |= 1L << slot;
    }

    /** The first free slot at or after {@code from}, wrapping around (there is one: fewer than all slots are live). */
    private int nextFree(int from) {
        int w = from >>> 6;
        long bits = freeBits[w] & (-1L << from);
        if (bits != 0) {
            return (w << 6) + Long.numberOfTrailingZeros(bits);
        }
        int found = wordWithFree(w + 1);
        if (found < 0) {
            found = wordWithFree(0); // wrap around (may find w itself, free below from)
        }
        if (found < 0) {
            throw new IllegalStateException("no free slot although " + live + " of " + slots() + " are live");
        }
        return (found << 6) + Long.numberOfTrailingZeros(freeBits[found]);
    }

    /** The first word of {@link #freeBits} at or after {@code word} with a free slot, or -1. */
    private int wordWithFree(int word) {
        if (word >= freeBits.length) {
            return -1;
        }
        int s = word >>> 6;
        long summary = freeWords[s] & (-1L << word);
        while (summary == 0) {
            if (++s == freeWords.length) {
                return -1;
            }
            summary = freeWords[s];
        }
        return (s << 6) + Long.numberOfTrailingZeros(summary);
    }

    /** The index position holding the live order with this id, or ABSENT if it is not in the index (for tests of the layout). */
    int indexPosition(long id) {
        int slot = find(id);
        if (slot == ABSENT || slot == home(id)) {
            return ABSENT;
        }
        int i = position(fingerprint(id));
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

    /** The longest distance of an index entry from its own position (0: every entry sits where it hashes to). */
    int longestProbe() {
        int longest = 0;
        for (int i = 0; i <= mask; i++) {
            long e = index[INDEX_PADDING + i];
            if (e != 0) {
                longest = Math.max(longest, (i - position(e >>> SLOT_BITS)) & mask);
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

    /** Orders in the index: those away from their home slot. */
    int indexed() {
        return indexed;
    }

    /** All slots: a power of two, at least the capacity. */
    int slots() {
        return slotMask + 1;
    }

    /** Free slots (for tests: slots minus live orders). */
    int freeSlots() {
        int n = 0;
        for (long b : freeBits) {
            n += Long.bitCount(b);
        }
        return n;
    }

    /** The index position of a fingerprint: the top bits of its run part, then its place in the run. */
    private int position(long fp) {
        int runBits = indexBits - RUN_BITS;
        int run = runBits <= 0 ? 0 : (int) (fp >>> (FINGERPRINT_BITS - runBits));
        return ((run << RUN_BITS) | (int) (fp & (RUN - 1))) & mask;
    }
}
