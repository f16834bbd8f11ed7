package dev.clearline.sequencer.state;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A market id's JSON value: the Integer it always was below 2^31 (images keep their bytes), the unsigned Long above. */
class MarketIdsTest {
    @Test
    void belowTwoTo31ItStaysAnIntegerAndAboveItIsTheUnsignedLong() {
        assertThat(MarketIds.json(1)).isInstanceOf(Integer.class).isEqualTo(1);
        assertThat(MarketIds.json(Integer.MAX_VALUE)).isInstanceOf(Integer.class).isEqualTo(Integer.MAX_VALUE);
        assertThat(MarketIds.json(Integer.MIN_VALUE)).isInstanceOf(Long.class).isEqualTo(1L << 31);
        assertThat(MarketIds.json(-1)).isInstanceOf(Long.class).isEqualTo(0xffff_ffffL);
        for (int id : new int[] {0, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, -1}) assertThat(MarketIds.of(MarketIds.json(id))).isEqualTo(id);
        assertThat(MarketIds.of(Integer.valueOf(7))).as("an older image's Integer").isEqualTo(7);
    }
}
