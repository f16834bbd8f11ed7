package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.KeyCache;
import dev.clearline.engine.stf.MemoryLeafStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReservationsTest {
    final Reservations r = new Reservations();
    final Account a = new Account(0, new Address(new byte[20]), new MemoryLeafStore(), new KeyCache(16));

    LiveOrder order(long id, Side side, long price, int flags) {
        Order o = new Order(a.address, 1, side, price, 10_000, 0, TimeInForce.GTC, flags, 0, id, 0);
        return new LiveOrder(id, new VerifiedOrder(o, null, null), a);
    }

    @Test
    void sumsOpenSizeAndNotionalPerSideAndReleasesExactlyWhatAnOrderHeld() {
        LiveOrder b1 = order(1, Side.BUY, 100, 0);
        LiveOrder b2 = order(2, Side.BUY, 200, 0);
        LiveOrder s1 = order(3, Side.SELL, 300, 0);
        r.reserve(b1, 4, 1_000);
        r.reserve(b2, 2, 1_000);
        r.reserve(s1, 1, 1_000);
        assertThat(r.size(a, 1, true, null)).isEqualTo(6_000);
        assertThat(r.notional(a, 1, true, null)).isEqualTo(4 * 100 + 2 * 200);
        assertThat(r.size(a, 1, true, b1)).isEqualTo(2_000);
        assertThat(r.size(a, 1, false, b1)).isEqualTo(1_000);
        r.reserve(b1, 1, 1_000); // a partial fill shrinks it
        assertThat(r.size(a, 1, true, null)).isEqualTo(3_000);
        r.release(b1);
        r.release(b1);
        assertThat(r.size(a, 1, true, null)).isEqualTo(2_000);
        assertThat(r.notional(a, 1, true, null)).isEqualTo(400);
    }

    @Test
    void reduceOnlyOrdersReserveNothing() {
        LiveOrder ro = order(1, Side.BUY, 100, Order.REDUCE_ONLY);
        r.reserve(ro, 5, 1_000);
        assertThat(r.size(a, 1, true, null)).isZero();
    }
}
