package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * `order`'s default margin against the engine's own initial-margin check: an order from a trader
 * with no position and no resting orders, filled in full at its limit and judged at the mark, as
 * the exchange judges it before admitting it ({@code PreChecks}), must pass, wherever the limit
 * stands against the mark; and at the mark it costs what the old fixed share of the notional did.
 */
class DefaultMarginProperties {

    record Case(long imfPpm, long feePpm, long lot, long mark, long limit, long lots, boolean buy) {
        static Case from(long seed) {
            Random r = new Random(seed);
            long imf = 10_000 + r.nextInt(490_001);
            long fee = r.nextInt(5_001);
            long lot = 1 + r.nextInt(1_000_000);
            long mark = 1 + r.nextLong(1_000_000_000L);
            // limits from a fifth of the mark to five times it, and often exactly at it
            long limit = r.nextInt(4) == 0 ? mark : Math.max(1, Math.round(mark * Math.exp((r.nextDouble() * 2 - 1) * Math.log(5))));
            long lots = 1 + r.nextInt(r.nextBoolean() ? 10 : 1_000_000);
            return new Case(imf, fee, lot, mark, limit, lots, r.nextBoolean());
        }

        long margin() {
            return new DefaultMargin(imfPpm, feePpm, mark).of(buy, limit, lots);
        }

        /** The engine's check of this order alone on a fresh account, filled at its limit. */
        Margin.Verdict engineVerdict(long margin) {
            long size = Math.multiplyExact(lots, lot);
            long notional = Fixed.notional(size, lot, limit);
            long fee = Fixed.mulPpmUp(notional, feePpm);
            long quoteAfter = Fixed.sub(margin, Fixed.add(buy ? notional : -notional, fee));
            return Margin.checkFill(0, margin, buy ? size : -size, quoteAfter, lot, mark, imfPpm, imfPpm / 2);
        }
    }

    @Test
    void theDefaultPassesTheExchangesMarginCheckWhereverTheLimitStands() {
        Property.forAll(Gens.seeds()).tries(3_000).check(seed -> {
            Case c = Case.from(seed);
            long margin = c.margin();
            assertThat(c.engineVerdict(margin)).as("%s margin %d", c, margin).isEqualTo(Margin.Verdict.OK);
        });
    }

    @Test
    void atTheMarkItIsTheInitialMarginTheFeeAndOnePercent() {
        Property.forAll(Gens.seeds()).tries(1_000).check(seed -> {
            Case c = Case.from(seed);
            Case at = new Case(c.imfPpm(), c.feePpm(), c.lot(), c.mark(), c.mark(), c.lots(), c.buy());
            BigInteger notional = BigInteger.valueOf(at.lots()).multiply(BigInteger.valueOf(at.mark()));
            long share = notional.multiply(BigInteger.valueOf(c.imfPpm() + c.feePpm() + 10_000)).divide(BigInteger.valueOf(1_000_000)).longValueExact();
            assertThat(at.margin()).as("%s", at).isBetween(share, share + 2);
        });
    }

    @Test
    void withoutAMarkYetTheLimitStandsInForIt() {
        Property.forAll(Gens.seeds()).tries(1_000).check(seed -> {
            Case c = Case.from(seed);
            assertThat(new DefaultMargin(c.imfPpm(), c.feePpm(), 0).of(c.buy(), c.limit(), c.lots())).as("%s", c)
                    .isEqualTo(new DefaultMargin(c.imfPpm(), c.feePpm(), c.limit()).of(c.buy(), c.limit(), c.lots()));
        });
    }

    @Test
    void aMarginUpToTheLargestTheExchangeCountsIsGivenAndOnePastItIsRefused() {
        // 99 % initial margin plus the 1 % buffer, no fee: the margin is the notional itself
        DefaultMargin whole = new DefaultMargin(990_000, 0, 1L << 62);
        assertThat(whole.of(true, 1L << 62, 1)).isEqualTo(1L << 62);
        assertThat(new DefaultMargin(990_000, 0, Long.MAX_VALUE / 3).of(true, Long.MAX_VALUE / 3, 3)).isEqualTo(Long.MAX_VALUE / 3 * 3);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> whole.of(true, 1L << 62, 2)).isInstanceOf(UserError.class)
                .hasMessageContaining("--lots 2 at that price needs more margin than the exchange can count");
    }

    @Test
    void aBuyAboveTheMarkCarriesTheLossItWouldShowThere() {
        // market 1 of the local stack: 10 % initial margin, 0.05 % fee, mark 59.97 per lot; a buy of 2 lots at 61
        long old = (2 * 61_000_000L * (100_000 + 500 + 10_000) + 999_999) / 1_000_000;
        Case c = new Case(100_000, 500, 1_000, 59_970_000, 61_000_000, 2, true);
        assertThat(c.engineVerdict(old)).as("a fixed share of the notional is refused").isEqualTo(Margin.Verdict.INSUFFICIENT);
        assertThat(c.engineVerdict(c.margin())).isEqualTo(Margin.Verdict.OK);
        assertThat(c.margin()).isEqualTo(12_200_000 + 2_060_000 + 61_000 + 1_220_000);
    }
}
