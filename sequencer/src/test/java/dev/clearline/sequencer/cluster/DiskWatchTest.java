package dev.clearline.sequencer.cluster;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The low-disk stop fires once, on the first reading under the minimum, and never on an unreadable disk (-1). */
class DiskWatchTest {
    @Test
    void firesOnceOnTheFirstReadingBelowTheMinimumWithWhatToDo() {
        long min = 256L << 20;
        Property.forAll(Gens.listOf(Gens.<Long>frequency(1, Gens.constant(-1L), 3, Gens.longs(0, 2 * min)), 1, 30)).tries(200).check(readings -> {
            Iterator<Long> it = readings.iterator();
            List<String> told = new ArrayList<>();
            DiskWatch w = new DiskWatch(Path.of("/data/m1"), min, () -> it.next(), 1, told::add);
            int firstLow = -1;
            for (int i = 0; i < readings.size(); i++) {
                boolean low = w.check();
                boolean expected = readings.get(i) >= 0 && readings.get(i) < min;
                assertThat(low).as("reading %d: %d bytes free", i, readings.get(i)).isEqualTo(expected);
                if (expected && firstLow < 0) firstLow = i;
            }
            assertThat(told).hasSize(firstLow < 0 ? 0 : 1);
            if (firstLow >= 0) {
                assertThat(told.getFirst()).contains("/data/m1").contains((readings.get(firstLow) >> 20) + " MiB free")
                        .contains("less than the 256 MiB").contains("start this member again");
            }
        });
    }
}
