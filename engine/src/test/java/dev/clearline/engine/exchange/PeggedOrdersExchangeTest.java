package dev.clearline.engine.exchange;

import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.transition.Transition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pegged orders through the exchange: every fill passes the STF on the mirror (a mark-pegged
 * maker by a Trade the STF prices at the market leaf's mark, a book-pegged maker by a
 * TradeAtPrice checked against the limits), a mark move that carries a peg across the book trades
 * through the same gate, and a post-only peg that would cross is refused like any post-only.
 * Desk market: tick 100, lot 1,000, mark 10,000 at the start.
 */
class PeggedOrdersExchangeTest {
    final Desk d = new Desk();
    final Signer alice = d.trader(1, 1_000_000_000L);
    final Signer bob = d.trader(2, 1_000_000_000L);
    final Signer carol = d.trader(3, 1_000_000_000L);
    long nonce = 1_000_000;

    VerifiedOrder pegged(Signer s, Side side, Peg peg, int offset, long limit, long lots, TimeInForce tif, int flags) {
        return d.verified(new Order(s.address(), Desk.MARKET, side == Side.BUY ? dev.clearline.engine.order.Side.BUY
                : dev.clearline.engine.order.Side.SELL, limit, lots * LOT, 0, tif, flags, peg, offset, 0, nonce++, 400_000));
    }

    VerifiedOrder ioc(Signer s, Side side, long price, long lots) {
        return d.verified(d.order(s, side, price, lots, 400_000, TimeInForce.IOC, 0, 0, 0));
    }

    List<ExchangeEvent.Filled> fills() {
        return d.events().stream().filter(e -> e instanceof ExchangeEvent.Filled).map(e -> (ExchangeEvent.Filled) e).toList();
    }

    @Test
    void aMarkPeggedMakerFillsAtMarkPlusOffsetByATradeTheStfPrices() {
        long peg = d.place(pegged(alice, Side.BUY, Peg.MARK, -2, 11_000, 5, TimeInForce.GTC, 0));
        assertThat(d.book().priceTicks(peg)).isEqualTo(98);
        d.ex.takeTransitions();
        d.events();
        assertThat(d.submit(ioc(bob, Side.SELL, 9_000, 2))).isNull();
        assertThat(fills()).singleElement().satisfies(f -> assertThat(f.price()).isEqualTo(9_800));
        assertThat(d.ex.takeTransitions()).filteredOn(t -> t instanceof Transition.Trade).hasSize(1);
        d.oracle(10_500, d.ts + 1);
        assertThat(d.book().priceTicks(peg)).isEqualTo(103);
        assertThat(d.submit(ioc(carol, Side.SELL, 9_000, 1))).isNull();
        assertThat(fills()).singleElement().satisfies(f -> assertThat(f.price()).isEqualTo(10_300));
        assertThat(d.reservedSize(alice, true)).isEqualTo(2 * LOT);
    }

    @Test
    void aBookPeggedMakerFillsByATradeAtPriceStatingTheBooksPrice() {
        d.place(d.gtc(carol, Side.BUY, 9_900, 1, 400_000));
        long peg = d.place(pegged(alice, Side.BUY, Peg.BOOK, 1, 11_000, 3, TimeInForce.GTC, 0));
        assertThat(d.book().priceTicks(peg)).isEqualTo(100);
        d.ex.takeTransitions();
        d.events();
        assertThat(d.submit(ioc(bob, Side.SELL, 9_000, 2))).isNull();
        assertThat(fills()).singleElement().satisfies(f -> {
            assertThat(f.makerOrderId()).isEqualTo(peg);
            assertThat(f.price()).isEqualTo(10_000);
        });
        assertThat(d.ex.takeTransitions()).filteredOn(t -> t instanceof Transition.TradeAtPrice)
                .singleElement().satisfies(t -> assertThat(((Transition.TradeAtPrice) t).price()).isEqualTo(10_000));
    }

    @Test
    void aMarkMoveThatCarriesAPegAcrossTheBookTradesThroughTheStf() {
        long ask = d.place(d.gtc(carol, Side.SELL, 10_300, 2, 400_000));
        long peg = d.place(pegged(alice, Side.BUY, Peg.MARK, -1, 11_000, 1, TimeInForce.GTC, 0));
        assertThat(d.reservedSize(alice, true)).isEqualTo(LOT);
        d.ex.takeTransitions();
        d.events();
        d.oracle(10_500, d.ts + 1);
        assertThat(fills()).singleElement().satisfies(f -> {
            assertThat(f.makerOrderId()).isEqualTo(ask);
            assertThat(f.takerOrderId()).isEqualTo(peg);
            assertThat(f.price()).isEqualTo(10_300);
        });
        assertThat(d.ex.takeTransitions()).anyMatch(t -> t instanceof Transition.Trade);
        assertThat(d.book().isResting(peg)).isFalse();
        assertThat(d.ex.liveOrder(peg)).isNull();
        assertThat(d.reservedSize(alice, true)).as("the filled peg reserves nothing").isZero();
        assertThat(d.book().openLots(ask)).isEqualTo(1);
    }

    @Test
    void aPostOnlyPegThatWouldCrossIsRefusedLikeAnyPostOnly() {
        d.place(d.gtc(carol, Side.SELL, 10_200, 1, 400_000));
        VerifiedOrder po = pegged(alice, Side.BUY, Peg.MARK, 3, 11_000, 1, TimeInForce.GTC, Order.POST_ONLY);
        assertThat(d.submit(po)).isEqualTo(Reject.POST_ONLY_WOULD_TAKE);
        assertThat(d.ex.orderId(po.hash())).isEqualTo(-1);
        assertThat(d.reservedSize(alice, true)).isZero();
        // resting post-only peg carried across by the mark: it leaves (PEG_CROSSED), never takes
        VerifiedOrder resting = pegged(alice, Side.BUY, Peg.MARK, 1, 11_000, 1, TimeInForce.GTC, Order.POST_ONLY);
        long id = d.place(resting);
        d.events();
        d.oracle(10_200, d.ts + 1);
        assertThat(d.events()).anyMatch(e -> e instanceof ExchangeEvent.Cancelled c && c.orderId() == id
                && c.why() == ExchangeEvent.Why.PEG_CROSSED);
        assertThat(d.book().isResting(id)).isFalse();
        assertThat(d.reservedSize(alice, true)).isZero();
    }

    @Test
    void aPegWithoutItsReferenceRestsIfGtcAndIsKilledIfFok() {
        long gtc = d.place(pegged(alice, Side.SELL, Peg.BOOK, 0, 9_000, 1, TimeInForce.GTC, 0));   // no fixed ask: no reference
        assertThat(d.book().isResting(gtc)).isTrue();
        assertThat(d.book().priceTicks(gtc)).isEqualTo(OrderBook.NO_PRICE);
        VerifiedOrder fok = pegged(bob, Side.SELL, Peg.BOOK, 0, 9_000, 1, TimeInForce.FOK, 0);
        assertThat(d.submit(fok)).isEqualTo(Reject.BOOK_REJECTED);
        d.place(d.gtc(carol, Side.SELL, 10_500, 1, 400_000));
        assertThat(d.book().priceTicks(gtc)).isEqualTo(105);
        OrderHashLeaf none = StateReads.orderHash(d.ex.state(), fok.hash());
        assertThat(none).as("a killed FOK never reached the tree").isNull();
    }
}
