package dev.clearline.engine.exchange;

import dev.clearline.engine.book.FillVerdict;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.transition.Transition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/** A fill the STF refuses removes only the order at fault; the taker carries on (issue 9, case 1). */
class RefusedFillTest {
    final Desk d = new Desk();
    final Signer alice = d.trader(1, 1_000_000);
    final Signer bob = d.trader(2, 1_000_000);
    final Signer carol = d.trader(3, 1_000_000);

    @Test
    void aBidThatCannotPayItsMarginLeavesAndTheHealthyBidBehindItStillFills() {
        // alice bids 10 lots at 10,000 with just over 10 % margin: fine at a mark of 10,000
        long bad = d.place(d.gtc(alice, Side.BUY, 10_000, 10, 11_000));
        long healthy = d.place(d.gtc(carol, Side.BUY, 9_900, 20, 300_000));
        // the mark halves: buying at 10,000 now loses 50,000 at once, far beyond alice's margin
        d.oracle(5_000, d.ts + 1);
        d.events();
        d.ex.takeTransitions();

        var sell = d.verified(d.order(bob, Side.SELL, 9_900, 20, 100_000, TimeInForce.IOC, 0, 0, 0));
        assertThat(d.submit(sell)).isNull();
        List<ExchangeEvent> events = d.events();
        long taker = events.stream().filter(e -> e instanceof ExchangeEvent.Accepted).mapToLong(e -> ((ExchangeEvent.Accepted) e).orderId()).findFirst().orElseThrow();

        assertThat(events).contains(
                new ExchangeEvent.FillRefused(seqOf(events, ExchangeEvent.FillRefused.class), bad, taker, Reject.INSUFFICIENT_MARGIN, FillVerdict.MAKER_LEAVES),
                new ExchangeEvent.Cancelled(seqOf(events, ExchangeEvent.Cancelled.class), bad, 10 * LOT, ExchangeEvent.Why.REFUSED, Reject.INSUFFICIENT_MARGIN),
                new ExchangeEvent.Filled(seqOf(events, ExchangeEvent.Filled.class), healthy, taker, 9_900, 20 * LOT));
        assertThat(d.book().restingOrders()).isZero();
        assertThat(d.ex.takeTransitions()).filteredOn(t -> t instanceof Transition.Trade).hasSize(1);
        assertThat(d.reservedSize(alice, true)).isZero();
        assertThat(d.reservedSize(carol, true)).isZero();
    }

    @Test
    void withdrawingTheBalanceBehindARestingOrderSpoilsOnlyThatOrderAndTheRefusalSaysWhy() {
        Signer dave = d.trader(4, 50_000);
        // dave rests a bid whose margin is his whole free balance, then withdraws that balance
        long spoiled = d.place(d.gtc(dave, Side.BUY, 10_000, 5, 50_000));
        long healthy = d.place(d.gtc(carol, Side.BUY, 9_900, 20, 300_000));
        assertThat(d.withdraw(dave, 50_000)).isNull();
        d.events();

        var sell = d.verified(d.order(bob, Side.SELL, 9_900, 20, 100_000, TimeInForce.IOC, 0, 0, 0));
        assertThat(d.submit(sell)).isNull();
        List<ExchangeEvent> events = d.events();

        assertThat(events).filteredOn(e -> e instanceof ExchangeEvent.Cancelled c && c.orderId() == spoiled)
                .singleElement().isEqualTo(new ExchangeEvent.Cancelled(seqOf(events, ExchangeEvent.Cancelled.class), spoiled, 5 * LOT,
                        ExchangeEvent.Why.REFUSED, Reject.INSUFFICIENT_BALANCE));
        assertThat(events).filteredOn(e -> e instanceof ExchangeEvent.Filled).singleElement()
                .matches(e -> ((ExchangeEvent.Filled) e).makerOrderId() == healthy && ((ExchangeEvent.Filled) e).size() == 20 * LOT);
        assertThat(d.book().isResting(spoiled)).isFalse();
    }

    @Test
    void aSecondTakerIsNotSpoiledByAnOrderThatWasRefusedBefore() {
        long bad = d.place(d.gtc(alice, Side.BUY, 10_000, 10, 11_000));
        d.oracle(5_000, d.ts + 1);
        assertThat(d.submit(d.verified(d.order(bob, Side.SELL, 9_000, 10, 100_000, TimeInForce.IOC, 0, 0, 0)))).isNull();
        assertThat(d.book().isResting(bad)).isFalse();
        long healthy = d.place(d.gtc(carol, Side.BUY, 9_900, 5, 300_000));
        d.events();
        assertThat(d.submit(d.verified(d.order(bob, Side.SELL, 9_900, 5, 100_000, TimeInForce.IOC, 0, 0, 0)))).isNull();
        assertThat(d.events()).filteredOn(e -> e instanceof ExchangeEvent.Filled).singleElement()
                .matches(e -> ((ExchangeEvent.Filled) e).makerOrderId() == healthy);
    }

    @Test
    void everythingEmittedAroundARefusalReplaysOnTheRealTree() {
        d.place(d.gtc(alice, Side.BUY, 10_000, 10, 11_000));
        d.place(d.gtc(carol, Side.BUY, 9_900, 20, 300_000));
        d.oracle(5_000, d.ts + 1);
        assertThat(d.submit(d.verified(d.order(bob, Side.SELL, 9_900, 20, 100_000, TimeInForce.IOC, 0, 0, 0)))).isNull();
        // the mirror the exchange checked every fill on agrees with the STF applied to its own output
        // orders entered unsigned (verified upstream), so the replay trusts exactly those and verifies the rest
        var replay = new dev.clearline.engine.stf.MemoryLeafStore();
        var verifier = new dev.clearline.engine.order.BouncyCastleVerifier();
        var trusting = new dev.clearline.engine.stf.Stf(d.w.domain, new dev.clearline.engine.order.SignatureVerifier() {
            public dev.clearline.engine.order.Address recover(dev.clearline.engine.order.Hash32 digest, dev.clearline.engine.order.Signature sig) {
                return verifier.recover(digest, sig);
            }

            @Override
            public boolean signedBy(dev.clearline.engine.order.Hash32 digest, dev.clearline.engine.order.Signature sig,
                                    dev.clearline.engine.order.Address signer) {
                return sig == Desk.UNSIGNED || signer.equals(recover(digest, sig));
            }
        });
        for (Transition t : d.ex.takeTransitions()) {
            assertThat(trusting.apply(replay, t).applied()).as("%s", t).isTrue();
        }
        d.ex.state().forEach((k, v) -> assertThat(replay.get(k)).isEqualTo(v));
    }

    private static long seqOf(List<ExchangeEvent> events, Class<? extends ExchangeEvent> type) {
        return events.stream().filter(type::isInstance).findFirst().map(ExchangeEvent::seq).orElse(-1L);
    }
}
