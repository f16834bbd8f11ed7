package dev.clearline.engine.stf;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.*;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

class RejectionsLeaveTheTreeUntouchedTest {
    final World w = new World();
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);
    Order ask;
    Order bid;

    @BeforeEach
    void twoPostedOrders() {
        w.ok(w.market(1));
        w.ok(w.deposit(alice.address(), 1_000_000));
        w.ok(w.deposit(bob.address(), 1_000_000));
        w.ok(w.price(1, 10_000, 0, 100));
        ask = new Order(bob.address(), 1, Side.SELL, 10_000, 10 * LOT, 0, TimeInForce.GTC, 0, 200, 1, 50_000);
        bid = new Order(alice.address(), 1, Side.BUY, 10_100, 10 * LOT, 0, TimeInForce.GTC, 0, 0, 2, 50_000);
        w.ok(w.post(bob, ask));
        w.ok(w.post(alice, bid));
    }

    @Test
    void fillBeyondTheOrdersSizeIsOverfill() {
        w.ok(w.trade(ask, bid, 6 * LOT));
        rejected(w.trade(ask, bid, 5 * LOT), Reject.OVERFILL);
        w.ok(w.trade(ask, bid, 4 * LOT));
    }

    @Test
    void fillAfterCancelIsRejected() {
        w.ok(w.cancel(bob, w.hash(ask)));
        rejected(w.trade(ask, bid, LOT), Reject.ORDER_CANCELLED);
        rejected(w.cancel(bob, w.hash(ask)), Reject.ORDER_CANCELLED);
    }

    @Test
    void cancelSignedBySomeoneElseIsRejected() {
        rejected(w.cancel(alice, w.hash(ask)), Reject.NOT_OWNER);
    }

    @Test
    void fillAfterExpiryIsRejected() {
        w.ok(w.price(1, 10_000, 0, 201));
        rejected(w.trade(ask, bid, LOT), Reject.EXPIRED);
    }

    @Test
    void tradeChecksRolesSidesAndPrices() {
        rejected(w.trade(bid, bid, LOT), Reject.SAME_SIDE);
        rejected(w.trade(ask, bid, LOT + 1), Reject.SIZE_OFF_LOT);
        rejected(new Trade(w.id(ask), 0, LOT), Reject.ORDER_NOT_FOUND);
        rejected(new Trade(w.id(ask), w.id(bid) + 1, LOT), Reject.ORDER_NOT_FOUND);
        // bid as maker at 10_100, ask as taker sells at >= 10_000: crosses; the other way round is fine too
        Order lowBid = new Order(alice.address(), 1, Side.BUY, 9_000, LOT, 0, TimeInForce.GTC, 0, 0, 3, 10_000);
        w.ok(w.post(alice, lowBid));
        rejected(w.trade(ask, lowBid, LOT), Reject.NOT_CROSSING);
        Order selfAsk = new Order(alice.address(), 1, Side.SELL, 10_000, LOT, 0, TimeInForce.GTC, 0, 0, 4, 10_000);
        w.ok(w.post(alice, selfAsk));
        rejected(w.trade(selfAsk, bid, LOT), Reject.SELF_TRADE);
        Order postOnly = new Order(bob.address(), 1, Side.SELL, 10_000, LOT, 0, TimeInForce.GTC, Order.POST_ONLY, 0, 5, 10_000);
        w.ok(w.post(bob, postOnly));
        rejected(w.trade(bid, postOnly, LOT), Reject.POST_ONLY_WOULD_TAKE);
        Order reduceOnly = new Order(bob.address(), 1, Side.SELL, 10_000, LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY, 0, 6, 0);
        w.ok(w.post(bob, reduceOnly));
        rejected(w.trade(bid, reduceOnly, LOT), Reject.REDUCE_ONLY_WOULD_INCREASE);
    }

    @Test
    void badPostsAreRejected() {
        rejected(w.post(bob, ask), Reject.DUPLICATE_ORDER);
        Order forged = new Order(alice.address(), 1, Side.SELL, 10_000, LOT, 0, TimeInForce.GTC, 0, 0, 9, 0);
        rejected(new PostOrder(forged, bob.sign(w.hash(forged))), Reject.BAD_SIGNATURE);
        rejected(w.post(alice, new Order(alice.address(), 1, Side.SELL, 10_050, LOT, 0, TimeInForce.GTC, 0, 0, 10, 0)), Reject.PRICE_OFF_TICK);
        rejected(w.post(alice, new Order(alice.address(), 1, Side.SELL, 10_000, LOT / 2, 0, TimeInForce.GTC, 0, 0, 11, 0)), Reject.SIZE_OFF_LOT);
        rejected(w.post(alice, new Order(alice.address(), 2, Side.SELL, 10_000, LOT, 0, TimeInForce.GTC, 0, 0, 12, 0)), Reject.UNKNOWN_MARKET);
        rejected(w.post(alice, new Order(alice.address(), 1, Side.SELL, 10_000, LOT, 0, TimeInForce.GTC, 0, 99, 13, 0)), Reject.EXPIRED);
        rejected(w.post(alice, new Order(alice.address(), 1, Side.SELL, 10_000, LOT, 0, TimeInForce.GTC, 0, 0, 14, 5_000_000)), Reject.INSUFFICIENT_BALANCE);
        rejected(w.post(alice, new Order(alice.address(), 1, Side.SELL, 10_000, LOT, 0, TimeInForce.GTC, Order.MARKET, 0, 15, 0)), Reject.BAD_ORDER_FIELDS);
    }

    @Test
    void requestsAreNotReplayableAndOraclesOnlyMoveForward() {
        w.ok(w.allocate(alice, 1, 1_000, 0));
        rejected(w.allocate(alice, 1, 1_000, 0), Reject.BAD_NONCE);
        rejected(w.release(alice, 1, 10_000_000, 1), Reject.INSUFFICIENT_MARGIN);
        rejected(w.withdraw(alice, 10_000_000, 1), Reject.INSUFFICIENT_BALANCE);
        rejected(w.price(1, 10_000, 0, 100), Reject.STALE_ORACLE);
        OraclePrice forged = new OraclePrice(1, 1, 0, 500, alice.sign(w.domain.oraclePriceDigest(1, 1, 0, 500)));
        rejected(forged, Reject.BAD_SIGNATURE);
        rejected(new Deposit(999, 0, alice.address(), 5), Reject.PRIORITY_OUT_OF_ORDER);
    }

    private void rejected(Transition t, Reject expected) {
        var before = w.state.root();
        assertThat(w.apply(t)).isEqualTo(new Outcome.Rejected(expected));
        assertThat(w.state.root()).isEqualTo(before);
    }
}
