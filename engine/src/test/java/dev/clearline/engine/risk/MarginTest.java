package dev.clearline.engine.risk;

import static dev.clearline.engine.risk.Fixed.OVERFLOW;
import static dev.clearline.engine.risk.Margin.Verdict.INSUFFICIENT;
import static dev.clearline.engine.risk.Margin.Verdict.OK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * Every margin rule of docs/protocol.md section 4 at equality and one unit either side: the
 * initial rule (equity_after >= IM_after), the reducing rule (excess_after >= min(0, excess_before)),
 * liquidatable (equity < MM, size != 0), plus a BigInteger model of the whole fill check.
 *
 * <p>Market used by the hand-picked cases: lot 1_000, IM 10 %, MM 5 %. One lot at 10_000 is a
 * notional of 10_000: IM 1_000, MM 500.
 */
class MarginTest {
    static final long LOT = 1_000;
    static final long IMF = 100_000;
    static final long MMF = 50_000;

    @Test
    void equityAndRequirementsFollowTheFormulas() {
        assertThat(Margin.equity(3 * LOT, -25_000, LOT, 10_000)).isEqualTo(5_000);
        assertThat(Margin.equity(-3 * LOT, 35_000, LOT, 10_000)).isEqualTo(5_000);
        assertThat(Margin.requirement(-3 * LOT, LOT, 10_001, IMF)).isEqualTo(3_001);   // 3_000.3 rounds up
        assertThat(Margin.requirement(3 * LOT, LOT, 10_000, MMF)).isEqualTo(1_500);
        assertThat(Margin.requirement(0, LOT, 10_000, IMF)).isZero();
        assertThat(Margin.settleFunding(2 * LOT, 1_000, 5, 12, LOT)).isEqualTo(1_000 - 2 * 7);
        assertThat(Margin.settleFunding(-2 * LOT, 1_000, 5, 12, LOT)).isEqualTo(1_000 + 2 * 7);
        assertThat(Margin.settleFunding(2 * LOT, 1_000, 12, 5, LOT)).isEqualTo(1_000 + 2 * 7);
        assertThat(Margin.settleFunding(0, 1_000, 0, Long.MAX_VALUE, LOT)).isEqualTo(1_000);
    }

    @Test
    void aRequirementWithARemainderRoundsAgainstTheTrader() {
        // 1 lot at 10_001: IM = ceil(1_000.1) = 1_001, MM = ceil(500.05) = 501
        assertThat(Margin.requirement(LOT, LOT, 10_001, IMF)).isEqualTo(1_001);
        assertThat(Margin.requirement(LOT, LOT, 10_001, MMF)).isEqualTo(501);
        // so equity 1_000 opens nothing at 10_001 although 1_000 >= 1_000.1 - 0.1
        assertThat(Margin.checkFill(0, 1_000 - 10_001 + 1, LOT, 1_000 - 10_001, LOT, 10_001, IMF, MMF)).isEqualTo(INSUFFICIENT);
        assertThat(Margin.checkFill(0, 0, LOT, 1_001 - 10_001, LOT, 10_001, IMF, MMF)).isEqualTo(OK);
    }

    @Test
    void reducesAtItsEdges() {
        assertThat(Margin.reduces(5, 0)).isTrue();
        assertThat(Margin.reduces(0, 0)).isTrue();
        assertThat(Margin.reduces(5, 5)).isTrue();        // |after| == |before| counts as reducing
        assertThat(Margin.reduces(5, 4)).isTrue();
        assertThat(Margin.reduces(5, 6)).isFalse();
        assertThat(Margin.reduces(-5, -5)).isTrue();
        assertThat(Margin.reduces(-5, -4)).isTrue();
        assertThat(Margin.reduces(-5, -6)).isFalse();
        assertThat(Margin.reduces(5, -1)).isFalse();      // flipping is increasing
        assertThat(Margin.reduces(-5, 1)).isFalse();
        assertThat(Margin.reduces(0, 1)).isFalse();       // opening is increasing
        assertThat(Margin.reduces(0, -1)).isFalse();
    }

    @Test
    void increasingNeedsEquityAtLeastTheInitialRequirement() {
        // open 1 lot long at mark 10_000: quote after = q, equity = q + 10_000, IM = 1_000
        long atIm = 1_000 - 10_000;
        assertThat(Margin.checkFill(0, 0, LOT, atIm, LOT, 10_000, IMF, MMF)).isEqualTo(OK);            // equity == IM
        assertThat(Margin.checkFill(0, 0, LOT, atIm - 1, LOT, 10_000, IMF, MMF)).isEqualTo(INSUFFICIENT);
        assertThat(Margin.checkFill(0, 0, LOT, atIm + 1, LOT, 10_000, IMF, MMF)).isEqualTo(OK);
        // short side: equity = q - 10_000
        assertThat(Margin.checkFill(0, 0, -LOT, 11_000, LOT, 10_000, IMF, MMF)).isEqualTo(OK);
        assertThat(Margin.checkFill(0, 0, -LOT, 10_999, LOT, 10_000, IMF, MMF)).isEqualTo(INSUFFICIENT);
        // flipping from -1 to +1 lot is increasing: the initial rule applies to the new position
        assertThat(Margin.checkFill(-LOT, 0, LOT, atIm, LOT, 10_000, IMF, MMF)).isEqualTo(OK);
        assertThat(Margin.checkFill(-LOT, 1_000_000, LOT, atIm - 1, LOT, 10_000, IMF, MMF)).isEqualTo(INSUFFICIENT);
        // growing 1 -> 2 lots: IM = 2_000 on 20_000
        assertThat(Margin.checkFill(LOT, 0, 2 * LOT, 2_000 - 20_000, LOT, 10_000, IMF, MMF)).isEqualTo(OK);
        assertThat(Margin.checkFill(LOT, 1_000_000, 2 * LOT, 1_999 - 20_000, LOT, 10_000, IMF, MMF)).isEqualTo(INSUFFICIENT);
    }

    @Test
    void aHealthyPositionMayReduceDownToExactlyMaintenance() {
        // before: 2 lots, equity 5_000, MM 1_000: excess 4_000 > 0, so the bar after is 0
        long quoteBefore = 5_000 - 20_000;
        // after: 1 lot, MM 500; equity after == 500 is allowed, 499 is not
        long atMm = 500 - 10_000;
        assertThat(Margin.checkFill(2 * LOT, quoteBefore, LOT, atMm, LOT, 10_000, IMF, MMF)).isEqualTo(OK);
        assertThat(Margin.checkFill(2 * LOT, quoteBefore, LOT, atMm - 1, LOT, 10_000, IMF, MMF)).isEqualTo(INSUFFICIENT);
        // the bar is maintenance, not initial: equity 500 < IM 1_000 still passes
        assertThat(Margin.checkFill(-2 * LOT, 25_000, -LOT, 10_500, LOT, 10_000, IMF, MMF)).isEqualTo(OK);
        assertThat(Margin.checkFill(-2 * LOT, 25_000, -LOT, 10_499, LOT, 10_000, IMF, MMF)).isEqualTo(INSUFFICIENT);
        // closing to zero: no requirement, equity after must be >= 0 (excess before positive)
        assertThat(Margin.checkFill(LOT, -8_000, 0, 0, LOT, 10_000, IMF, MMF)).isEqualTo(OK);
        assertThat(Margin.checkFill(LOT, -8_000, 0, -1, LOT, 10_000, IMF, MMF)).isEqualTo(INSUFFICIENT);
    }

    @Test
    void anUnhealthyPositionMayReduceOnlyIfItsShortfallDoesNotGrow() {
        // before: 2 lots at 10_000, equity 700, MM 1_000: excess -300
        long quoteBefore = 700 - 20_000;
        // after: 1 lot, MM 500; excess after must be >= -300, so equity after >= 200
        assertThat(Margin.checkFill(2 * LOT, quoteBefore, LOT, 200 - 10_000, LOT, 10_000, IMF, MMF)).isEqualTo(OK);
        assertThat(Margin.checkFill(2 * LOT, quoteBefore, LOT, 199 - 10_000, LOT, 10_000, IMF, MMF)).isEqualTo(INSUFFICIENT);
        // a position at exactly maintenance before (excess 0) behaves as healthy: bar 0
        long atMmBefore = 1_000 - 20_000;
        assertThat(Margin.checkFill(2 * LOT, atMmBefore, LOT, 500 - 10_000, LOT, 10_000, IMF, MMF)).isEqualTo(OK);
        assertThat(Margin.checkFill(2 * LOT, atMmBefore, LOT, 499 - 10_000, LOT, 10_000, IMF, MMF)).isEqualTo(INSUFFICIENT);
        // a position one unit under maintenance (excess -1): the bar is -1
        long underMm = 999 - 20_000;
        assertThat(Margin.checkFill(2 * LOT, underMm, LOT, 499 - 10_000, LOT, 10_000, IMF, MMF)).isEqualTo(OK);
        assertThat(Margin.checkFill(2 * LOT, underMm, LOT, 498 - 10_000, LOT, 10_000, IMF, MMF)).isEqualTo(INSUFFICIENT);
        // an unchanged size is "reducing" too: same bar
        assertThat(Margin.checkFill(2 * LOT, quoteBefore, 2 * LOT, quoteBefore, LOT, 10_000, IMF, MMF)).isEqualTo(OK);
        assertThat(Margin.checkFill(2 * LOT, quoteBefore, 2 * LOT, quoteBefore - 1, LOT, 10_000, IMF, MMF)).isEqualTo(INSUFFICIENT);
    }

    @Test
    void liquidatableStrictlyBelowMaintenanceAndNeverWhenFlat() {
        // 1 lot long at mark 10_000: MM 500; equity == MM is safe, one less is liquidatable
        assertThat(Margin.liquidatable(LOT, 500 - 10_000, LOT, 10_000, MMF)).isEqualTo(INSUFFICIENT);
        assertThat(Margin.liquidatable(LOT, 499 - 10_000, LOT, 10_000, MMF)).isEqualTo(OK);
        assertThat(Margin.liquidatable(-LOT, 10_500, LOT, 10_000, MMF)).isEqualTo(INSUFFICIENT);
        assertThat(Margin.liquidatable(-LOT, 10_499, LOT, 10_000, MMF)).isEqualTo(OK);
        // a flat position with negative equity is bad debt already settled, not a liquidation
        assertThat(Margin.liquidatable(0, -1, LOT, 10_000, MMF)).isEqualTo(INSUFFICIENT);
        assertThat(Margin.liquidatable(0, 0, LOT, 10_000, MMF)).isEqualTo(INSUFFICIENT);
        // MM with a remainder rounds up: 1 lot at 10_001 needs 501
        assertThat(Margin.liquidatable(LOT, 501 - 10_001, LOT, 10_001, MMF)).isEqualTo(INSUFFICIENT);
        assertThat(Margin.liquidatable(LOT, 500 - 10_001, LOT, 10_001, MMF)).isEqualTo(OK);
    }

    @Test
    void overflowAnywhereIsOverflowNotAVerdict() {
        long huge = Long.MAX_VALUE - Long.MAX_VALUE % LOT;
        assertThat(Margin.liquidatable(huge, Long.MAX_VALUE, LOT, 10_000, MMF)).isEqualTo(Margin.Verdict.OVERFLOW);
        assertThat(Margin.liquidatable(LOT, Long.MAX_VALUE, LOT, 10_000, MMF)).isEqualTo(Margin.Verdict.OVERFLOW);
        assertThat(Margin.checkFill(0, 0, huge, 0, LOT, 10_000, IMF, MMF)).isEqualTo(Margin.Verdict.OVERFLOW);
        assertThat(Margin.checkFill(0, 0, LOT, Long.MAX_VALUE, LOT, 10_000, IMF, MMF)).isEqualTo(Margin.Verdict.OVERFLOW);
        // reducing: overflow after, or overflow only in the "before" excess
        assertThat(Margin.checkFill(2 * LOT, 0, LOT, Long.MAX_VALUE, LOT, 10_000, IMF, MMF)).isEqualTo(Margin.Verdict.OVERFLOW);
        assertThat(Margin.checkFill(2 * LOT, Long.MAX_VALUE, LOT, 0, LOT, 10_000, IMF, MMF)).isEqualTo(Margin.Verdict.OVERFLOW);
        assertThat(Margin.checkFill(huge, 0, LOT, 0, LOT, 10_000, IMF, MMF)).isEqualTo(Margin.Verdict.OVERFLOW);
        assertThat(Margin.settleFunding(LOT, 0, 0, OVERFLOW, LOT)).isEqualTo(OVERFLOW);
        assertThat(Margin.settleFunding(0, 0, 0, OVERFLOW, LOT)).isEqualTo(OVERFLOW);
        assertThat(Margin.equity(LOT, OVERFLOW, LOT, 1)).isEqualTo(OVERFLOW);
    }

    // ---- a BigInteger model of the fill check, compared on generated positions ----

    private static final BigInteger I64_LO = BigInteger.valueOf(Long.MIN_VALUE + 1);
    private static final BigInteger I64_HI = BigInteger.valueOf(Long.MAX_VALUE);

    private static BigInteger checked(BigInteger v) {
        if (v == null || v.compareTo(I64_LO) < 0 || v.compareTo(I64_HI) > 0) return null;
        return v;
    }

    private static BigInteger ceilPpm(BigInteger a, long ppm) {
        if (a == null) return null;
        BigInteger[] qr = a.multiply(BigInteger.valueOf(ppm)).divideAndRemainder(BigInteger.valueOf(1_000_000));
        return qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    }

    private static BigInteger notional(long size, long mark) {
        return checked(BigInteger.valueOf(size / LOT).multiply(BigInteger.valueOf(mark)));
    }

    private static BigInteger equity(long size, long quote, long mark) {
        BigInteger n = notional(size, mark);
        return n == null ? null : checked(BigInteger.valueOf(quote).add(n));
    }

    private static Margin.Verdict model(long sb, long qb, long sa, long qa, long mark) {
        BigInteger eqAfter = equity(sa, qa, mark);
        boolean reducing = sa == 0 || (Long.signum(sa) == Long.signum(sb) && Math.abs(sa) <= Math.abs(sb));
        if (!reducing) {
            BigInteger n = notional(sa, mark);
            BigInteger im = n == null ? null : ceilPpm(n.abs(), IMF);
            if (eqAfter == null || im == null) return Margin.Verdict.OVERFLOW;
            return eqAfter.compareTo(im) >= 0 ? OK : INSUFFICIENT;
        }
        BigInteger nA = notional(sa, mark);
        BigInteger nB = notional(sb, mark);
        BigInteger eqBefore = equity(sb, qb, mark);
        BigInteger exA = eqAfter == null || nA == null ? null : checked(eqAfter.subtract(ceilPpm(nA.abs(), MMF)));
        BigInteger exB = eqBefore == null || nB == null ? null : checked(eqBefore.subtract(ceilPpm(nB.abs(), MMF)));
        if (exA == null || exB == null) return Margin.Verdict.OVERFLOW;
        return exA.compareTo(exB.min(BigInteger.ZERO)) >= 0 ? OK : INSUFFICIENT;
    }

    @Test
    void theFillCheckAgreesWithAnExactModelNearEveryBoundary() {
        Gen<Long> lots = Gens.frequency(4, Gens.longs(-6, 6), 1, Gens.longs(-9_000_000_000_000L, 9_000_000_000_000L));
        Gen<Long> mark = Gens.frequency(4, Gens.longs(1, 20_000), 1, Gens.longs(1, Long.MAX_VALUE / 1_000));
        // quotes near the point where equity meets the requirement: that is where >= and > differ
        Gen<Long> offset = Gens.frequency(4, Gens.longs(-3, 3), 2, Gens.longs(-5_000, 5_000), 1, Gens.longs());
        Property.forAll(Gens.allOf(lots, lots, mark), Gens.allOf(offset, offset)).tries(4_000).check((shape, offsets) -> {
            long sb = shape.get(0) * LOT;
            long sa = shape.get(1) * LOT;
            long p = shape.get(2);
            // quote that puts equity exactly at IM (after) / MM (before), then shifted
            long qa = anchored(sa, p, Margin.reduces(sb, sa) ? MMF : IMF, offsets.get(0));
            long qb = anchored(sb, p, MMF, offsets.get(1));
            assertThat(Margin.checkFill(sb, qb, sa, qa, LOT, p, IMF, MMF))
                    .as("checkFill(%d, %d, %d, %d, mark %d)", sb, qb, sa, qa, p).isEqualTo(model(sb, qb, sa, qa, p));
            BigInteger eq = equity(sa, qa, p);
            BigInteger n = notional(sa, p);
            Margin.Verdict liquidatable = eq == null || n == null ? Margin.Verdict.OVERFLOW
                    : sa != 0 && eq.compareTo(ceilPpm(n.abs(), MMF)) < 0 ? OK : INSUFFICIENT;
            assertThat(Margin.liquidatable(sa, qa, LOT, p, MMF)).as("liquidatable(%d, %d, mark %d)", sa, qa, p)
                    .isEqualTo(liquidatable);
        });
    }

    /** quote such that quote + notional == requirement + offset, clamped into range. */
    private static long anchored(long size, long mark, long ppm, long offset) {
        BigInteger n = BigInteger.valueOf(size / LOT).multiply(BigInteger.valueOf(mark));
        BigInteger q = ceilPpm(n.abs(), ppm).subtract(n).add(BigInteger.valueOf(offset));
        return q.max(I64_LO).min(I64_HI).longValue();
    }
}
