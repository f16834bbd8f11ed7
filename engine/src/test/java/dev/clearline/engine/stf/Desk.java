package dev.clearline.engine.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.Trade;

/**
 * One market (World's: tick 100, lot 1_000, IM 10 %, MM 5 %, fees 200 / 500 ppm) with three
 * funded traders and a mark of 10_000, for boundary tests at the STF. The only place these tests
 * build a {@link Trade}: when the transition's shape changes, {@link #trade} is all that changes.
 */
final class Desk {
    static final int MARKET = 1;
    static final long FUNDS = 10_000_000;

    final World w = new World();
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);
    final Signer carol = World.signer(3);
    private long oracleTs = 1;

    Desk() {
        w.ok(w.market(MARKET));
        for (Signer s : new Signer[] {alice, bob, carol}) w.ok(w.deposit(s.address(), FUNDS));
        mark(10_000);
    }

    /** A new oracle price (funding index 0) one second after the last. */
    Desk mark(long price) {
        return mark(price, 0);
    }

    Desk mark(long price, long fundingIndex) {
        w.ok(w.price(MARKET, price, fundingIndex, ++oracleTs));
        return this;
    }

    long oracleTs() {
        return oracleTs;
    }

    /** A GTC limit order, signed and posted (its margin moves into the position). */
    Order posted(Signer s, Side side, long price, long size, long margin) {
        return posted(s, new Order(s.address(), MARKET, side, price, size, 0, TimeInForce.GTC, 0, 0, nextNonce++, margin));
    }

    Order posted(Signer s, Order o) {
        w.ok(w.post(s, o));
        return o;
    }

    private long nextNonce = 1_000;

    Order order(Signer s, Side side, long price, long size, long margin, long expiry) {
        return new Order(s.address(), MARKET, side, price, size, 0, TimeInForce.GTC, 0, expiry, nextNonce++, margin);
    }

    /** The fill of {@code size} base units of {@code maker} by {@code taker}. */
    Transition trade(Order maker, Order taker, long size) {
        return w.trade(maker, taker, size);
    }

    Outcome apply(Transition t) {
        return w.apply(t);
    }

    void ok(Transition t) {
        w.ok(t);
    }

    /** Refused with exactly {@code expected}, and the tree is untouched. */
    void rejected(Transition t, Reject expected) {
        var before = w.state.root();
        assertThat(w.apply(t)).as("%s", t).isEqualTo(new Outcome.Rejected(expected));
        assertThat(w.state.root()).isEqualTo(before);
    }

    PositionLeaf position(Signer s) {
        return StateReads.position(w.state, s.address(), MARKET);
    }

    BalanceLeaf balance(Signer s) {
        return StateReads.balance(w.state, s.address());
    }

    MarketLeaf market() {
        return StateReads.market(w.state, MARKET);
    }
}
