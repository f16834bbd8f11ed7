package dev.clearline.engine.book;

/**
 * The layout of the order records: one {@code long[]} with {@link #STRIDE} longs (64 bytes) per
 * slot, so everything the book reads about an order itself sits in one cache line, and of the FIFO
 * links ({@link #newLinks}), which queue operations write on neighbouring orders. With a million
 * resting orders the book is bound by cache misses, not instructions, so lines touched per
 * command, and how large an array they are spread over, are the figures to keep low. Static
 * helpers only: the arrays belong to {@link OrderTable}.
 *
 * <p>Both arrays are indexed by the order's slot, which is the id's low bits whenever that slot is
 * free ({@link OrderTable}), so consecutively numbered orders share lines: a million records take
 * 64 MB and their links 8 MB, in arrays of the next power of two at least the capacity. Queue
 * operations write the links of neighbouring orders, random lines at a million orders; kept apart
 * from the records they are random lines of an 8-16 MB array, which a 32 MB last-level cache can
 * hold, instead of a 64-128 MB one.
 */
final class Slots {
    static final int STRIDE = 8;
    /**
     * Longs skipped at the start of the pool. A large array is allocated at the start of a G1
     * region with a 16-byte header, so skipping 48 bytes puts every order in exactly one 64-byte
     * cache line instead of straddling two.
     */
    static final int PADDING = 6;
    static final int ID = PADDING;
    static final int OWNER = PADDING + 1;
    static final int EXPIRES_AT = PADDING + 2;
    static final int VISIBLE = PADDING + 3;
    static final int HIDDEN = PADDING + 4;
    static final int DISPLAY = PADDING + 5;
    /** Low 32 bits: price level; bit 32: buy; bit 33: post-only; bit 34: live; bits 35-63: pegs' queue kind and coordinate. */
    static final int META = PADDING + 6;

    static final long BUY_BIT = 1L << 32;
    static final long POST_ONLY_BIT = 1L << 33;
    /** The position holds an order on the book. */
    static final long LIVE_BIT = 1L << 34;

    static int next(long[] links, int slot) {
        return (int) links[slot];
    }

    static int prev(long[] links, int slot) {
        return (int) (links[slot] >> 32);
    }

    static void setNext(long[] links, int slot, int next) {
        links[slot] = (links[slot] & 0xFFFF_FFFF_0000_0000L) | (next & 0xFFFF_FFFFL);
    }

    static void setPrev(long[] links, int slot, int prev) {
        links[slot] = (links[slot] & 0xFFFF_FFFFL) | ((long) prev << 32);
    }

    static void setLinks(long[] links, int slot, int prev, int next) {
        links[slot] = ((long) prev << 32) | (next & 0xFFFF_FFFFL);
    }

    /**
     * The FIFO links of every slot, one long each (low 32 bits: next slot in the level's
     * queue; high 32 bits: previous). Kept apart from the records because appending to a queue writes
     * the previous tail's link, and unlinking writes both neighbours': in the records each of those
     * is a random line of an array larger than the cache (64 MB at a million resting orders), here a
     * line shared by 8 orders in an 8 MB array, which mostly stays cached.
     */
    static long[] newLinks(int capacity) {
        return new long[capacity];
    }

    /** The record array for {@code capacity} orders. */
    static long[] newPool(int capacity) {
        return new long[PADDING + capacity * STRIDE];
    }

    private Slots() {}
}
