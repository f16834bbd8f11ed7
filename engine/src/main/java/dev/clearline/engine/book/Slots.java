package dev.clearline.engine.book;

/**
 * The layout of the order pool: one {@code long[]} with {@link #STRIDE} longs (64 bytes) per
 * position, so everything the book reads about an order itself sits in one cache line, and of
 * the FIFO links ({@link #newLinks}), which queue operations write on neighbouring orders. With a
 * million resting orders the book is bound by cache misses, not instructions, so lines touched
 * per command, and how large an array they are spread over, are the figures to keep low. Static
 * helpers only: the arrays belong to {@link OrderTable}.
 *
 * <p>The links are not indexed by pool position but by a <em>link slot</em>, a dense number the
 * table gives each order for as long as it rests ({@link #LINK}), taken from a stack of free
 * ones, so the live links fill the low end of their array. The pool is a hash table at a quarter
 * to half load, so links by position were spread over four times the positions there are orders
 * (32 MB for a million), and the neighbours a queue operation writes were random lines of all of
 * it; by link slot they are random lines of an array of live orders only (8 bytes each, 8 MB for
 * a million), which a 32 MB last-level cache can hold. A link slot also stays put while the table
 * moves its order (backward-shift deletion), so a move writes one int ({@code where}) instead of
 * relinking both queue neighbours.
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
    /** The order's link slot (see the class comment): its entry in the links array and in the table's {@code where}. */
    static final int LINK = PADDING + 7;

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
     * The FIFO links of every link slot, one long each (low 32 bits: next link slot in the level's
     * queue; high 32 bits: previous). Kept apart from the pool because appending to a queue writes
     * the previous tail's link, and unlinking writes both neighbours': in the pool each of those is a
     * random line of an array far larger than the cache (256 MB at a million resting orders), here a
     * line shared by 8 orders in an array of live orders only, which mostly stays cached.
     */
    static long[] newLinks(int capacity) {
        return new long[capacity];
    }

    /** The pool array for {@code capacity} orders. */
    static long[] newPool(int capacity) {
        return new long[PADDING + capacity * STRIDE];
    }

    private Slots() {}
}
