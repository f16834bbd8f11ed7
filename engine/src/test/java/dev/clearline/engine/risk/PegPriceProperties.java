package dev.clearline.engine.risk;

import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link PegPrice#markPegged} against a BigInteger statement of the rule. */
class PegPriceProperties {
    record Case(boolean isBuy, long limit, long offset, long mark, long tick) {}

    static final Gen<Case> CASES = Gens.longs(1, 1_000_000).flatMap(tick ->
            Gens.booleans().flatMap(buy ->
            Gens.longs(1, 1L << 20).flatMap(limitTicks ->
            Gens.longs(Integer.MIN_VALUE, Integer.MAX_VALUE).flatMap(offset ->
            Gens.oneOf(Gens.longs(1, 1L << 40), Gens.longs(1, Long.MAX_VALUE)).map(mark ->
                    new Case(buy, limitTicks * tick, offset, mark, tick))))));

    @Test
    void peggedPriceIsTheRoundedRawPriceClampedToTheLimit() {
        Property.forAll(CASES).tries(3000).check(c -> {
            long got = PegPrice.markPegged(c.isBuy(), c.limit(), c.offset(), c.mark(), c.tick());
            BigInteger tick = BigInteger.valueOf(c.tick());
            BigInteger offsetTimesTick = BigInteger.valueOf(c.offset()).multiply(tick);
            BigInteger raw = BigInteger.valueOf(c.mark()).add(offsetTimesTick);
            BigInteger max = BigInteger.valueOf(Long.MAX_VALUE);
            if (offsetTimesTick.abs().compareTo(max) > 0 || raw.abs().compareTo(max) > 0) {
                assertThat(got).isEqualTo(Fixed.OVERFLOW);
                return;
            }
            BigInteger limit = BigInteger.valueOf(c.limit());
            BigInteger expected;
            if (c.isBuy()) {
                BigInteger floor = raw.divide(tick).multiply(tick);
                if (raw.signum() < 0 && !raw.mod(tick).equals(BigInteger.ZERO)) floor = floor.subtract(tick);
                expected = floor.min(limit);
                if (expected.signum() <= 0) expected = BigInteger.valueOf(PegPrice.NOT_POSITIVE);
            } else {
                BigInteger ceil = raw.add(tick).subtract(BigInteger.ONE).divide(tick).multiply(tick);
                if (raw.signum() <= 0) ceil = BigInteger.ZERO;
                expected = ceil.max(limit);
                if (expected.compareTo(max) > 0) expected = BigInteger.valueOf(Fixed.OVERFLOW);
            }
            assertThat(got).isEqualTo(expected.longValueExact());
            if (got > 0) assertThat(got % c.tick()).isZero();
        });
    }

    @Test
    void sellRoundedUpPastInt64IsOverflowAndTheLastTickIsNot() {
        long tick = 100;
        long lastOnTick = Long.MAX_VALUE / tick * tick;
        assertThat(PegPrice.markPegged(false, tick, 0, lastOnTick, tick)).isEqualTo(lastOnTick);
        assertThat(PegPrice.markPegged(false, tick, 0, lastOnTick + 1, tick)).isEqualTo(Fixed.OVERFLOW);
        assertThat(PegPrice.markPegged(true, tick, 0, lastOnTick + 1, tick)).isEqualTo(tick);
    }
}
