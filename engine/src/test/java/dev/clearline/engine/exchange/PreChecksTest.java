package dev.clearline.engine.exchange;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The pre-checks alone, against the desk's state. */
class PreChecksTest {
    final Desk d = new Desk();
    final Signer alice = d.trader(1, 1_000_000);
    final Reservations reservations = new Reservations();
    final PreChecks checks = new PreChecks(reservations);
    final Account account = new Account(0, alice.address(), d.ex.state(), new dev.clearline.engine.stf.KeyCache(16));

    Reject check(Order o, LiveOrder replaced) {
        MarketLeaf m = StateReads.market(d.ex.state(), Desk.MARKET);
        return checks.check(o, true, m, null, account, replaced);
    }

    @Test
    void expiryIsJudgedOnTheOracleClockInclusive() {
        assertThat(check(d.order(alice, Side.BUY, 9_000, 1, 10_000, TimeInForce.GTC, 0, 0, d.ts), null)).isNull();
        assertThat(check(d.order(alice, Side.BUY, 9_000, 1, 10_000, TimeInForce.GTC, 0, 0, d.ts - 1), null)).isEqualTo(Reject.EXPIRED);
    }

    @Test
    void restingOrdersOnTheSameSideCountAgainstTheMarginButTheOneBeingReplacedDoesNot() {
        // 50 lots at 10,000 with 60,000 margin covers its own 50,000 initial margin plus fees
        Order big = d.order(alice, Side.BUY, 10_000, 50, 60_000, TimeInForce.GTC, 0, 0, 0);
        assertThat(check(big, null)).isNull();
        // a resting order that brings no margin of its own: the new order's margin must carry both
        LiveOrder resting = new LiveOrder(1, d.verified(d.order(alice, Side.BUY, 10_000, 50, 0, TimeInForce.GTC, 0, 0, 0)), account);
        reservations.reserve(resting, 50, dev.clearline.engine.testkit.World.LOT);
        Order another = d.order(alice, Side.BUY, 10_000, 50, 60_000, TimeInForce.GTC, 0, 0, 0);
        assertThat(check(another, null)).isEqualTo(Reject.INSUFFICIENT_MARGIN);
        assertThat(check(another, resting)).isNull();
        // one that brings its own (still in the free balance, it reaches the position when it posts) carries itself
        reservations.release(resting);
        LiveOrder backed = new LiveOrder(2, d.verified(big), account);
        reservations.reserve(backed, 50, dev.clearline.engine.testkit.World.LOT);
        assertThat(check(another, null)).isNull();
        // the other side's reservation never counts against this side
        Order sell = d.order(alice, Side.SELL, 10_000, 50, 60_000, TimeInForce.GTC, 0, 0, 0);
        assertThat(check(sell, null)).isNull();
    }

    @Test
    void theMarginMustBeInTheFreeBalance() {
        assertThat(check(d.order(alice, Side.BUY, 9_000, 1, 1_000_001, TimeInForce.GTC, 0, 0, 0), null)).isEqualTo(Reject.INSUFFICIENT_BALANCE);
    }
}
