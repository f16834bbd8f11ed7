package dev.clearline.engine.risk;

import static dev.clearline.engine.risk.Fixed.OVERFLOW;

/**
 * Isolated-margin rules of docs/protocol.md section 4 over plain longs, shared by the STF and by
 * the exchange's in-memory risk check so the two can never disagree about an order.
 */
public final class Margin {
    /** Result of a fill check. */
    public enum Verdict { OK, INSUFFICIENT, OVERFLOW }

    private Margin() {}

    /** quote after settling funding: quote - (size / lot) * (F_market - F_position). */
    public static long settleFunding(long size, long quote, long positionIndex, long marketIndex, long lotSize) {
        return Fixed.sub(quote, Fixed.mul(size / lotSize, Fixed.sub(marketIndex, positionIndex)));
    }

    /** quote + (size / lot) * mark. */
    public static long equity(long size, long quote, long lotSize, long mark) {
        return Fixed.add(quote, Fixed.notional(size, lotSize, mark));
    }

    /** ceil(|size / lot * mark| * fractionPpm / 1e6). */
    public static long requirement(long size, long lotSize, long mark, long fractionPpm) {
        return Fixed.mulPpmUp(Fixed.abs(Fixed.notional(size, lotSize, mark)), fractionPpm);
    }

    /** A fill "reduces" when the position keeps its sign (or closes) and |size| does not grow. */
    public static boolean reduces(long before, long after) {
        if (after == 0) return true;
        return Long.signum(after) == Long.signum(before) && Math.abs(after) <= Math.abs(before);
    }

    /**
     * Whether a position may move from (sizeBefore, quoteBefore) to (sizeAfter, quoteAfter), both
     * already settled to the market's funding index: growing (or flipping) needs equity >= initial
     * requirement; reducing needs the excess over maintenance not to fall below min(0, excess before).
     */
    public static Verdict checkFill(long sizeBefore, long quoteBefore, long sizeAfter, long quoteAfter,
                                    long lotSize, long mark, long imfPpm, long mmfPpm) {
        long eqAfter = equity(sizeAfter, quoteAfter, lotSize, mark);
        if (!reduces(sizeBefore, sizeAfter)) {
            long im = requirement(sizeAfter, lotSize, mark, imfPpm);
            if (eqAfter == OVERFLOW || im == OVERFLOW) return Verdict.OVERFLOW;
            return eqAfter >= im ? Verdict.OK : Verdict.INSUFFICIENT;
        }
        long excessAfter = Fixed.sub(eqAfter, requirement(sizeAfter, lotSize, mark, mmfPpm));
        long excessBefore = Fixed.sub(equity(sizeBefore, quoteBefore, lotSize, mark),
                requirement(sizeBefore, lotSize, mark, mmfPpm));
        if (excessAfter == OVERFLOW || excessBefore == OVERFLOW) return Verdict.OVERFLOW;
        return excessAfter >= Math.min(0, excessBefore) ? Verdict.OK : Verdict.INSUFFICIENT;
    }

    /**
     * The price per lot at which a position's equity is zero, {@code -quote / (size / lot)}, rounded
     * in favour of the position's holder (the insurance fund): up for a long (it sells there), down
     * for a short (it buys back there). As {@code floor}: long {@code -floorDiv(quote, n)}, short
     * {@code floorDiv(quote, n)} with {@code n = |size| / lot >= 1}; never overflows. Not for size 0.
     */
    public static long bankruptcyPrice(long size, long quote, long lotSize) {
        long lots = Math.abs(size) / lotSize;
        return size > 0 ? -Math.floorDiv(quote, lots) : Math.floorDiv(quote, lots);
    }

    /** Below maintenance at the mark: equity < ceil(|notional| * mmf). */
    public static Verdict liquidatable(long size, long quote, long lotSize, long mark, long mmfPpm) {
        long eq = equity(size, quote, lotSize, mark);
        long mm = requirement(size, lotSize, mark, mmfPpm);
        if (eq == OVERFLOW || mm == OVERFLOW) return Verdict.OVERFLOW;
        return size != 0 && eq < mm ? Verdict.OK : Verdict.INSUFFICIENT;
    }
}
