package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition.Liquidate;
import dev.clearline.engine.transition.Transition.Trade;
import org.junit.jupiter.api.Test;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

class IsolatedMarginTest {
    final World w = new World();
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);
    final Signer carol = World.signer(3);

    @Test
    void positionWipedOutToBadDebtLeavesOwnersOtherPositionAndFreeBalanceUntouched() {
        w.ok(w.market(1));
        w.ok(w.market(2));
        for (Signer s : new Signer[] {alice, bob, carol}) w.ok(w.deposit(s.address(), 10_000_000));
        w.ok(w.price(1, 10_000, 0, 1));
        w.ok(w.price(2, 5_000, 0, 1));

        // alice: long 100 lots in market 1 with 110_000 margin (needs 10 % of 1_000_000 = 100_000 + fees)
        open(alice, bob, 1, 10_000, 100, 110_000, 200_000);
        // alice: long 10 lots in market 2, a healthy separate position
        open(alice, carol, 2, 5_000, 10, 20_000, 20_000);

        PositionLeaf otherBefore = StateReads.position(w.state, alice.address(), 2);
        BalanceLeaf freeBefore = StateReads.balance(w.state, alice.address());
        long fundBefore = StateReads.position(w.state, Address.INSURANCE_FUND, 1).quote();

        // market 1 crashes 20 %: alice's equity 110_000 - fee - 200_000 < 0, bad debt
        w.ok(w.price(1, 8_000, 0, 2));
        PositionLeaf doomed = StateReads.position(w.state, alice.address(), 1);
        assertThat(doomed.quote() + doomed.size() / LOT * 8_000).isNegative();
        w.ok(new Liquidate(alice.address(), 1));

        assertThat(StateReads.position(w.state, alice.address(), 1).size()).isZero();
        assertThat(StateReads.position(w.state, alice.address(), 1).quote()).isZero();
        PositionLeaf fund = StateReads.position(w.state, Address.INSURANCE_FUND, 1);
        assertThat(fund.size()).isEqualTo(doomed.size());
        assertThat(fund.quote()).isEqualTo(fundBefore + doomed.quote());
        assertThat(StateReads.position(w.state, alice.address(), 2)).isEqualTo(otherBefore);
        assertThat(StateReads.balance(w.state, alice.address())).isEqualTo(freeBefore);
        // sizes still sum to zero in market 1: bob's short is now against the fund
        assertThat(fund.size() + StateReads.position(w.state, bob.address(), 1).size()).isZero();
    }

    @Test
    void healthyPositionIsNotLiquidatableAndNothingChanges() {
        w.ok(w.market(1));
        w.ok(w.deposit(alice.address(), 10_000_000));
        w.ok(w.deposit(bob.address(), 10_000_000));
        w.ok(w.price(1, 10_000, 0, 1));
        open(alice, bob, 1, 10_000, 10, 50_000, 50_000);
        var root = w.state.root();
        assertThat(w.apply(new Liquidate(alice.address(), 1))).isEqualTo(new Outcome.Rejected(Reject.NOT_LIQUIDATABLE));
        assertThat(w.state.root()).isEqualTo(root);
    }

    @Test
    void fillThatWouldBreachInitialMarginIsRejected() {
        w.ok(w.market(1));
        w.ok(w.deposit(alice.address(), 10_000_000));
        w.ok(w.deposit(bob.address(), 10_000_000));
        w.ok(w.price(1, 10_000, 0, 1));
        Order sell = w.order(bob, 1, Side.SELL, 10_000, 100 * LOT, 200_000);
        Order buy = w.order(alice, 1, Side.BUY, 10_000, 100 * LOT, 99_000); // 10 % of 1_000_000 is 100_000
        w.ok(w.post(bob, sell));
        w.ok(w.post(alice, buy));
        var root = w.state.root();
        assertThat(w.apply(w.trade(sell, buy, 100 * LOT)))
                .isEqualTo(new Outcome.Rejected(Reject.INSUFFICIENT_MARGIN));
        assertThat(w.state.root()).isEqualTo(root);
        // half the size fits
        w.ok(w.trade(sell, buy, 50 * LOT));
    }

    @Test
    void fundingIsSettledOnTouchWithoutRounding() {
        w.ok(w.market(1));
        w.ok(w.deposit(alice.address(), 10_000_000));
        w.ok(w.deposit(bob.address(), 10_000_000));
        w.ok(w.price(1, 10_000, 0, 1));
        open(alice, bob, 1, 10_000, 10, 50_000, 50_000);
        long aliceQuote = StateReads.position(w.state, alice.address(), 1).quote();
        w.ok(w.price(1, 10_000, 7, 2)); // longs pay 7 per lot
        w.ok(w.allocate(alice, 1, 1, 0)); // touching settles
        PositionLeaf p = StateReads.position(w.state, alice.address(), 1);
        assertThat(p.quote()).isEqualTo(aliceQuote - 10 * 7 + 1);
        assertThat(p.fundingIndex()).isEqualTo(7);
    }

    private void open(Signer longSide, Signer shortSide, int market, long price, long lots, long longMargin, long shortMargin) {
        Order sell = w.order(shortSide, market, Side.SELL, price, lots * LOT, shortMargin);
        Order buy = w.order(longSide, market, Side.BUY, price, lots * LOT, longMargin);
        w.ok(w.post(shortSide, sell));
        w.ok(w.post(longSide, buy));
        w.ok(w.trade(sell, buy, lots * LOT));
    }
}
