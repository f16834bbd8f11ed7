package dev.clearline.engine.risk;

import static dev.clearline.engine.risk.Fixed.OVERFLOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * The edges of docs/protocol.md section 4 "Widths" and "Rounding": every checked result lies in
 * [-(2^63 - 1), 2^63 - 1], -2^63 is the overflow sentinel (as operand and as result), and
 * ceilPpm rounds up exactly when there is a remainder. A BigInteger model is the oracle.
 */
class FixedTest {
    private static final long MAX = Long.MAX_VALUE;
    private static final long MIN_OK = Long.MIN_VALUE + 1;
    private static final BigInteger LO = BigInteger.valueOf(MIN_OK);
    private static final BigInteger HI = BigInteger.valueOf(MAX);
    private static final BigInteger MILLION = BigInteger.valueOf(1_000_000);

    /** Operands near zero, near the square root of 2^63, and at the extremes, the sentinel included. */
    private static final Gen<Long> OPERAND = Gens.frequency(
            3, Gens.longs(),
            2, Gens.longs(-5_000_000_000L, 5_000_000_000L),
            1, Gens.longs(-1_000, 1_000),
            1, Gens.elements(Long.MIN_VALUE, MIN_OK, MAX, MAX - 1, 3_037_000_499L, 3_037_000_500L,
                    -3_037_000_499L, -3_037_000_500L, 1L << 31, 1L << 32, -(1L << 62), 1L << 62, 2L, -2L, -1L, 0L));

    private static long model(BigInteger exact) {
        return exact.compareTo(LO) < 0 || exact.compareTo(HI) > 0 ? OVERFLOW : exact.longValueExact();
    }

    private static BigInteger big(long v) {
        return BigInteger.valueOf(v);
    }

    @Test
    void addSubMulAgreeWithExactArithmeticCheckedAgainstTheInt64Bound() {
        Property.forAll(OPERAND, OPERAND).tries(3_000).check((a, b) -> {
            boolean sentinel = a == OVERFLOW || b == OVERFLOW;
            assertThat(Fixed.add(a, b)).as("add(%d, %d)", a, b).isEqualTo(sentinel ? OVERFLOW : model(big(a).add(big(b))));
            assertThat(Fixed.sub(a, b)).as("sub(%d, %d)", a, b).isEqualTo(sentinel ? OVERFLOW : model(big(a).subtract(big(b))));
            assertThat(Fixed.mul(a, b)).as("mul(%d, %d)", a, b).isEqualTo(sentinel ? OVERFLOW : model(big(a).multiply(big(b))));
        });
    }

    @Test
    void aResultOfExactlyMinusTwoToThe63IsOverflowNotAValue() {
        assertThat(Fixed.add(MIN_OK, -1)).isEqualTo(OVERFLOW);
        assertThat(Fixed.add(-1, MIN_OK)).isEqualTo(OVERFLOW);
        assertThat(Fixed.sub(MIN_OK, 1)).isEqualTo(OVERFLOW);
        assertThat(Fixed.sub(-1, MAX)).isEqualTo(OVERFLOW);
        assertThat(Fixed.mul(-(1L << 62), 2)).isEqualTo(OVERFLOW);
        assertThat(Fixed.mul(1L << 62, -2)).isEqualTo(OVERFLOW);
        assertThat(Fixed.mul(1L << 32, -(1L << 31))).isEqualTo(OVERFLOW);
        assertThat(Fixed.notional(-(1L << 62), 1, 2)).isEqualTo(OVERFLOW);
        // one step inside the bound is a value
        assertThat(Fixed.add(MIN_OK, 0)).isEqualTo(MIN_OK);
        assertThat(Fixed.sub(MIN_OK + 1, 1)).isEqualTo(MIN_OK);
        assertThat(Fixed.sub(0, MAX)).isEqualTo(MIN_OK);
        assertThat(Fixed.mul(MAX, -1)).isEqualTo(MIN_OK);
        assertThat(Fixed.mul(-1, MIN_OK)).isEqualTo(MAX);
    }

    @Test
    void theSentinelAsAnOperandIsNeverTreatedAsANumber() {
        for (long other : new long[] {0, 1, -1, MAX, MIN_OK}) {
            assertThat(Fixed.add(OVERFLOW, other)).isEqualTo(OVERFLOW);
            assertThat(Fixed.add(other, OVERFLOW)).isEqualTo(OVERFLOW);
            assertThat(Fixed.sub(OVERFLOW, other)).isEqualTo(OVERFLOW);
            assertThat(Fixed.sub(other, OVERFLOW)).isEqualTo(OVERFLOW);
            assertThat(Fixed.mul(OVERFLOW, other)).isEqualTo(OVERFLOW);
            assertThat(Fixed.mul(other, OVERFLOW)).isEqualTo(OVERFLOW);
        }
        // 0 * sentinel and sentinel * 1 would be 0 and -2^63 if the sentinel were a number
        assertThat(Fixed.mul(0, OVERFLOW)).isEqualTo(OVERFLOW);
        assertThat(Fixed.sub(0, OVERFLOW)).isEqualTo(OVERFLOW);
        assertThat(Fixed.abs(OVERFLOW)).isEqualTo(OVERFLOW);
        assertThat(Fixed.abs(MIN_OK)).isEqualTo(MAX);
        assertThat(Fixed.abs(-7)).isEqualTo(7);
        assertThat(Fixed.mulPpmUp(OVERFLOW, 0)).isEqualTo(OVERFLOW);
        assertThat(Fixed.mulPpmUp(OVERFLOW, 1_000_000)).isEqualTo(OVERFLOW);
    }

    @Test
    void theBoundsThemselvesAreValuesAndOneStepPastThemOverflows() {
        assertThat(Fixed.add(MAX, 0)).isEqualTo(MAX);
        assertThat(Fixed.add(MAX, 1)).isEqualTo(OVERFLOW);
        assertThat(Fixed.add(MAX - 1, 1)).isEqualTo(MAX);
        assertThat(Fixed.sub(MAX, -1)).isEqualTo(OVERFLOW);
        assertThat(Fixed.sub(MIN_OK, MAX)).isEqualTo(OVERFLOW);
        assertThat(Fixed.mul(3_037_000_499L, 3_037_000_499L)).isEqualTo(9_223_372_030_926_249_001L);
        assertThat(Fixed.mul(3_037_000_500L, 3_037_000_500L)).isEqualTo(OVERFLOW);
        assertThat(Fixed.mul(-3_037_000_500L, 3_037_000_500L)).isEqualTo(OVERFLOW);
        assertThat(Fixed.mul(MAX, 1)).isEqualTo(MAX);
        assertThat(Fixed.mul(MAX, 2)).isEqualTo(OVERFLOW);
        assertThat(Fixed.mul(1L << 32, 1L << 31)).isEqualTo(OVERFLOW);
        assertThat(Fixed.mul(1L << 31, 1L << 31)).isEqualTo(1L << 62);
        // products of exactly +-2^64: the low word is 0, only the high word tells
        assertThat(Fixed.mul(-(1L << 32), 1L << 32)).isEqualTo(OVERFLOW);
        assertThat(Fixed.mul(1L << 32, 1L << 32)).isEqualTo(OVERFLOW);
    }

    @Test
    void ceilPpmIsTheExactCeilingForEveryAmountAndFraction() {
        Gen<Long> amount = Gens.frequency(3, Gens.longs(0, MAX), 2, Gens.longs(0, 3_000_000), 1,
                Gens.elements(0L, 1L, 999_999L, 1_000_000L, 1_000_001L, MAX, MAX - 1, MAX / 1_000_000 * 1_000_000));
        Gen<Long> ppm = Gens.frequency(3, Gens.longs(0, 1_000_000), 1, Gens.elements(0L, 1L, 999_999L, 1_000_000L, 500_000L));
        Property.forAll(amount, ppm).tries(3_000).check((a, f) -> {
            BigInteger[] qr = big(a).multiply(big(f)).divideAndRemainder(MILLION);
            long expected = qr[0].add(qr[1].signum() == 0 ? BigInteger.ZERO : BigInteger.ONE).longValueExact();
            assertThat(Fixed.mulPpmUp(a, f)).as("ceil(%d * %d / 1e6)", a, f).isEqualTo(expected).isLessThanOrEqualTo(a);
        });
    }

    @Test
    void ceilPpmRoundsUpOnlyWhenThereIsARemainder() {
        assertThat(Fixed.mulPpmUp(1, 1)).isEqualTo(1);                 // 1e-6 rounds up to 1
        assertThat(Fixed.mulPpmUp(999_999, 1)).isEqualTo(1);
        assertThat(Fixed.mulPpmUp(1_000_000, 1)).isEqualTo(1);         // exact: no extra unit
        assertThat(Fixed.mulPpmUp(1_000_001, 1)).isEqualTo(2);
        assertThat(Fixed.mulPpmUp(10_100, 200)).isEqualTo(3);          // 2.02 -> 3
        assertThat(Fixed.mulPpmUp(10_000, 200)).isEqualTo(2);          // 2.00 -> 2
        assertThat(Fixed.mulPpmUp(2_000_000, 500_000)).isEqualTo(1_000_000);
        assertThat(Fixed.mulPpmUp(2_000_001, 500_000)).isEqualTo(1_000_001); // 1_000_000.5 -> 1_000_001
        assertThat(Fixed.mulPpmUp(0, 1_000_000)).isZero();
        assertThat(Fixed.mulPpmUp(12_345, 0)).isZero();
        assertThat(Fixed.mulPpmUp(MAX, 1_000_000)).isEqualTo(MAX);
        assertThat(Fixed.mulPpmUp(MAX, 999_999)).isEqualTo(MAX - MAX / 1_000_000);
        assertThat(Fixed.mulPpmUp(MAX, 1)).isEqualTo(MAX / 1_000_000 + 1);
    }

    @Test
    void notionalCountsWholeLotsTimesThePricePerLot() {
        assertThat(Fixed.notional(5_000, 1_000, 10_000)).isEqualTo(50_000);
        assertThat(Fixed.notional(-5_000, 1_000, 10_000)).isEqualTo(-50_000);
        assertThat(Fixed.notional(0, 1_000, 10_000)).isZero();
        assertThat(Fixed.notional(MAX, 1, 1)).isEqualTo(MAX);
        assertThat(Fixed.notional(MAX, 1, 2)).isEqualTo(OVERFLOW);
        assertThat(Fixed.notional(MAX - MAX % 1_000, 1_000, 1_000)).isEqualTo(MAX - MAX % 1_000);
    }
}
