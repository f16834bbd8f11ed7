package dev.clearline.engine.risk;

/**
 * The price of a mark-pegged order (docs/protocol.md section 3, "Pegged orders"):
 * {@code raw = mark + offset * tick}, rounded to the tick <em>away from the other side</em> (down
 * for a buy, up for a sell: the order never pays more, nor sells for less, than its peg says),
 * then clamped to the order's limit (a buy never above it, a sell never below it). The STF checks
 * a fill of a mark-pegged maker against this price; the exchange reprices its book with it.
 */
public final class PegPrice {
    /** Returned when the pegged price of a buy is below one tick (no positive price to fill at). */
    public static final long NOT_POSITIVE = 0;

    private PegPrice() {}

    /**
     * @param limit  the order's signed {@code price}, a positive multiple of {@code tick}
     * @param offset the signed offset in ticks
     * @return the price, {@link #NOT_POSITIVE}, or {@link Fixed#OVERFLOW} when {@code offset * tick},
     *     {@code mark + offset * tick} or the rounded-up sell price leaves the int64 range
     */
    public static long markPegged(boolean isBuy, long limit, long offset, long mark, long tick) {
        long raw = Fixed.add(mark, Fixed.mul(offset, tick));
        if (raw == Fixed.OVERFLOW) return Fixed.OVERFLOW;
        if (isBuy) {
            if (raw < tick) return NOT_POSITIVE;             // floor(raw / tick) * tick would be <= 0
            return Math.min(limit, raw / tick * tick);        // raw > 0: division truncates = floors
        }
        if (raw <= limit) return limit;                       // ceil to tick <= limit, limit is on tick
        long down = raw / tick * tick;                        // raw > limit > 0
        return down == raw ? raw : Fixed.add(down, tick);
    }
}
