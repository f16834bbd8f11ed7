package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Sizes shown as lots, the unit `order` takes, so that what a trader placed and what `positions` shows read alike. */
class UnitsTest {

    @Test
    void aPositionReadsAsLotsWithItsSide() {
        assertThat(Units.lots(2_000, 1_000, true)).isEqualTo("long 2 lot(s)");
        assertThat(Units.lots(-30_000, 10_000, true)).isEqualTo("short 3 lot(s)");
        assertThat(Units.lots(0, 10_000, true)).isEqualTo("flat 0 lot(s)");
    }

    @Test
    void aFillReadsAsLotsWithoutASide() {
        assertThat(Units.lots(-20_000, 10_000, false)).isEqualTo("2 lot(s)");
    }

    @Test
    void aSizeThatIsNotWholeLotsOrAnUnknownLotShowsItsBaseUnits() {
        assertThat(Units.lots(1_500, 1_000, true)).isEqualTo("long 1500 base unit(s), not a whole number of lot(s)");
        assertThat(Units.lots(1_500, 0, false)).isEqualTo("1500 base unit(s), not a whole number of lot(s)");
    }

    @Test
    void anL1WaitSaysHowLongItIsInRealTimeOnlyWhereL1TimeRunsFast() {
        assertThat(UserOptions.l1Wait(599, 1)).isEqualTo("599 L1 second(s)");
        // rounded up: a wait is never promised shorter than it is
        assertThat(UserOptions.l1Wait(599, 20)).isEqualTo("599 L1 second(s) (about 30 s here: L1 time runs 20x)");
        assertThat(UserOptions.l1Wait(600, 20)).isEqualTo("600 L1 second(s) (about 30 s here: L1 time runs 20x)");
        assertThat(UserOptions.l1Wait(0, 20)).isEqualTo("0 L1 second(s) (about 0 s here: L1 time runs 20x)");
    }
}
