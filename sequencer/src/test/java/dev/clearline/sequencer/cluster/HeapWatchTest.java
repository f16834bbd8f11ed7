package dev.clearline.sequencer.cluster;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The heap warning follows the lowest reading of each full window: it names each level once, in
 * rising order, when that floor first reaches it, and a single high reading (a heap before its
 * collection) never sets it off.
 */
class HeapWatchTest {
    private static final long MAX = 1024L << 20;

    @Test
    void tellsEachLevelOnceWhenTheWindowsFloorFirstReachesIt() {
        Property.forAll(Gens.listOf(Gens.longs(0, MAX), 1, 60), Gens.ints(1, 8)).tries(300).check((readings, windowSize) -> {
            Iterator<Long> it = readings.iterator();
            List<String> told = new ArrayList<>();
            HeapWatch w = new HeapWatch(it::next, MAX, windowSize, 1, "./clearline up", told::add);
            int highest = -1;
            List<Integer> expectedTold = new ArrayList<>();
            for (int i = 0; i < readings.size(); i++) {
                int level = w.check();
                int expected = -1;
                if (i + 1 >= windowSize) {
                    long floor = readings.subList(i + 1 - windowSize, i + 1).stream().mapToLong(Long::longValue).min().orElseThrow();
                    if (floor >= 0.75 * MAX) expected = 0;
                    if (floor >= 0.90 * MAX) expected = 1;
                }
                assertThat(level).as("reading %d of %s, window %d", i, readings, windowSize).isEqualTo(expected);
                if (expected > highest) {
                    expectedTold.add(expected);
                    highest = expected;
                }
            }
            assertThat(told).hasSize(expectedTold.size());
            for (String why : told) assertThat(why).contains("of its 1024 MiB maximum").contains("CLEARLINE_JAVA_OPTS=-Xmx2g ./clearline up");
        });
    }

    @Test
    void aSawToothThatOnlyPeaksHighSaysNothing() {
        // used heap climbs to 95 % before each collection and falls to 40 % after it
        long[] tooth = {(long) (0.40 * MAX), (long) (0.60 * MAX), (long) (0.80 * MAX), (long) (0.95 * MAX)};
        int[] i = {0};
        List<String> told = new ArrayList<>();
        HeapWatch w = new HeapWatch(() -> tooth[i[0]++ % tooth.length], MAX, 8, 1, "./clearline up", told::add);
        for (int k = 0; k < 100; k++) assertThat(w.check()).isEqualTo(-1);
        assertThat(told).isEmpty();
    }
}
