package dev.clearline.engine.stf;

import static dev.clearline.engine.testkit.World.LOT;
import static dev.clearline.engine.testkit.World.TICK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.Deleverage;
import dev.clearline.engine.transition.Transition.Deposit;
import dev.clearline.engine.transition.Transition.Liquidate;
import dev.clearline.engine.transition.Transition.MarketConfig;
import org.junit.jupiter.api.Test;

/**
 * Deleverage at its two equalities (docs/protocol.md section 5): a fund at exactly zero equity is
 * not under water, and a counterparty left exactly at maintenance is accepted while one unit less
 * is not. No fees, no liquidation fee, so every figure below is exact.
 *
 * <p>The scenario: alice long 1 lot at 10_000 with margin 1_000 (quote -9_000) is liquidated at
 * 9_400 (equity 400 < MM 470); the fund holds (1 lot, -9_000), bankruptcy price 9_000. Dan sells
 * 2 lots at 8_000 to carol with margin {@code m}. At mark 8_999 the fund's equity is -1; dan
 * buying back 1 lot at 9_000 keeps (-1 lot, m + 7_000): equity m - 1_999, MM ceil(449.95) = 450,
 * excess m - 2_449.
 */
class DeleverageBoundariesTest {
    private final World w = new World();
    private final Signer alice = World.signer(1);
    private final Signer bob = World.signer(2);
    private final Signer carol = World.signer(3);
    private final Signer dan = World.signer(4);
    private long ts;

    private DeleverageBoundariesTest scenario(long danMargin) {
        w.ok(new MarketConfig(0, 0, 1, TICK, LOT, World.IMF, World.MMF, 0, 0, 0, w.oracle.address()));
        long index = 1;
        for (Signer s : new Signer[] {alice, bob, carol, dan}) w.ok(new Deposit(index++, 0, s.address(), 100_000_000));
        price(10_000);
        fill(alice, 1_000, bob, 100_000, 1, 10_000);
        price(9_400);
        w.ok(new Liquidate(alice.address(), 1));
        assertThat(fund()).isEqualTo(new PositionLeaf(LOT, -9_000, 0));
        price(8_000);
        fill(carol, 100_000, dan, danMargin, 2, 8_000);
        return this;
    }

    private void price(long mark) {
        w.ok(w.price(1, mark, 0, ++ts));
    }

    private void fill(Signer buyer, long buyerMargin, Signer seller, long sellerMargin, long lots, long price) {
        Order bid = w.order(buyer, 1, Side.BUY, price, lots * LOT, buyerMargin);
        Order ask = w.order(seller, 1, Side.SELL, price, lots * LOT, sellerMargin);
        w.ok(w.post(buyer, bid));
        w.ok(w.post(seller, ask));
        w.ok(w.trade(bid, ask, lots * LOT));
    }

    private PositionLeaf fund() {
        return StateReads.position(w.state, Address.INSURANCE_FUND, 1);
    }

    private void rejected(Transition t, Reject expected) {
        var before = w.state.root();
        assertThat(w.apply(t)).as("%s", t).isEqualTo(new Outcome.Rejected(expected));
        assertThat(w.state.root()).isEqualTo(before);
    }

    @Test
    void aFundAtExactlyZeroEquityIsNotUnderWaterAndOneUnitBelowIs() {
        scenario(100_000);
        price(9_000);
        rejected(new Deleverage(1, dan.address(), LOT), Reject.NOT_DELEVERAGEABLE);
        price(8_999);
        w.ok(new Deleverage(1, dan.address(), LOT));
        assertThat(fund()).isEqualTo(new PositionLeaf(0, 0, 0));
    }

    @Test
    void aCounterpartyLeftExactlyAtMaintenanceIsAcceptedAndOneUnitLessIsNot() {
        DeleverageBoundariesTest exact = new DeleverageBoundariesTest().scenario(2_449);
        exact.price(8_999);
        exact.w.ok(new Deleverage(1, dan.address(), LOT));
        assertThat(StateReads.position(exact.w.state, dan.address(), 1)).isEqualTo(new PositionLeaf(-LOT, 2_449 + 7_000, 0));

        DeleverageBoundariesTest short1 = new DeleverageBoundariesTest().scenario(2_448);
        short1.price(8_999);
        short1.rejected(new Deleverage(1, dan.address(), LOT), Reject.INSUFFICIENT_MARGIN);
    }

    @Test
    void aDeleverageAfterTheSentinelFundingIndexIsOverflow() {
        scenario(100_000);
        w.ok(w.price(1, 8_999, Long.MIN_VALUE, ++ts));
        rejected(new Deleverage(1, dan.address(), LOT), Reject.OVERFLOW);
        price(8_999);
        w.ok(new Deleverage(1, dan.address(), LOT));
    }
}
