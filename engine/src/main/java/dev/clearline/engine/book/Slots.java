package dev.clearline.engine.book;

/**
 * The layout of the order pool: one {@code long[]} with {@link #STRIDE} longs (64 bytes) per
 * position, so everything the book reads about an order sits in one cache line. With a million
 * resting orders the book is bound by cache misses, not instructions, so lines touched per
 * command is the figure to keep low. Static helpers only: the array belongs to {@link OrderTable}.
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
    /** Low 32 bits: price level; bit 32: buy; bit 33: post-only; bit 34: live. */
    static final int META = PADDING + 6;
    /** Low 32 bits: next slot in the level's FIFO; high 32 bits: previous slot. */
    static final int LINKS = PADDING + 7;

    static final long BUY_BIT = 1L << 32;
    static final long POST_ONLY_BIT = 1L << 33;
    /** The position holds an order on the book. */
    static final long LIVE_BIT = 1L << 34;

    static int next(long[] pool, int slot) {
        return (int) pool[slot * STRIDE + LINKS];
    }

    static int prev(long[] pool, int slot) {
        return (int) (pool[slot * STRIDE + LINKS] >> 32);
    }

    static void setNext(long[] pool, int slot, int next) {
        int at = slot * STRIDE + LINKS;
        pool[at] = (pool[at] & 0xFFFF_FFFF_0000_0000L) | (next & 0xFFFF_FFFFL);
    }

    static void setPrev(long[] pool, int slot, int prev) {
        int at = slot * STRIDE + LINKS;
        pool[at] = (pool[at] & 0xFFFF_FFFFL) | ((long) prev << 32);
    }

    static void setLinks(long[] pool, int slot, int prev, int next) {
        pool[slot * STRIDE + LINKS] = ((long) prev << 32) | (next & 0xFFFF_FFFFL);
    }

    /** The pool array for {@code capacity} orders. */
    static long[] newPool(int capacity) {
        return new long[PADDING + capacity * STRIDE];
    }

    private Slots() {}
}
