package dev.clearline.engine.exchange;

import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.testkit.World;

import java.util.ArrayList;
import java.util.List;

import static dev.clearline.engine.testkit.World.LOT;

/**
 * A trading desk for exchange tests: one market (tick 100, lot 1,000, 10 % initial margin) with an
 * oracle whose time is the exchange's clock, funded traders, and orders built in lots. Orders
 * enter as already verified (the signature stage has its own tests), with their real EIP-712
 * digest; oracle prices and withdrawals carry real signatures.
 */
final class Desk {
    static final Signature UNSIGNED = new Signature(new byte[65]);
    static final int MARKET = 1;

    final World w = new World();
    final Exchange ex;
    long ts = 1_000;
    private long nonce = 1;
    private final List<ExchangeEvent> log = new ArrayList<>();

    Desk() {
        this(1 << 12);
    }

    Desk(int capacity) {
        ex = new Exchange(w.domain, new BouncyCastleVerifier(), new MarketBooks(1 << 16, 1 << 30, capacity));
        ok(ex.apply(w.market(MARKET)));
        oracle(10_000, ts);
    }

    Signer trader(int i, long deposit) {
        Signer s = World.signer(i);
        ok(ex.apply(w.deposit(s.address(), deposit)));
        return s;
    }

    /** A new oracle price at a new time: the exchange's clock moves to {@code newTs}. */
    void oracle(long price, long newTs) {
        ts = newTs;
        ok(ex.apply(w.price(MARKET, price, 0, newTs)));
    }

    Reject withdraw(Signer s, long amount) {
        long n = StateReads.balance(ex.state(), s.address()).nonce();
        return ex.apply(w.withdraw(s, amount, n));
    }

    Order order(Signer s, Side side, long price, long lots, long margin, TimeInForce tif, int flags, long displayLots, long expiry) {
        return new Order(s.address(), MARKET, side == Side.BUY ? dev.clearline.engine.order.Side.BUY : dev.clearline.engine.order.Side.SELL,
                price, lots * LOT, displayLots * LOT, tif, flags, expiry, nonce++, margin);
    }

    VerifiedOrder gtc(Signer s, Side side, long price, long lots, long margin) {
        return verified(order(s, side, price, lots, margin, TimeInForce.GTC, 0, 0, 0));
    }

    VerifiedOrder verified(Order o) {
        return new VerifiedOrder(o, w.domain.orderDigest(o), UNSIGNED);
    }

    VerifiedCancel cancelOf(Signer s, VerifiedOrder v) {
        return new VerifiedCancel(s.address(), v.hash(), UNSIGNED);
    }

    /** Submits and returns the exchange's answer. */
    Reject submit(VerifiedOrder v) {
        return ex.submit(v);
    }

    /** Submits an order that must be accepted; returns its book id. */
    long place(VerifiedOrder v) {
        Reject r = ex.submit(v);
        if (r != null) throw new AssertionError("refused " + r + ": " + v.order());
        return ex.orderId(v.hash());
    }

    OrderBook book() {
        return ex.book(MARKET);
    }

    /** Every event since the last call, kept for the test's assertions. */
    List<ExchangeEvent> events() {
        List<ExchangeEvent> e = ex.takeEvents();
        log.addAll(e);
        return e;
    }

    long reservedSize(Signer s, boolean buy) {
        return ex.reserved(s.address(), MARKET, buy)[0];
    }

    static void ok(Reject r) {
        if (r != null) throw new AssertionError("refused: " + r);
    }
}
