package dev.clearline.engine.book;

/**
 * Bit flags for {@link OrderBook#place}. Combine with {@code |}; {@link #NONE} for a plain order.
 */
public final class OrderFlags {
    /** A plain order. */
    public static final int NONE = 0;
    /** Maker only: rejected if any live opposite order would trade with it. GTC only. */
    public static final int POST_ONLY = 1;
    /**
     * May only shrink the owner's position: the caller passes the reducible size as
     * {@code reduceOnlyCapLots} and the order is clipped to it. It may rest; the book cannot see
     * the position change meanwhile, so as a maker it asks {@link BookEvents#fillableLots} before
     * each fill.
     */
    public static final int REDUCE_ONLY = 1 << 1;

    static final int KNOWN = POST_ONLY | REDUCE_ONLY;

    private OrderFlags() {}

    static boolean has(int flags, int flag) {
        return (flags & flag) != 0;
    }
}
