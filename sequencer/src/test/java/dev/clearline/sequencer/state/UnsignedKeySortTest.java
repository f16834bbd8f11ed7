package dev.clearline.sequencer.state;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The packed primitive sort gives exactly the order of sorting by the unsigned key, then the tie. */
class UnsignedKeySortTest {
    record Item(long key, int tie) {}

    @Test
    void itSortsAsTheComparatorWouldWhateverTheKeysShare() {
        // keys from anywhere, from a narrow range (equal high bits: the runs sorted again), with the sign bit set, and equal
        Property.forAll(Gens.seeds(), Gens.ints(0, 3_000)).tries(60).check((seed, n) -> {
            Random r = new Random(seed);
            int kind = r.nextInt(4);
            long base = r.nextLong();
            List<Item> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long key = switch (kind) {
                    case 0 -> r.nextLong();
                    case 1 -> base + r.nextInt(1 + r.nextInt(5_000));
                    case 2 -> Long.MIN_VALUE + r.nextInt(64) - 32;
                    default -> r.nextInt(3);
                };
                items.add(new Item(key, r.nextInt(5)));
            }
            List<Item> expected = new ArrayList<>(items);
            expected.sort(Comparator.<Item>comparingLong(x -> x.key() ^ Long.MIN_VALUE).thenComparingInt(Item::tie));
            List<Item> sorted = UnsignedKeySort.sorted(items, Item::key, Comparator.comparingInt(Item::tie));
            assertThat(sorted).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(sorted.get(i).key()).as("position %d of %d", i, n).isEqualTo(expected.get(i).key());
                assertThat(sorted.get(i).tie()).as("position %d of %d", i, n).isEqualTo(expected.get(i).tie());
            }
        });
    }
}
