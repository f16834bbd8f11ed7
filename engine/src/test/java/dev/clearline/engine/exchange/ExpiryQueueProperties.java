package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ExpiryQueueProperties {
    /** Adds and removals in any order: the first order is always one with the smallest expiry, and sizes agree. */
    @Test
    void alwaysYieldsTheSoonestExpiryAndForgetsRemovedOrders() {
        Property.forAll(Gens.listOf(Gens.ints(-30, 30), 0, 300)).tries(200).check(ops -> {
            ExpiryQueue q = new ExpiryQueue();
            List<LiveOrder> model = new ArrayList<>();
            long id = 1;
            for (int op : ops) {
                if (op >= 0 || model.isEmpty()) {
                    LiveOrder e = order(id++, 1 + Math.abs(op) % 7);
                    q.add(e);
                    model.add(e);
                } else {
                    LiveOrder gone = model.remove(Math.floorMod(op, model.size()));
                    q.remove(gone);
                    assertThat(gone.expiryIndex).isEqualTo(-1);
                }
                assertThat(q.size()).isEqualTo(model.size());
                LiveOrder first = q.first();
                if (model.isEmpty()) {
                    assertThat(first).isNull();
                } else {
                    long min = model.stream().map(e -> e.order().expiry()).min(Comparator.naturalOrder()).orElseThrow();
                    assertThat(first.order().expiry()).isEqualTo(min);
                }
            }
        });
    }

    static LiveOrder order(long id, long expiry) {
        Order o = new Order(new Address(new byte[20]), 1, Side.BUY, 100, 1, 0, TimeInForce.GTC, 0, expiry, id, 0);
        return new LiveOrder(id, new VerifiedOrder(o, null, null), null);
    }
}
