package dev.clearline.cli;

import java.math.BigInteger;

/**
 * The margin `order` moves into a position when the trader names none. The exchange admits an order
 * that opens or grows a position only if its worst case passes the initial-margin check at the
 * mark: the order filled in full at its limit (docs/protocol.md section 4). So the default covers,
 * for the order alone:
 * <ul>
 *   <li>the initial margin of its size at the higher of the limit and the mark;</li>
 *   <li>the loss it would show at the mark the moment it fills at its limit: a buy above the mark
 *       (or a sell below it) starts that far under water, which is why a fixed share of the
 *       notional was refused for orders priced away from the mark;</li>
 *   <li>the fee at the higher of the maker and taker rates;</li>
 *   <li>1% of that notional again, so the mark can move a little before the position nears its
 *       requirement.</li>
 * </ul>
 * All in base units (6 decimals), prices per lot, rounded up. Without a mark yet the limit stands in
 * for it.
 */
record DefaultMargin(long imfPpm, long feePpm, long markPerLot) {
    private static final BigInteger PPM = BigInteger.valueOf(1_000_000);
    private static final long BUFFER_PPM = 10_000;

    long of(boolean buy, long limitPerLot, long lots) {
        long mark = markPerLot > 0 ? markPerLot : limitPerLot;
        BigInteger n = BigInteger.valueOf(lots);
        BigInteger atHigher = n.multiply(BigInteger.valueOf(Math.max(limitPerLot, mark)));
        BigInteger gap = BigInteger.valueOf(Math.max(0, buy ? limitPerLot - mark : mark - limitPerLot));
        BigInteger margin = ppmUp(atHigher, imfPpm + BUFFER_PPM)
                .add(gap.multiply(n))
                .add(ppmUp(n.multiply(BigInteger.valueOf(limitPerLot)), feePpm));
        if (margin.bitLength() > 63) throw new UserError("--lots " + lots + " at that price needs more margin than the exchange can count; use fewer lots");
        return margin.longValueExact();
    }

    private static BigInteger ppmUp(BigInteger amount, long ppm) {
        return amount.multiply(BigInteger.valueOf(ppm)).add(PPM).subtract(BigInteger.ONE).divide(PPM);
    }
}
