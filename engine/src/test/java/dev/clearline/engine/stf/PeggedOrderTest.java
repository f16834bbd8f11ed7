package dev.clearline.engine.stf;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.clearline.engine.testkit.World.LOT;
import static dev.clearline.engine.testkit.World.TICK;
import static org.assertj.core.api.Assertions.assertThat;

/** The STF's rules for pegged orders (docs/protocol.md section 5, Trade and TradeAtPrice). */
class PeggedOrderTest {
    final World w = new World();
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);
    long nonce;

    @BeforeEach
    void market() {
        w.ok(w.market(1));
        w.ok(w.deposit(alice.address(), 100_000_000));
        w.ok(w.deposit(bob.address(), 100_000_000));
    }

    Order order(Signer s, Side side, long limit, Peg peg, int offset) {
        return new Order(s.address(), 1, side, limit, 10 * LOT, 0, TimeInForce.GTC, 0, peg, offset, 0, nonce++, 5_000_000);
    }

    Order posted(Signer s, Side side, long limit, Peg peg, int offset) {
        Order o = order(s, side, limit, peg, offset);
        w.ok(w.post(s, o));
        return o;
    }

    /** The price bob (the plain taker) paid or got per lot, from his quote after a one-lot fill. */
    long filledPriceForOneLot(Order maker, Order taker) {
        long before = StateReads.position(w.state, taker.trader(), 1).quote();
        w.ok(w.trade(maker, taker, LOT));
        PositionLeaf after = StateReads.position(w.state, taker.trader(), 1);
        long fee = 0;
        long paid = before - after.quote();                 // + for a buy: price + fee
        // fee = ceil(price * 500 / 1e6): solve by trying the fee-free price first
        for (long p = Math.abs(paid) - 10; p <= Math.abs(paid) + 10; p++) {
            fee = dev.clearline.engine.risk.Fixed.mulPpmUp(p, World.TAKER_FEE);
            if (taker.isBuy() ? p + fee == paid : p - fee == -paid) return p;
        }
        throw new AssertionError("no price explains a quote change of " + paid);
    }

    @Test
    void markPeggedMakerFillsAtMarkPlusOffsetTicks() {
        w.ok(w.price(1, 10_000, 0, 1));
        Order maker = posted(alice, Side.SELL, 9_000, Peg.MARK, 3);
        Order taker = posted(bob, Side.BUY, 11_000, Peg.NONE, 0);
        assertThat(filledPriceForOneLot(maker, taker)).isEqualTo(10_000 + 3 * TICK);
    }

    @Test
    void markOffTheTickRoundsDownForABuyAndUpForASell() {
        w.ok(w.price(1, 10_050, 0, 1));
        Order buyMaker = posted(alice, Side.BUY, 20_000, Peg.MARK, 0);
        Order sellTaker = posted(bob, Side.SELL, 100, Peg.NONE, 0);
        assertThat(filledPriceForOneLot(buyMaker, sellTaker)).isEqualTo(10_000);
        Order sellMaker = posted(alice, Side.SELL, 100, Peg.MARK, 0);
        Order buyTaker = posted(bob, Side.BUY, 20_000, Peg.NONE, 0);
        assertThat(filledPriceForOneLot(sellMaker, buyTaker)).isEqualTo(10_100);
    }

    @Test
    void peggedPriceIsClampedToTheLimitAndEqualityIsNotClamped() {
        w.ok(w.price(1, 10_000, 0, 1));
        Order buyAtLimit = posted(alice, Side.BUY, 10_000, Peg.MARK, 0);     // raw == limit
        Order buyClamped = posted(alice, Side.BUY, 9_900, Peg.MARK, 0);      // raw above the limit
        Order sellClamped = posted(alice, Side.SELL, 10_200, Peg.MARK, 1);   // raw 10_100 below the limit
        Order seller = posted(bob, Side.SELL, 100, Peg.NONE, 0);
        Order buyer = posted(bob, Side.BUY, 20_000, Peg.NONE, 0);
        assertThat(filledPriceForOneLot(buyAtLimit, seller)).isEqualTo(10_000);
        assertThat(filledPriceForOneLot(buyClamped, seller)).isEqualTo(9_900);
        assertThat(filledPriceForOneLot(sellClamped, buyer)).isEqualTo(10_200);
    }

    @Test
    void markPeggedTakerLimitIsItsPeggedPrice() {
        w.ok(w.price(1, 10_000, 0, 1));
        Order maker = posted(alice, Side.SELL, 10_000, Peg.NONE, 0);
        Order takerOneTickShort = posted(bob, Side.BUY, 20_000, Peg.MARK, -1);   // pegged 9_900 < 10_000
        Order takerExact = posted(bob, Side.BUY, 20_000, Peg.MARK, 0);           // pegged 10_000 == maker
        rejected(w.trade(maker, takerOneTickShort, LOT), Reject.NOT_CROSSING);
        w.ok(w.trade(maker, takerExact, LOT));
    }

    @Test
    void buyPegBelowOneTickHasNoPositivePrice() {
        w.ok(w.price(1, 150, 0, 1));
        Order belowTick = posted(alice, Side.BUY, 1_000, Peg.MARK, -1);   // raw 50 < tick
        Order atTick = posted(alice, Side.BUY, 1_000, Peg.MARK, 0);       // raw 150: floors to 100 = one tick
        Order seller = posted(bob, Side.SELL, 100, Peg.NONE, 0);
        rejected(w.trade(belowTick, seller, LOT), Reject.BAD_PRICE);
        assertThat(filledPriceForOneLot(atTick, seller)).isEqualTo(100);
    }

    @Test
    void tradeNeedsAMarkEvenForAPlainMaker() {
        Order maker = posted(alice, Side.SELL, 10_000, Peg.MARK, 0);
        Order taker = posted(bob, Side.BUY, 10_000, Peg.NONE, 0);
        rejected(w.trade(maker, taker, LOT), Reject.NO_MARK_PRICE);
    }

    @Test
    void bookPeggedMakerFillsOnlyThroughTradeAtPriceWithinBothLimits() {
        w.ok(w.price(1, 10_000, 0, 1));
        Order maker = posted(alice, Side.SELL, 9_800, Peg.BOOK, 2);
        Order taker = posted(bob, Side.BUY, 10_300, Peg.NONE, 0);
        Order plain = posted(alice, Side.SELL, 9_800, Peg.NONE, 0);
        rejected(w.trade(maker, taker, LOT), Reject.PRICE_RULE_MISMATCH);
        rejected(w.tradeAt(plain, taker, LOT, 9_800), Reject.PRICE_RULE_MISMATCH);
        rejected(w.tradeAt(maker, taker, LOT, 9_700), Reject.NOT_CROSSING);         // below the sell maker's limit
        rejected(w.tradeAt(maker, taker, LOT, 10_400), Reject.NOT_CROSSING);        // above the buy taker's limit
        rejected(w.tradeAt(maker, taker, LOT, 10_050), Reject.PRICE_OFF_TICK);
        rejected(w.tradeAt(maker, taker, LOT, 0), Reject.PRICE_OFF_TICK);
        w.ok(w.tradeAt(maker, taker, LOT, 9_800));                                    // maker's limit, equality
        w.ok(w.tradeAt(maker, taker, LOT, 10_300));                                   // taker's limit, equality
        assertThat(StateReads.order(w.state, w.hash(maker)).filled()).isEqualTo(2 * LOT);
    }

    @Test
    void postOrderFieldRulesForPegs() {
        w.ok(w.price(1, 10_000, 0, 1));
        Order offsetWithoutPeg = order(alice, Side.BUY, 10_000, Peg.NONE, 1);
        Order peggedMarket = new Order(alice.address(), 1, Side.BUY, 10_000, LOT, 0, TimeInForce.IOC, Order.MARKET,
                Peg.MARK, 0, 0, nonce++, 0);
        Order peggedPostOnly = new Order(alice.address(), 1, Side.BUY, 10_000, LOT, 0, TimeInForce.GTC, Order.POST_ONLY,
                Peg.BOOK, -5, 0, nonce++, 0);
        Order peggedOffTick = order(alice, Side.BUY, 10_050, Peg.MARK, 0);
        rejected(w.post(alice, offsetWithoutPeg), Reject.BAD_ORDER_FIELDS);
        rejected(w.post(alice, peggedMarket), Reject.BAD_ORDER_FIELDS);
        rejected(w.post(alice, peggedOffTick), Reject.PRICE_OFF_TICK);
        w.ok(w.post(alice, peggedPostOnly));
    }

    @Test
    void pegArithmeticThatLeavesInt64IsOverflow() {
        w.ok(w.price(1, Long.MAX_VALUE / TICK * TICK, 0, 1));        // the largest on-tick mark
        Order up = posted(alice, Side.BUY, 100, Peg.MARK, 1);          // mark + tick > 2^63 - 1
        Order seller = posted(bob, Side.SELL, 100, Peg.NONE, 0);
        rejected(w.trade(up, seller, LOT), Reject.OVERFLOW);
    }

    void rejected(Transition t, Reject expected) {
        var before = w.state.root();
        assertThat(w.apply(t)).isEqualTo(new Outcome.Rejected(expected));
        assertThat(w.state.root()).isEqualTo(before);
    }
}
