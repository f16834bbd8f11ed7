package dev.clearline.engine.book;

/**
 * The static shape of one market's book.
 *
 * @param maxPriceTicks highest valid price in ticks; prices are 1..maxPriceTicks. The price ladders
 *     are paged over this range: about 16 bytes per 4,096 ticks up front, and 33 KB per 4,096-tick
 *     page a side once an order rests in it, so a wide range costs memory only where orders are.
 * @param maxSizeLots largest valid order size in lots
 * @param capacity most orders that may rest at once; further GTC orders are rejected BOOK_FULL
 * @param firstSequence the sequence number the first event gets (to continue after a restart)
 * @param maxFillsPerTaker most fills one incoming order (or an amend that re-enters the book) may
 *     make; it then stops and its rest is cancelled ({@link CancelReason#FILL_LIMIT}), and a FOK
 *     that would need more is rejected ({@link RejectReason#FILL_OR_KILL_TOO_MANY_FILLS}).
 *     {@link #UNLIMITED_FILLS} for none. A caller that must fit one order's fills somewhere bounded
 *     (an L1 batch) sets it.
 */
public record BookConfig(long maxPriceTicks, long maxSizeLots, int capacity, long firstSequence, int maxFillsPerTaker) {
    /**
     * Upper bound on maxPriceTicks: pegged orders float in ladders of twice the range, indexed by int,
     * and a book whose orders touched every page would hold about 134 MB a side.
     */
    public static final long MAX_PRICE_RANGE = 1L << 24;
    /** Upper bound on maxSizeLots. */
    public static final long MAX_SIZE_LOTS = 1L << 62;
    /**
     * Upper bound on capacity. Memory per order of capacity: per slot (the next power of two at
     * least the capacity, so 1-2 slots per order) a 64-byte record, an 8-byte link and a free bit,
     * and 2-4 index positions of 8 bytes: 88-176 bytes.
     */
    public static final int MAX_CAPACITY = 1 << 26;
    /** No limit on the fills of one incoming order. */
    public static final int UNLIMITED_FILLS = Integer.MAX_VALUE;

    /** A config without a limit on the fills of one incoming order. */
    public BookConfig(long maxPriceTicks, long maxSizeLots, int capacity, long firstSequence) {
        this(maxPriceTicks, maxSizeLots, capacity, firstSequence, UNLIMITED_FILLS);
    }

    public BookConfig {
        if (maxPriceTicks < 1 || maxPriceTicks > MAX_PRICE_RANGE) {
            throw new IllegalArgumentException("maxPriceTicks must be in 1.." + MAX_PRICE_RANGE + ", got " + maxPriceTicks);
        }
        // Sums of two sizes must not overflow when the book totals liquidity.
        if (maxSizeLots < 1 || maxSizeLots > MAX_SIZE_LOTS) {
            throw new IllegalArgumentException("maxSizeLots must be in 1..2^62, got " + maxSizeLots);
        }
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in 1..2^26, got " + capacity);
        }
        if (maxFillsPerTaker < 1) {
            throw new IllegalArgumentException("maxFillsPerTaker must be at least 1 (UNLIMITED_FILLS for no limit), got " + maxFillsPerTaker);
        }
    }

    /** This config with at most {@code fills} fills per incoming order. */
    public BookConfig withMaxFillsPerTaker(int fills) {
        return new BookConfig(maxPriceTicks, maxSizeLots, capacity, firstSequence, fills);
    }

    /** A config whose events are numbered from 1. */
    public static BookConfig of(long maxPriceTicks, long maxSizeLots, int capacity) {
        return new BookConfig(maxPriceTicks, maxSizeLots, capacity, 1);
    }
}
