package dev.clearline.engine.book;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

class OrderTableProperties {

    /**
     * Ids collide on purpose (few distinct values, in a small table) so probe runs, tombstones and
     * their clean-up all happen; positions must never move while an order is live.
     */
    @Test
    void findsExactlyTheLiveIdsAtThePositionsTheyWereGiven() {
        Property.forAll(Gens.listOf(Gens.ints(-40, 40), 0, 400)).tries(300).check(ids -> {
            OrderTable table = new OrderTable(16);
            Map<Long, Integer> model = new HashMap<>();
            for (int k : ids) {
                long id = k * 1_000_003L;
                if (model.containsKey(id)) {
                    table.vacate(model.remove(id));
                } else if (model.size() < 16) {
                    model.put(id, table.claim(id));
                }
                for (int probe = -40; probe <= 40; probe++) {
                    long p = probe * 1_000_003L;
                    assertThat(table.find(p)).as("position of %d", p).isEqualTo(model.getOrDefault(p, OrderTable.ABSENT));
                }
            }
        });
    }
}
