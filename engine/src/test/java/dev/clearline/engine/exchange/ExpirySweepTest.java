package dev.clearline.engine.exchange;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** One clock, the oracle's, for the pre-checks, the book and the STF; expired orders leave on their own (issue 9, cases 1 and 4). */
class ExpirySweepTest {
    final Desk d = new Desk();
    final Signer alice = d.trader(1, 10_000_000);
    final Signer bob = d.trader(2, 10_000_000);

    @Test
    void anOrderIsLiveWhileTheOracleTimeIsAtItsExpiryAndLeavesWithItsReservationOnceTimePassesIt() {
        long id = d.place(d.verified(d.order(alice, Side.BUY, 9_000, 10, 100_000, TimeInForce.GTC, 0, 0, d.ts + 10)));
        d.oracle(10_000, d.ts + 10);
        assertThat(d.book().isResting(id)).isTrue();
        d.events();
        d.oracle(10_000, d.ts + 1);
        assertThat(d.events()).anyMatch(e -> e instanceof ExchangeEvent.Expired x && x.orderId() == id);
        assertThat(d.book().isResting(id)).isFalse();
        assertThat(d.reservedSize(alice, true)).isZero();
    }

    @Test
    void anOrderPastItsExpiryOnTheOracleClockIsRefusedWhateverTheWallClockSays() {
        var stale = d.verified(d.order(alice, Side.BUY, 9_000, 1, 100_000, TimeInForce.GTC, 0, 0, d.ts - 1));
        assertThat(d.submit(stale)).isEqualTo(Reject.EXPIRED);
        var atTheEdge = d.verified(d.order(alice, Side.BUY, 9_000, 1, 100_000, TimeInForce.GTC, 0, 0, d.ts));
        assertThat(d.submit(atTheEdge)).isNull();
    }

    @Test
    void aTakerNeverFillsAnOrderTheOracleClockExpired() {
        long id = d.place(d.verified(d.order(alice, Side.BUY, 9_000, 1, 100_000, TimeInForce.GTC, 0, 0, d.ts + 1)));
        d.oracle(10_000, d.ts + 2);
        d.events();
        assertThat(d.submit(d.verified(d.order(bob, Side.SELL, 9_000, 1, 100_000, TimeInForce.IOC, 0, 0, 0)))).isNull();
        assertThat(d.events()).noneMatch(e -> e instanceof ExchangeEvent.Filled);
        assertThat(d.book().isResting(id)).isFalse();
    }

    @Test
    void theSweepDoesBoundedWorkPerCommandAndDrainsABacklogOverTheNextCommands() {
        int n = 2 * Exchange.SWEEP_BUDGET + 10;
        for (int i = 0; i < n; i++) {
            d.place(d.verified(d.order(alice, Side.BUY, 5_000 + 100 * (i % 30), 1, 10_000, TimeInForce.GTC, 0, 0, d.ts + 1 + i % 3)));
        }
        d.oracle(10_000, d.ts + 10);
        assertThat(d.ex.expiredAwaitingSweep()).isEqualTo(n - Exchange.SWEEP_BUDGET);
        d.oracle(10_000, d.ts + 1);
        assertThat(d.ex.expiredAwaitingSweep()).isEqualTo(n - 2 * Exchange.SWEEP_BUDGET);
        d.place(d.gtc(bob, Side.SELL, 20_000, 1, 100_000));
        assertThat(d.ex.expiredAwaitingSweep()).isZero();
        assertThat(d.book().restingOrders()).isEqualTo(1);
        assertThat(d.reservedSize(alice, true)).isZero();
    }
}
