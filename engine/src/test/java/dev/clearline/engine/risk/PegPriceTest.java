package dev.clearline.engine.risk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Mark-pegged prices at their edges: exactly one tick, exactly the limit (PIT survivors). */
class PegPriceTest {

    @Test
    void aBuyPeggedToExactlyOneTickIsThatTickAndBelowItIsNotPositive() {
        assertThat(PegPrice.markPegged(true, 10_000, 0, 100, 100)).isEqualTo(100);
        assertThat(PegPrice.markPegged(true, 10_000, 0, 99, 100)).isEqualTo(PegPrice.NOT_POSITIVE);
        assertThat(PegPrice.markPegged(true, 10_000, -1, 200, 100)).isEqualTo(100);
        assertThat(PegPrice.markPegged(true, 10_000, 0, 150, 100)).isEqualTo(100);   // floors to the tick
    }

    @Test
    void aSellPeggedAtOrBelowItsLimitSellsAtTheLimitAndAboveItRoundsUp() {
        assertThat(PegPrice.markPegged(false, 1_000, 0, 1_000, 100)).isEqualTo(1_000);
        assertThat(PegPrice.markPegged(false, 1_000, 0, 900, 100)).isEqualTo(1_000);
        assertThat(PegPrice.markPegged(false, 1_000, 0, 1_001, 100)).isEqualTo(1_100);
        assertThat(PegPrice.markPegged(false, 1_000, 1, 1_000, 100)).isEqualTo(1_100);
    }
}
