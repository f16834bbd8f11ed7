package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.Deleverage;
import dev.clearline.engine.transition.Transition.Liquidate;
import dev.clearline.engine.transition.Transition.MarketConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.clearline.engine.testkit.World.LOT;
import static dev.clearline.engine.testkit.World.TICK;
import static org.assertj.core.api.Assertions.assertThat;

/** Liquidation fee into the fund, and Deleverage at the bankruptcy price (docs/protocol.md section 5). */
class DeleverageTest {
    static final int LIQUIDATION_FEE = 10_000;   // 1 %
    final World w = new World();
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);
    final Signer carol = World.signer(3);
    final Signer dan = World.signer(4);

    @BeforeEach
    void market() {
        w.ok(new MarketConfig(0, 0, 1, TICK, LOT, World.IMF, World.MMF, 0, 0, LIQUIDATION_FEE, w.oracle.address()));
        w.ok(new MarketConfig(1, 0, 2, TICK, LOT, World.IMF, World.MMF, 0, 0, 0, w.oracle.address()));
        w.ok(new dev.clearline.engine.transition.Transition.Deposit(2, 0, alice.address(), 100_000_000));
        w.ok(new dev.clearline.engine.transition.Transition.Deposit(3, 0, bob.address(), 100_000_000));
        w.ok(new dev.clearline.engine.transition.Transition.Deposit(4, 0, carol.address(), 100_000_000));
        w.ok(new dev.clearline.engine.transition.Transition.Deposit(5, 0, dan.address(), 100_000_000));
        w.ok(w.price(1, 10_000, 0, 1));
    }

    /** {@code buyer} long {@code lots} from {@code seller} at {@code price}, each with its margin. */
    void open(Signer buyer, long buyerMargin, Signer seller, long sellerMargin, long lots, long price) {
        Order bid = w.order(buyer, 1, Side.BUY, price, lots * LOT, buyerMargin);
        Order ask = w.order(seller, 1, Side.SELL, price, lots * LOT, sellerMargin);
        w.ok(w.post(buyer, bid));
        w.ok(w.post(seller, ask));
        w.ok(w.trade(bid, ask, lots * LOT));
    }

    PositionLeaf pos(Signer s) {
        return StateReads.position(w.state, s.address(), 1);
    }

    PositionLeaf fund() {
        return StateReads.position(w.state, Address.INSURANCE_FUND, 1);
    }

    @Test
    void liquidationFeeIsCeilPpmOfNotionalPaidIntoTheFundsBalance() {
        open(alice, 12_000, bob, 1_000_000, 10, 10_000);        // alice long 10 lots, quote 12_000 - 100_000
        w.ok(w.price(1, 9_003, 0, 2));                          // equity 2_030 > 0 but below MM ceil(4_501.5) = 4_502
        PositionLeaf a = pos(alice);
        assertThat(Margin.equity(a.size(), a.quote(), LOT, 9_003)).isEqualTo(2_030);
        w.ok(new Liquidate(alice.address(), 1));
        // fee = ceil(90_030 * 1 %) = ceil(900.3) = 901, rounded up, below the equity
        assertThat(StateReads.balance(w.state, Address.INSURANCE_FUND).free()).isEqualTo(901);
        assertThat(fund()).isEqualTo(new PositionLeaf(a.size(), a.quote() - 901, 0));
        assertThat(pos(alice)).isEqualTo(new PositionLeaf(0, 0, 0));
    }

    @Test
    void liquidationFeeIsCappedAtThePositiveEquity() {
        open(alice, 12_000, bob, 1_000_000, 10, 10_000);
        w.ok(w.price(1, 8_850, 0, 2));                          // equity 500 < fee ceil(885) = 885
        w.ok(new Liquidate(alice.address(), 1));
        assertThat(StateReads.balance(w.state, Address.INSURANCE_FUND).free()).isEqualTo(500);
        assertThat(Margin.equity(fund().size(), fund().quote(), LOT, 8_850)).isZero();
    }

    @Test
    void liquidationFeeIsZeroOnBadDebt() {
        open(alice, 12_000, bob, 1_000_000, 10, 10_000);
        w.ok(w.price(1, 8_000, 0, 2));                          // equity -8_000
        w.ok(new Liquidate(alice.address(), 1));
        assertThat(StateReads.balance(w.state, Address.INSURANCE_FUND).free()).isZero();
        assertThat(Margin.equity(fund().size(), fund().quote(), LOT, 8_000)).isEqualTo(-8_000);
    }

    @Test
    void deleverageClosesTheFundAtItsBankruptcyPriceRoundedInTheFundsFavour() {
        open(alice, 3_500, bob, 2_000_000, 3, 10_000);          // alice long 3 lots, quote -26_500
        w.ok(w.price(1, 100, 0, 2));
        w.ok(new Liquidate(alice.address(), 1));
        assertThat(fund()).isEqualTo(new PositionLeaf(3 * LOT, -26_500, 0));
        // bankruptcy price of a 3-lot long with quote -26_500: 26_500 / 3 = 8_833.33, rounded up to 8_834
        assertThat(Margin.bankruptcyPrice(3 * LOT, -26_500, LOT)).isEqualTo(8_834);
        PositionLeaf bobBefore = pos(bob);
        w.ok(new Deleverage(1, bob.address(), LOT));            // partial: one lot
        assertThat(fund()).isEqualTo(new PositionLeaf(2 * LOT, -26_500 + 8_834, 0));
        w.ok(new Deleverage(1, bob.address(), 2 * LOT));        // the rest, at the new bankruptcy price
        long second = Margin.bankruptcyPrice(2 * LOT, -26_500 + 8_834, LOT);
        assertThat(second).isEqualTo(8_833);                     // 17_666 / 2, exact
        assertThat(fund()).isEqualTo(new PositionLeaf(0, -26_500 + 8_834 + 2 * 8_833, 0));
        assertThat(fund().quote()).as("the fund ends with no debt; the rounding remainder stays with it").isEqualTo(0);
        assertThat(pos(bob)).isEqualTo(new PositionLeaf(bobBefore.size() + 3 * LOT, bobBefore.quote() - 8_834 - 2 * 8_833, 0));
        rejected(new Deleverage(1, bob.address(), LOT), Reject.NOT_DELEVERAGEABLE);
    }

    @Test
    void bankruptcyPriceRoundsUpForALongAndDownForAShortWithARemainder() {
        assertThat(Margin.bankruptcyPrice(3 * LOT, -10, LOT)).isEqualTo(4);     // 10 / 3 = 3.33 -> 4
        assertThat(Margin.bankruptcyPrice(3 * LOT, -9, LOT)).isEqualTo(3);      // exact
        assertThat(Margin.bankruptcyPrice(-3 * LOT, 10, LOT)).isEqualTo(3);     // 3.33 -> 3
        assertThat(Margin.bankruptcyPrice(-3 * LOT, -10, LOT)).isEqualTo(-4);   // -3.33 -> -4 (floor)
        assertThat(Margin.bankruptcyPrice(LOT, -Long.MAX_VALUE, LOT)).isEqualTo(Long.MAX_VALUE);
        assertThat(Margin.bankruptcyPrice(-LOT, -Long.MAX_VALUE, LOT)).isEqualTo(-Long.MAX_VALUE);
    }

    @Test
    void everyDeleverageRefusal() {
        rejected(new Deleverage(9, bob.address(), LOT), Reject.UNKNOWN_MARKET);
        rejected(new Deleverage(1, Address.INSURANCE_FUND, LOT), Reject.SELF_TRADE);
        rejected(new Deleverage(2, bob.address(), LOT), Reject.NO_MARK_PRICE);
        rejected(new Deleverage(1, bob.address(), LOT), Reject.NOT_DELEVERAGEABLE);   // the fund holds nothing
        open(alice, 3_500, bob, 200_000, 3, 10_000);
        w.ok(w.price(1, 100, 0, 2));
        w.ok(new Liquidate(alice.address(), 1));                // fund long 3 lots, deep under water
        open(carol, 1_000, dan, 30, 2, 100);                     // dan short 2 lots with almost no margin
        rejected(new Deleverage(1, bob.address(), 0), Reject.SIZE_OFF_LOT);
        rejected(new Deleverage(1, bob.address(), LOT + 1), Reject.SIZE_OFF_LOT);
        rejected(new Deleverage(1, carol.address(), LOT), Reject.SAME_SIDE);           // carol is long like the fund
        rejected(new Deleverage(1, alice.address(), LOT), Reject.SAME_SIDE);           // alice holds nothing now
        rejected(new Deleverage(1, bob.address(), 4 * LOT), Reject.OVERFILL);          // more than either holds
        rejected(new Deleverage(1, dan.address(), 3 * LOT), Reject.OVERFILL);          // the fund's 3, dan's 2
        // dan cannot buy back at the bankruptcy price (8_834) and stay above maintenance
        rejected(new Deleverage(1, dan.address(), 2 * LOT), Reject.INSUFFICIENT_MARGIN);
        w.ok(new Deleverage(1, bob.address(), 3 * LOT));
    }

    void rejected(Transition t, Reject expected) {
        var before = w.state.root();
        assertThat(w.apply(t)).as("%s", t).isEqualTo(new Outcome.Rejected(expected));
        assertThat(w.state.root()).isEqualTo(before);
    }
}
