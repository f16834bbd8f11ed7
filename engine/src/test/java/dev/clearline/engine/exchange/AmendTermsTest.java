package dev.clearline.engine.exchange;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/** An amend puts every term of the replacement in force (issue 9, case 3). */
class AmendTermsTest {
    final Desk d = new Desk();
    final Signer alice = d.trader(1, 1_000_000);
    final Signer bob = d.trader(2, 1_000_000);

    @Test
    void theReplacementsExpiryAppliesAndTheOrderLeavesWhenItPasses() {
        var old = d.verified(d.order(alice, Side.BUY, 9_000, 10, 100_000, TimeInForce.GTC, 0, 0, d.ts + 100));
        long id = d.place(old);
        var replacement = d.verified(d.order(alice, Side.BUY, 9_000, 8, 100_000, TimeInForce.GTC, 0, 0, d.ts + 5));
        assertThat(d.ex.amend(d.cancelOf(alice, old), replacement)).isNull();
        assertThat(d.book().expiresAt(id)).isEqualTo(d.ts + 5);
        d.oracle(10_000, d.ts + 6);
        assertThat(d.book().isResting(id)).isFalse();
        assertThat(d.reservedSize(alice, true)).isZero();
    }

    @Test
    void theReplacementsIcebergDisplaySizeApplies() {
        var old = d.gtc(alice, Side.BUY, 9_000, 10, 100_000);
        long id = d.place(old);
        var replacement = d.verified(d.order(alice, Side.BUY, 9_000, 8, 100_000, TimeInForce.GTC, 0, 2, 0));
        assertThat(d.ex.amend(d.cancelOf(alice, old), replacement)).isNull();
        assertThat(d.book().displayLots(id)).isEqualTo(2);
        List<long[]> shown = new ArrayList<>();
        d.book().forEachResting(Side.BUY, (oid, owner, price, visible, hidden, expires) -> shown.add(new long[] {visible, hidden}));
        assertThat(shown).singleElement().isEqualTo(new long[] {2, 6});
    }

    @Test
    void aReplacementWithIocTimeInForceTradesAndDoesNotRest() {
        var old = d.gtc(alice, Side.BUY, 9_000, 10, 100_000);
        long id = d.place(old);
        d.place(d.gtc(bob, Side.SELL, 9_500, 4, 100_000));
        d.events();
        var ioc = d.verified(d.order(alice, Side.BUY, 9_500, 10, 100_000, TimeInForce.IOC, 0, 0, 0));
        assertThat(d.ex.amend(d.cancelOf(alice, old), ioc)).isNull();
        List<ExchangeEvent> events = d.events();
        assertThat(events).filteredOn(e -> e instanceof ExchangeEvent.Filled).singleElement()
                .matches(e -> ((ExchangeEvent.Filled) e).size() == 4 * LOT);
        assertThat(events).anyMatch(e -> e instanceof ExchangeEvent.Cancelled c && c.why() == ExchangeEvent.Why.IMMEDIATE_REMAINDER);
        assertThat(d.book().isResting(id)).isFalse();
        assertThat(d.book().restingOrders()).isZero();
        assertThat(d.reservedSize(alice, true)).isZero();
    }

    @Test
    void aRefusedReplacementLeavesTheOldOrderExactlyAsItWas() {
        var old = d.gtc(alice, Side.BUY, 9_000, 10, 100_000);
        long id = d.place(old);
        d.place(d.gtc(bob, Side.SELL, 9_500, 4, 100_000));
        long reserved = d.reservedSize(alice, true);
        var fok = d.verified(d.order(alice, Side.BUY, 9_500, 10, 100_000, TimeInForce.FOK, 0, 0, 0));
        assertThat(d.ex.amend(d.cancelOf(alice, old), fok)).isEqualTo(Reject.BOOK_REJECTED);
        assertThat(d.book().openLots(id)).isEqualTo(10);
        assertThat(d.book().priceTicks(id)).isEqualTo(90);
        assertThat(d.reservedSize(alice, true)).isEqualTo(reserved);
        assertThat(d.ex.orderId(old.hash())).isEqualTo(id);
    }

    /**
     * The fill-or-kill trial evicts a maker at fault (here one whose free balance no longer covers the margin its order
     * carries): the book then holds too little to fill the replacement whole. The amend is refused and the old order stays;
     * it threw before (the book refused the replacement once the old order had left), which in the sequencer stops every
     * member at that command, and again at each restart: an amend any trader could send.
     */
    @Test
    void aFillOrKillReplacementWhoseLiquidityTheTrialEvictsIsRefusedAndTheOldOrderStays() {
        var old = d.gtc(alice, Side.BUY, 9_000, 10, 100_000);
        long id = d.place(old);
        var ask = d.gtc(bob, Side.SELL, 9_500, 4, 100_000);
        long askId = d.place(ask);
        // bob's ask carries 100,000 of margin, taken from his free balance at its first fill: he withdraws nearly all of it
        assertThat(d.ex.apply(d.w.withdraw(bob, 990_000, 0))).isNull();
        d.events();
        long reserved = d.reservedSize(alice, true);
        var fok = d.verified(d.order(alice, Side.BUY, 9_500, 4, 100_000, TimeInForce.FOK, 0, 0, 0));
        assertThat(d.ex.amend(d.cancelOf(alice, old), fok)).isEqualTo(Reject.BOOK_REJECTED);
        List<ExchangeEvent> events = d.events();
        assertThat(events).as("the trial found bob's ask at fault").anyMatch(e -> e instanceof ExchangeEvent.FillRefused);
        assertThat(d.book().isResting(askId)).as("and took it off the book").isFalse();
        assertThat(events).noneMatch(e -> e instanceof ExchangeEvent.Filled || e instanceof ExchangeEvent.Amended);
        assertThat(d.book().openLots(id)).isEqualTo(10);
        assertThat(d.book().priceTicks(id)).isEqualTo(90);
        assertThat(d.reservedSize(alice, true)).isEqualTo(reserved);
        assertThat(d.ex.orderId(old.hash())).isEqualTo(id);
        assertThat(d.ex.orderId(fok.hash())).isEqualTo(-1);
    }

    @Test
    void anAmendOfAnExpiredOrderIsRefusedAndLeavesNoGhostEntryOrReservation() {
        // more expiring orders than one sweep takes, so some are still on the book when the amend arrives
        List<VerifiedOrder> orders = new ArrayList<>();
        for (int i = 0; i < Exchange.SWEEP_BUDGET + 6; i++) {
            var o = d.verified(d.order(alice, Side.BUY, 5_000 + 100 * (i % 20), 1, 10_000, TimeInForce.GTC, 0, 0, d.ts + 5));
            d.place(o);
            orders.add(o);
        }
        d.oracle(10_000, d.ts + 6);
        var last = orders.stream().filter(o -> d.ex.orderId(o.hash()) > 0).findFirst().orElseThrow();
        long id = d.ex.orderId(last.hash());
        assertThat(d.book().isResting(id)).as("still waiting for the sweep").isTrue();
        var replacement = d.verified(d.order(alice, Side.BUY, 5_000, 1, 10_000, TimeInForce.GTC, 0, 0, d.ts + 100));
        assertThat(d.ex.amend(d.cancelOf(alice, last), replacement)).isEqualTo(Reject.UNKNOWN_ORDER);
        assertThat(d.book().isResting(id)).isFalse();
        assertThat(d.ex.orderId(last.hash())).isEqualTo(-1);
        assertThat(d.ex.orderId(replacement.hash())).isEqualTo(-1);
        // one more command drains the rest of the sweep: nothing expired rests, nothing is reserved
        d.place(d.gtc(bob, Side.SELL, 20_000, 1, 100_000));
        assertThat(d.ex.expiredAwaitingSweep()).isZero();
        assertThat(d.reservedSize(alice, true)).isZero();
    }
}
