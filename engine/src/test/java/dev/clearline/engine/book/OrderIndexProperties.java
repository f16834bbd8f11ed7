package dev.clearline.engine.book;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class OrderIndexProperties {

    /** Keys collide on purpose (few distinct values, multiples of the table size) to stress shifting. */
    @Property(tries = 200)
    void agreesWithAHashMapUnderChurn(@ForAll @Size(max = 400) List<@IntRange(min = -40, max = 40) Integer> keys) {
        OrderIndex index = new OrderIndex(64);
        Map<Long, Integer> model = new HashMap<>();
        int slot = 0;
        for (int k : keys) {
            long key = k * 256L;
            if (model.containsKey(key)) {
                index.remove(key);
                model.remove(key);
            } else if (model.size() < 64) {
                index.put(key, slot);
                model.put(key, slot++);
            }
            for (int probe = -40; probe <= 40; probe++) {
                long p = probe * 256L;
                assertThat(index.get(p)).isEqualTo(model.getOrDefault(p, OrderIndex.ABSENT));
            }
        }
    }
}
