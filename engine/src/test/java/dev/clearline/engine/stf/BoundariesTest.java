package dev.clearline.engine.stf;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.transition.Transition.Liquidate;
import org.junit.jupiter.api.Test;

/**
 * The boundaries of docs/protocol.md section 4 as the STF sees them, each at equality and one unit
 * past it: overfill of one order only, fees with a remainder, every margin rule at equality, the
 * -2^63 funding sentinel, lot and tick edges, expiry and crossing edges. The market is
 * {@link Desk}'s: lot 1_000, tick 100, IM 10 %, MM 5 %, maker 200 ppm, taker 500 ppm, mark 10_000.
 */
class BoundariesTest {

    // ---- overfill: each order's own remaining size bounds the fill ----

    @Test
    void aFillLargerThanTheMakerAloneIsAnOverfill() {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_000, LOT, 100_000);
        Order bid = d.posted(d.alice, Side.BUY, 10_000, 2 * LOT, 100_000);
        d.rejected(d.trade(ask, bid, 2 * LOT), Reject.OVERFILL);
        d.ok(d.trade(ask, bid, LOT));
        d.rejected(d.trade(ask, bid, LOT), Reject.OVERFILL);  // maker now filled, taker still has a lot
    }

    @Test
    void aFillLargerThanTheTakerAloneIsAnOverfill() {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_000, 2 * LOT, 100_000);
        Order bid = d.posted(d.alice, Side.BUY, 10_000, LOT, 100_000);
        d.rejected(d.trade(ask, bid, 2 * LOT), Reject.OVERFILL);
        d.ok(d.trade(ask, bid, LOT));
        d.rejected(d.trade(ask, bid, LOT), Reject.OVERFILL);  // taker now filled, maker still has a lot
    }

    @Test
    void theBoundIsWhatRemainsAfterEarlierFillsOnEitherSide() {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_000, 3 * LOT, 100_000);
        Order first = d.posted(d.alice, Side.BUY, 10_000, 2 * LOT, 100_000);
        d.ok(d.trade(ask, first, 2 * LOT));
        Order second = d.posted(d.carol, Side.BUY, 10_000, 5 * LOT, 100_000);
        d.rejected(d.trade(ask, second, 2 * LOT), Reject.OVERFILL);    // maker has 1 lot left
        d.ok(d.trade(ask, second, LOT));                               // exactly what is left
        Order other = d.posted(d.bob, Side.SELL, 10_000, 5 * LOT, 100_000);
        d.rejected(d.trade(other, second, 5 * LOT), Reject.OVERFILL);  // taker has 4 lots left
        d.ok(d.trade(other, second, 4 * LOT));
        assertThat(d.position(d.carol).size()).isEqualTo(5 * LOT);
    }

    @Test
    void aTradeNamingAnOrderThatWasNeverPostedIsRefused() {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_000, LOT, 100_000);
        Order bid = d.posted(d.alice, Side.BUY, 10_000, LOT, 100_000);
        Order unposted = d.order(d.carol, Side.BUY, 10_000, LOT, 100_000, 0);
        d.rejected(d.trade(ask, unposted, LOT), Reject.ORDER_NOT_FOUND);
        d.rejected(d.trade(unposted, bid, LOT), Reject.ORDER_NOT_FOUND);
    }

    // ---- reduce-only: the fill must reduce a non-zero position ----

    @Test
    void aReduceOnlyOrderCannotOpenFromFlatButMayCloseExactly() {
        Desk d = new Desk();
        Order reduceOnlyBid = d.posted(d.alice, reduceOnly(d, Side.BUY, 2 * LOT));
        Order ask = d.posted(d.bob, Side.SELL, 10_000, 2 * LOT, 100_000);
        d.rejected(d.trade(ask, reduceOnlyBid, LOT), Reject.REDUCE_ONLY_WOULD_INCREASE);  // alice is flat
        // alice goes short 1 lot, then her reduce-only bid may buy back exactly that lot, not 2
        Order bid = d.posted(d.carol, Side.BUY, 10_000, LOT, 100_000);
        Order short1 = d.posted(d.alice, Side.SELL, 10_000, LOT, 100_000);
        d.ok(d.trade(bid, short1, LOT));
        d.rejected(d.trade(ask, reduceOnlyBid, 2 * LOT), Reject.REDUCE_ONLY_WOULD_INCREASE);  // would flip to long
        d.ok(d.trade(ask, reduceOnlyBid, LOT));
        assertThat(d.position(d.alice).size()).isZero();
    }

    private static Order reduceOnly(Desk d, Side side, long size) {
        return new Order(d.alice.address(), Desk.MARKET, side, 10_000, size, 0, TimeInForce.GTC, Order.REDUCE_ONLY, 0,
                77 + size, 0);
    }

    // ---- fees: ceilPpm, never in the trader's favour ----

    @Test
    void feesWithARemainderRoundUpOnBothSides() {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_100, LOT, 100_000);
        Order bid = d.posted(d.alice, Side.BUY, 10_100, LOT, 100_000);
        d.ok(d.trade(ask, bid, LOT));
        // notional 10_100: maker 2.02 -> 3, taker 5.05 -> 6
        assertThat(d.market().feesAccrued()).isEqualTo(9);
        assertThat(d.position(d.bob).quote()).isEqualTo(100_000 + 10_100 - 3);
        assertThat(d.position(d.alice).quote()).isEqualTo(100_000 - 10_100 - 6);
    }

    @Test
    void feesThatDivideExactlyGetNoExtraUnit() {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_000, LOT, 100_000);
        Order bid = d.posted(d.alice, Side.BUY, 10_000, LOT, 100_000);
        d.ok(d.trade(ask, bid, LOT));
        assertThat(d.market().feesAccrued()).isEqualTo(2 + 5);
        assertThat(d.position(d.bob).quote()).isEqualTo(100_000 + 10_000 - 2);
        assertThat(d.position(d.alice).quote()).isEqualTo(100_000 - 10_000 - 5);
    }

    // ---- initial margin: equity_after >= IM_after, for the taker and for the maker ----

    /** Taker opens 1 lot long: equity after = margin - 5 (fee), IM = 1_000. */
    @Test
    void aTakerOpeningAtExactlyInitialMarginIsAccepted() {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_000, LOT, 100_000);
        Order bid = d.posted(d.alice, Side.BUY, 10_000, LOT, 1_005);
        d.ok(d.trade(ask, bid, LOT));
        PositionLeaf p = d.position(d.alice);
        assertThat(p.quote() + p.size() / LOT * 10_000).isEqualTo(1_000);
    }

    @Test
    void aTakerOneUnitShortOfInitialMarginIsRefused() {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_000, LOT, 100_000);
        Order bid = d.posted(d.alice, Side.BUY, 10_000, LOT, 1_004);
        d.rejected(d.trade(ask, bid, LOT), Reject.INSUFFICIENT_MARGIN);
    }

    /** Maker opens 1 lot short: equity after = margin - 2 (fee), IM = 1_000. */
    @Test
    void theMakersInitialMarginIsCheckedToTheUnitToo() {
        Desk ok = new Desk();
        Order ask = ok.posted(ok.bob, Side.SELL, 10_000, LOT, 1_002);
        Order bid = ok.posted(ok.alice, Side.BUY, 10_000, LOT, 100_000);
        ok.ok(ok.trade(ask, bid, LOT));

        Desk short1 = new Desk();
        Order ask1 = short1.posted(short1.bob, Side.SELL, 10_000, LOT, 1_001);
        Order bid1 = short1.posted(short1.alice, Side.BUY, 10_000, LOT, 100_000);
        short1.rejected(short1.trade(ask1, bid1, LOT), Reject.INSUFFICIENT_MARGIN);
    }

    // ---- reducing rule: a healthy position may reduce down to exactly maintenance ----

    /**
     * Alice opens 2 lots long at 10_000 with margin m (taker fee 10); the mark falls to 9_000:
     * equity m - 2_010, MM 900, healthy for m = 2_962 (excess 52). She sells 1 lot as maker at
     * 8_500 (fee ceil(1.7) = 2): equity after m - 2_512, MM 450. A healthy position's bar is 0
     * (not its excess before): m = 2_962 lands exactly on maintenance, 2_961 one unit under.
     */
    @Test
    void aHealthyPositionReducesToExactlyMaintenanceAndNotOneUnitBelow() {
        for (long margin : new long[] {2_962, 2_961}) {
            Desk d = twoLotsLong(margin);
            d.mark(9_000);
            Order close = d.posted(d.alice, Side.SELL, 8_500, LOT, 0);
            Order taker = d.posted(d.carol, Side.BUY, 8_500, LOT, 100_000);
            if (margin == 2_962) {
                d.ok(d.trade(close, taker, LOT));
                PositionLeaf p = d.position(d.alice);
                assertThat(p.quote() + p.size() / LOT * 9_000).as("equity after").isEqualTo(450);
            } else {
                d.rejected(d.trade(close, taker, LOT), Reject.INSUFFICIENT_MARGIN);
            }
        }
    }

    /**
     * Unhealthy: 2 lots long with margin 2_500, mark 8_945: excess before 2_500 - 20_010 + 17_890
     * - ceil(894.5) = -515. Selling 1 lot at 8_500 (fee 2) leaves excess 2_500 - 11_512 + 8_945 -
     * ceil(447.25) = -515: the shortfall did not grow, accepted. At mark 8_946 the same sale grows
     * the shortfall by one unit (-514 before, -515 after): refused.
     */
    @Test
    void anUnhealthyPositionReducesOnlyIfItsShortfallDoesNotGrowByEvenOneUnit() {
        for (long mark : new long[] {8_945, 8_946}) {
            Desk d = twoLotsLong(2_500);
            d.mark(mark);
            Order close = d.posted(d.alice, Side.SELL, 8_500, LOT, 0);
            Order taker = d.posted(d.carol, Side.BUY, 8_500, LOT, 100_000);
            if (mark == 8_945) {
                d.ok(d.trade(close, taker, LOT));
            } else {
                d.rejected(d.trade(close, taker, LOT), Reject.INSUFFICIENT_MARGIN);
            }
        }
    }

    private static Desk twoLotsLong(long margin) {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_000, 2 * LOT, 1_000_000);
        Order bid = d.posted(d.alice, Side.BUY, 10_000, 2 * LOT, margin);
        d.ok(d.trade(ask, bid, 2 * LOT));
        return d;
    }

    // ---- liquidatable: equity < MM, strictly ----

    /** 1 lot long opened with margin m (fee 5); at mark 9_000 equity = m - 1_005, MM = 450. */
    @Test
    void aPositionAtExactlyMaintenanceIsNotLiquidatableAndOneUnitBelowIs() {
        Desk safe = openLong(1_455);
        safe.mark(9_000);
        safe.rejected(new Liquidate(safe.alice.address(), Desk.MARKET), Reject.NOT_LIQUIDATABLE);

        Desk under = openLong(1_454);
        under.mark(9_000);
        under.ok(new Liquidate(under.alice.address(), Desk.MARKET));
        assertThat(under.position(under.alice).size()).isZero();
    }

    // ---- release: flat needs quote_after >= 0, open needs equity_after >= IM ----

    @Test
    void aFlatPositionReleasesDownToExactlyZero() {
        Desk d = new Desk();
        d.posted(d.alice, Side.BUY, 9_000, LOT, 700);  // rests: its margin sits in the flat position
        d.rejected(d.w.release(d.alice, Desk.MARKET, 701, 0), Reject.INSUFFICIENT_MARGIN);
        d.ok(d.w.release(d.alice, Desk.MARKET, 700, 0));
        assertThat(d.position(d.alice).quote()).isZero();
        assertThat(d.balance(d.alice).free()).isEqualTo(Desk.FUNDS);
    }

    /** 1 lot long with margin 2_005: equity 2_000 at 10_000, IM 1_000, so 1_000 may leave. */
    @Test
    void anOpenPositionReleasesDownToExactlyInitialMargin() {
        Desk d = openLong(2_005);
        d.rejected(d.w.release(d.alice, Desk.MARKET, 1_001, 0), Reject.INSUFFICIENT_MARGIN);
        d.ok(d.w.release(d.alice, Desk.MARKET, 1_000, 0));
        PositionLeaf p = d.position(d.alice);
        assertThat(p.quote() + p.size() / LOT * 10_000).isEqualTo(1_000);
    }

    // ---- the -2^63 sentinel ----

    @Test
    void aFundingIndexOfMinusTwoToThe63MakesEveryTouchOverflowUntilTheNextPrice() {
        Desk d = new Desk();
        d.posted(d.alice, Side.BUY, 9_000, LOT, 700);
        d.mark(10_000, Long.MIN_VALUE);
        d.rejected(d.w.release(d.alice, Desk.MARKET, 1, 0), Reject.OVERFLOW);
        d.rejected(new Liquidate(d.alice.address(), Desk.MARKET), Reject.OVERFLOW);
        d.mark(10_000, Long.MIN_VALUE + 1);  // one above the sentinel is a value: a flat position owes nothing
        d.ok(d.w.release(d.alice, Desk.MARKET, 1, 0));
        assertThat(d.position(d.alice).fundingIndex()).isEqualTo(Long.MIN_VALUE + 1);
    }

    // ---- lot and tick edges ----

    @Test
    void orderPricesAndSizesMustSitOnTheTickAndLot() {
        Desk d = new Desk();
        d.rejected(d.w.post(d.alice, d.order(d.alice, Side.BUY, 10_050, LOT, 0, 0)), Reject.PRICE_OFF_TICK);
        d.rejected(d.w.post(d.alice, d.order(d.alice, Side.BUY, 99, LOT, 0, 0)), Reject.PRICE_OFF_TICK);
        d.rejected(d.w.post(d.alice, d.order(d.alice, Side.BUY, 10_000, LOT + 1, 0, 0)), Reject.SIZE_OFF_LOT);
        d.rejected(d.w.post(d.alice, d.order(d.alice, Side.BUY, 10_000, LOT - 1, 0, 0)), Reject.SIZE_OFF_LOT);
        d.rejected(d.w.post(d.alice, d.order(d.alice, Side.BUY, 0, LOT, 0, 0)), Reject.BAD_ORDER_FIELDS);
        d.rejected(d.w.post(d.alice, d.order(d.alice, Side.BUY, 10_000, 0, 0, 0)), Reject.BAD_ORDER_FIELDS);
        d.rejected(d.w.post(d.alice, iceberg(d, 2 * LOT, LOT / 2)), Reject.SIZE_OFF_LOT);
        d.rejected(d.w.post(d.alice, iceberg(d, 2 * LOT, 3 * LOT)), Reject.BAD_ORDER_FIELDS);
        d.ok(d.w.post(d.alice, iceberg(d, 2 * LOT, 2 * LOT)));  // display == size is allowed
        d.ok(d.w.post(d.alice, d.order(d.alice, Side.BUY, 100, LOT, 0, 0)));  // one tick, one lot
    }

    private static Order iceberg(Desk d, long size, long display) {
        return new Order(d.alice.address(), Desk.MARKET, Side.BUY, 10_000, size, display, TimeInForce.GTC, 0, 0,
                size * 31 + display, 0);
    }

    @Test
    void fillSizesMustBePositiveWholeLots() {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_000, 3 * LOT, 100_000);
        Order bid = d.posted(d.alice, Side.BUY, 10_000, 3 * LOT, 100_000);
        for (long size : new long[] {0, -LOT, LOT - 1, LOT + 1, 1}) {
            d.rejected(d.trade(ask, bid, size), Reject.SIZE_OFF_LOT);
        }
        d.ok(d.trade(ask, bid, LOT));
    }

    // ---- crossing and expiry edges ----

    @Test
    void aTakerLimitEqualToTheMakersPriceCrossesAndOneTickShortDoesNot() {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_000, 2 * LOT, 100_000);
        Order lowBid = d.posted(d.alice, Side.BUY, 9_900, LOT, 100_000);
        Order bid = d.posted(d.alice, Side.BUY, 10_000, LOT, 100_000);
        d.rejected(d.trade(ask, lowBid, LOT), Reject.NOT_CROSSING);
        d.ok(d.trade(ask, bid, LOT));

        Order bidMaker = d.posted(d.carol, Side.BUY, 10_000, 2 * LOT, 100_000);
        Order highAsk = d.posted(d.bob, Side.SELL, 10_100, LOT, 100_000);
        Order sell = d.posted(d.bob, Side.SELL, 10_000, LOT, 100_000);
        d.rejected(d.trade(bidMaker, highAsk, LOT), Reject.NOT_CROSSING);
        d.ok(d.trade(bidMaker, sell, LOT));
    }

    @Test
    void anOrderIsLiveUpToAndIncludingItsExpiryTime() {
        Desk d = new Desk();
        long expiry = d.oracleTs() + 1;
        Order ask = d.posted(d.bob, d.order(d.bob, Side.SELL, 10_000, 3 * LOT, 100_000, expiry));
        Order bid = d.posted(d.alice, Side.BUY, 10_000, 3 * LOT, 100_000);
        d.mark(10_000);  // oracle time == expiry: still live
        assertThat(d.oracleTs()).isEqualTo(expiry);
        d.ok(d.trade(ask, bid, LOT));
        d.mark(10_000);  // one second past
        d.rejected(d.trade(ask, bid, LOT), Reject.EXPIRED);
        d.rejected(d.w.post(d.carol, d.order(d.carol, Side.SELL, 10_000, LOT, 0, expiry)), Reject.EXPIRED);
    }

    private static Desk openLong(long margin) {
        Desk d = new Desk();
        Order ask = d.posted(d.bob, Side.SELL, 10_000, LOT, 1_000_000);
        Order bid = d.posted(d.alice, Side.BUY, 10_000, LOT, margin);
        d.ok(d.trade(ask, bid, LOT));
        return d;
    }
}
