package dev.clearline.sequencer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A bad number for any of the sequencer's options is refused with the option's name, its range and the value given. */
class OptionValuesTest {
    @Test
    void aGivenValueInRangeIsReadAndAMissingOneIsTheDefault() {
        OptionValues v = new OptionValues(Map.of("port", "8481", "batch-seconds", "60", "rate-per-key", "2.5"));
        assertThat(v.wholeInt("port", 8480, 0, 65_535, "a TCP port")).isEqualTo(8481);
        assertThat(v.whole("batch-seconds", 2, 1, 3_600, "seconds")).isEqualTo(60);
        assertThat(v.whole("snapshot-every", 60, 0, 86_400, "seconds")).isEqualTo(60);
        assertThat(v.positive("rate-per-key", 2000, "requests a second")).isEqualTo(2.5);
        assertThat(v.positive("absent", 7, "x")).isEqualTo(7);
    }

    @Test
    void wordsAndValuesOutOfRangeAreRefusedWithTheOptionAndItsRange() {
        OptionValues v = new OptionValues(Map.of("snapshot-every", "abc", "port", "99999", "batch-seconds", "0", "rate-per-key", "-1",
                "min-free-mb", "1e3"));
        assertThatThrownBy(() -> v.whole("snapshot-every", 60, 0, 86_400, "seconds between snapshots (0: none)"))
                .hasMessage("--snapshot-every takes seconds between snapshots (0: none) from 0 to 86400; got \"abc\"");
        assertThatThrownBy(() -> v.wholeInt("port", 8480, 0, 65_535, "a TCP port")).hasMessageContaining("--port takes a TCP port from 0 to 65535; got \"99999\"");
        assertThatThrownBy(() -> v.whole("batch-seconds", 2, 1, 3_600, "seconds")).hasMessageContaining("from 1 to 3600; got \"0\"");
        assertThatThrownBy(() -> v.positive("rate-per-key", 2000, "requests a second per trader key"))
                .hasMessage("--rate-per-key takes requests a second per trader key, more than 0; got \"-1\"");
        assertThatThrownBy(() -> v.whole("min-free-mb", 256, 0, 1L << 40, "megabytes")).hasMessageContaining("--min-free-mb", "\"1e3\"");
    }

    @Test
    void aLifetimeIsAWholeNumberWithAUnitOrNone() {
        OptionValues v = new OptionValues(Map.of("a", "7d", "b", "none", "c", "7", "d", "400d"));
        assertThat(v.lifetime("a", 0)).isEqualTo(7 * 86_400);
        assertThat(v.lifetime("b", 60)).isZero();
        assertThat(v.lifetime("missing", 60)).isEqualTo(60);
        assertThatThrownBy(() -> v.lifetime("c", 0)).hasMessage("--c takes none or a lifetime from 1s to 365d (90s, 10m, 2h, 7d); got \"7\"");
        assertThatThrownBy(() -> v.lifetime("d", 0)).hasMessageContaining("got \"400d\"");
    }
}
