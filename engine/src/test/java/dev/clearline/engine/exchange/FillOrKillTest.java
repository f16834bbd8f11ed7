package dev.clearline.engine.exchange;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.transition.Transition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/** Fill-or-kill is all or nothing, even when a fill is refused on the way (issue 9, case 2). */
class FillOrKillTest {
    final Desk d = new Desk();
    final Signer alice = d.trader(1, 1_000_000);
    final Signer bob = d.trader(2, 1_000_000);
    final Signer carol = d.trader(3, 1_000_000);

    @Test
    void aFokWhoseLaterFillIsRefusedFillsNothingAndTheEarlierMakerKeepsItsSize() {
        long healthy = d.place(d.gtc(carol, Side.BUY, 10_000, 10, 300_000));
        // alice's bid behind it cannot pay its margin once the mark halves
        long bad = d.place(d.gtc(alice, Side.BUY, 9_900, 10, 11_000));
        d.oracle(5_000, d.ts + 1);
        d.events();
        d.ex.takeTransitions();

        var fok = d.verified(d.order(bob, Side.SELL, 9_900, 20, 100_000, TimeInForce.FOK, 0, 0, 0));
        assertThat(d.submit(fok)).isEqualTo(Reject.BOOK_REJECTED);
        List<ExchangeEvent> events = d.events();
        assertThat(events).noneMatch(e -> e instanceof ExchangeEvent.Filled);
        assertThat(events).anyMatch(e -> e instanceof ExchangeEvent.Cancelled c && c.orderId() == bad
                && c.why() == ExchangeEvent.Why.REFUSED && c.reason() == Reject.INSUFFICIENT_MARGIN);
        assertThat(d.ex.takeTransitions()).noneMatch(t -> t instanceof Transition.Trade || t instanceof Transition.PostOrder);
        assertThat(d.book().openLots(healthy)).isEqualTo(10);
        assertThat(d.book().isResting(bad)).isFalse();
        assertThat(d.ex.orderId(fok.hash())).isEqualTo(-1);
    }

    @Test
    void aFokFillsCompletelyWhenEveryFillPasses() {
        long first = d.place(d.gtc(carol, Side.BUY, 10_000, 10, 300_000));
        long second = d.place(d.gtc(alice, Side.BUY, 9_900, 10, 300_000));
        d.events();
        assertThat(d.submit(d.verified(d.order(bob, Side.SELL, 9_900, 20, 100_000, TimeInForce.FOK, 0, 0, 0)))).isNull();
        assertThat(d.events()).filteredOn(e -> e instanceof ExchangeEvent.Filled).extracting(e -> ((ExchangeEvent.Filled) e).makerOrderId())
                .containsExactly(first, second);
        assertThat(d.book().restingOrders()).isZero();
    }

    @Test
    void aMarketFokIsAFokNotAnIoc() {
        long maker = d.place(d.gtc(carol, Side.BUY, 10_000, 10, 300_000));
        d.events();
        Order marketFok = d.order(bob, Side.SELL, 9_000, 15, 100_000, TimeInForce.FOK, Order.MARKET, 0, 0);
        assertThat(d.submit(d.verified(marketFok))).isEqualTo(Reject.BOOK_REJECTED);
        assertThat(d.events()).noneMatch(e -> e instanceof ExchangeEvent.Filled);
        assertThat(d.book().openLots(maker)).isEqualTo(10);

        Order fits = d.order(bob, Side.SELL, 9_000, 10, 100_000, TimeInForce.FOK, Order.MARKET, 0, 0);
        assertThat(d.submit(d.verified(fits))).isNull();
        assertThat(d.events()).filteredOn(e -> e instanceof ExchangeEvent.Filled).singleElement()
                .matches(e -> ((ExchangeEvent.Filled) e).size() == 10 * LOT);
    }

    @Test
    void aFokWhoseOwnFillIsRefusedIsRejectedWithTheStfsReasonAndTheMakersStay() {
        Signer dave = d.trader(4, 1_000_000);
        long maker = d.place(d.gtc(carol, Side.BUY, 10_000, 10, 300_000));
        // dave's sell passes the pre-check, then his balance leaves before his order is posted: it is his fault alone
        var fok = d.verified(d.order(dave, Side.SELL, 10_000, 10, 1_000_000, TimeInForce.FOK, 0, 0, 0));
        assertThat(d.withdraw(dave, 1)).isNull();
        assertThat(d.submit(fok)).isEqualTo(Reject.INSUFFICIENT_BALANCE);
        assertThat(d.book().openLots(maker)).isEqualTo(10);
    }
}
