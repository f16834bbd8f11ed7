package dev.clearline.engine.book;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The pegs' threshold heap against a sorted list: pops come out in key order, retain keeps exactly what it accepts. */
class ThresholdsProperties {
    @Test
    void popsComeOutInKeyOrderAndRetainKeepsWhatItAccepts() {
        Property.forAll(Gens.listOf(Gens.longs(-50, 50), 0, 200)).tries(300).check(ops -> {
            Thresholds heap = new Thresholds();
            List<long[]> model = new ArrayList<>();
            long id = 0;
            for (long op : ops) {
                if (op % 5 == 0 && heap.size() > 0) {
                    model.sort(Comparator.comparingLong(e -> e[0]));
                    assertThat(heap.minKey()).isEqualTo(model.getFirst()[0]);
                    long popped = heap.minId();
                    heap.pop();
                    assertThat(model.removeIf(e -> e[1] == popped)).isTrue();
                } else if (op == 49) {
                    heap.retain((k, i) -> i % 2 == 0);
                    model.removeIf(e -> e[1] % 2 != 0);
                } else {
                    heap.push(op, id);
                    model.add(new long[] {op, id});
                    id++;
                }
                assertThat(heap.size()).isEqualTo(model.size());
            }
            long last = Long.MIN_VALUE;
            while (heap.size() > 0) {
                assertThat(heap.minKey()).isGreaterThanOrEqualTo(last);
                last = heap.minKey();
                heap.pop();
            }
        });
    }
}
