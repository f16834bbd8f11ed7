package dev.clearline.engine.stf;

import static dev.clearline.engine.testkit.World.LOT;
import static dev.clearline.engine.testkit.World.TICK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.testkit.World;
import org.junit.jupiter.api.Test;

/**
 * The exits of a fill and of a PostOrder that the margin boundaries do not reach: orders of two
 * markets, a BOOK-pegged buy maker's limit, a mark-pegged taker's price, the overflow exits, and
 * the margin a PostOrder moves at exactly the free balance. Desk's market: tick 100, lot 1_000.
 */
class TradeEdgesTest {
    private final Desk d = new Desk();
    private final World w = d.w;
    private long nonce = 5_000;

    private Order order(Signer s, int market, Side side, long price, Peg peg, int offset, long margin) {
        return new Order(s.address(), market, side, price, LOT, 0, TimeInForce.GTC, 0, peg, offset, 0, nonce++, margin);
    }

    private Order posted(Signer s, int market, Side side, long price, Peg peg, int offset, long margin) {
        return d.posted(s, order(s, market, side, price, peg, offset, margin));
    }

    @Test
    void ordersOfTwoMarketsNeverFillEachOther() {
        w.ok(w.market(2));
        w.ok(w.price(2, 10_000, 0, 1));
        Order ask = posted(d.bob, Desk.MARKET, Side.SELL, 10_000, Peg.NONE, 0, 100_000);
        Order bid = posted(d.alice, 2, Side.BUY, 10_000, Peg.NONE, 0, 100_000);
        d.rejected(d.trade(ask, bid, LOT), Reject.MARKET_MISMATCH);
        d.rejected(d.trade(bid, ask, LOT), Reject.MARKET_MISMATCH);
    }

    /** A BOOK-pegged buy maker fills at any stated price up to its limit, not one tick above. */
    @Test
    void aBookPeggedBuyMakerFillsAtItsLimitAndNotOneTickAbove() {
        Order maker = posted(d.alice, Desk.MARKET, Side.BUY, 10_000, Peg.BOOK, 0, 100_000);
        Order taker = posted(d.bob, Desk.MARKET, Side.SELL, 9_000, Peg.NONE, 0, 100_000);
        d.rejected(w.tradeAt(maker, taker, LOT, 10_000 + TICK), Reject.NOT_CROSSING);
        d.rejected(w.tradeAt(maker, taker, LOT, 9_000 - TICK), Reject.NOT_CROSSING);  // below the sell taker's limit
        d.rejected(w.tradeAt(maker, taker, LOT, -TICK), Reject.PRICE_OFF_TICK);
        d.ok(w.tradeAt(maker, taker, LOT, 10_000));
        assertThat(d.position(d.alice)).isEqualTo(new PositionLeaf(LOT, 100_000 - 10_000 - 2, 0));
    }

    @Test
    void aMarkPeggedBuyTakerBelowOneTickHasNoPriceToFillAt() {
        Order ask = posted(d.bob, Desk.MARKET, Side.SELL, TICK, Peg.NONE, 0, 100_000);
        Order atZero = posted(d.alice, Desk.MARKET, Side.BUY, 10_000, Peg.MARK, -100, 100_000);  // 10_000 - 100 ticks = 0
        Order atOneTick = posted(d.alice, Desk.MARKET, Side.BUY, 10_000, Peg.MARK, -99, 100_000);
        d.rejected(d.trade(ask, atZero, LOT), Reject.BAD_PRICE);
        d.ok(d.trade(ask, atOneTick, LOT));
    }

    @Test
    void aMarkPeggedTakerWhosePriceLeavesInt64IsOverflow() {
        Order ask = posted(d.bob, Desk.MARKET, Side.SELL, TICK, Peg.NONE, 0, 100_000);
        Order up = posted(d.alice, Desk.MARKET, Side.BUY, TICK, Peg.MARK, 1, 100_000);
        d.mark(Long.MAX_VALUE / TICK * TICK);  // the largest on-tick mark: one tick more leaves int64
        d.rejected(d.trade(ask, up, LOT), Reject.OVERFLOW);
    }

    @Test
    void aFillAfterTheSentinelFundingIndexIsOverflowUntilTheNextPrice() {
        Order ask = posted(d.bob, Desk.MARKET, Side.SELL, 10_000, Peg.NONE, 0, 100_000);
        Order bid = posted(d.alice, Desk.MARKET, Side.BUY, 10_000, Peg.NONE, 0, 100_000);
        d.mark(10_000, Long.MIN_VALUE);
        d.rejected(d.trade(ask, bid, LOT), Reject.OVERFLOW);
        d.mark(10_000, 0);
        d.ok(d.trade(ask, bid, LOT));
    }

    /** A maker holding 2^63 - 1 - 10_000 in quote can sell one lot at 100 but not at 10_100 (fee 1 / 3). */
    @Test
    void aFillThatWouldCarryAPositionsQuotePastInt64IsOverflow() {
        Signer rich = World.signer(4);
        w.ok(w.deposit(rich.address(), Long.MAX_VALUE - 10_000));
        Order big = posted(rich, Desk.MARKET, Side.SELL, 10_100, Peg.NONE, 0, Long.MAX_VALUE - 10_000);
        Order bid = posted(d.alice, Desk.MARKET, Side.BUY, 10_100, Peg.NONE, 0, 100_000);
        d.rejected(d.trade(big, bid, LOT), Reject.OVERFLOW);
        Order small = posted(rich, Desk.MARKET, Side.SELL, TICK, Peg.NONE, 0, 0);
        d.ok(d.trade(small, bid, LOT));
        assertThat(d.position(rich).quote()).isEqualTo(Long.MAX_VALUE - 10_000 + TICK - 1);
    }

    // ---- PostOrder's margin: free >= margin, funding settled first ----

    @Test
    void anOrderMayBringExactlyTheFreeBalanceAsMarginAndNotOneUnitMore() {
        d.rejected(w.post(d.alice, order(d.alice, Desk.MARKET, Side.BUY, 9_000, Peg.NONE, 0, Desk.FUNDS + 1)),
                Reject.INSUFFICIENT_BALANCE);
        posted(d.alice, Desk.MARKET, Side.BUY, 9_000, Peg.NONE, 0, Desk.FUNDS);
        assertThat(d.balance(d.alice)).isEqualTo(new BalanceLeaf(0, 0));
        assertThat(d.position(d.alice)).isEqualTo(new PositionLeaf(0, Desk.FUNDS, 0));
    }

    @Test
    void anOrderWithMarginAfterTheSentinelFundingIndexIsOverflowAndWithoutMarginIsNot() {
        d.mark(10_000, Long.MIN_VALUE);
        d.rejected(w.post(d.alice, order(d.alice, Desk.MARKET, Side.BUY, 9_000, Peg.NONE, 0, 1)), Reject.OVERFLOW);
        posted(d.alice, Desk.MARKET, Side.BUY, 9_000, Peg.NONE, 0, 0);
    }
}
