package dev.clearline.sequencer.oracle;

import java.math.BigInteger;

/**
 * One market's cumulative funding index (collateral units per lot, what {@code OraclePrice}
 * carries): each step adds {@code price * ratePpmPerHour * seconds / (3600 * 1e6)}, exactly, with
 * the remainder carried into the next step so no funding is lost to rounding over time. A long pays
 * {@code lots * (F_now - F_then)} when its position is next touched (docs/protocol.md section 4).
 */
public final class FundingIndex {
    private static final BigInteger DIVISOR = BigInteger.valueOf(3_600L * 1_000_000L);
    private long index;
    private BigInteger carry = BigInteger.ZERO;

    public FundingIndex(long start) {
        this.index = start;
    }

    public long value() {
        return index;
    }

    /** Accrues {@code seconds} at {@code ratePpmPerHour} of {@code price}; returns the new index. */
    public long accrue(long price, long ratePpmPerHour, long seconds) {
        if (seconds <= 0 || ratePpmPerHour == 0) return index;
        BigInteger total = BigInteger.valueOf(price).multiply(BigInteger.valueOf(ratePpmPerHour)).multiply(BigInteger.valueOf(seconds)).add(carry);
        BigInteger[] qr = total.divideAndRemainder(DIVISOR);
        carry = qr[1];
        index = Math.addExact(index, qr[0].longValueExact());
        return index;
    }
}
