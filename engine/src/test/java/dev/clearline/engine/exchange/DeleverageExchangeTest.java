package dev.clearline.engine.exchange;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The exchange's deleverage policy, case by case (docs/protocol.md section 5, "Deleverage policy").
 * One market: tick 100, lot 1,000, initial margin 10 %, maintenance 5 %, maker fee 2 bp, taker fee
 * 5 bp; 10 lots at 10,000 are 100,000 of notional.
 */
class DeleverageExchangeTest {
    private final Desk d = new Desk();

    /** A buys 10 lots at 10,000 from {@code seller} with just its initial margin (10,100: 10,000 + 50 taker fee). */
    private Signer thinLongAgainst(Signer seller, long sellerMargin) {
        Signer a = d.trader(1, 20_000);
        d.place(d.gtc(seller, Side.SELL, 10_000, 10, sellerMargin));
        d.place(d.gtc(a, Side.BUY, 10_000, 10, 10_100));
        return a;
    }

    private void liquidate(Signer s) {
        Desk.ok(d.ex.apply(new Transition.Liquidate(s.address(), Desk.MARKET)));
    }

    private List<ExchangeEvent.Deleveraged> deleveraged() {
        return d.events().stream().filter(e -> e instanceof ExchangeEvent.Deleveraged).map(e -> (ExchangeEvent.Deleveraged) e).toList();
    }

    private PositionLeaf fund() {
        return StateReads.position(d.ex.state(), Address.INSURANCE_FUND, Desk.MARKET);
    }

    private long positionLots(Signer s) {
        return StateReads.position(d.ex.state(), s.address(), Desk.MARKET).size() / LOT;
    }

    /** Thin long A, its seller B and the other short C, as {@link #twoShorts} leaves them. */
    private record TwoShorts(Signer a, Signer b, Signer c) {}

    /** A's thin long of 10 lots bought from B (60,000 of margin: lower leverage); C short as much (15,000: same profit, higher leverage) to W, a healthy long. */
    private TwoShorts twoShorts() {
        Signer b = d.trader(2, 1_000_000);
        Signer c = d.trader(3, 1_000_000);
        Signer w = d.trader(4, 1_000_000);
        Signer a = thinLongAgainst(b, 60_000);
        d.place(d.gtc(c, Side.SELL, 10_000, 10, 15_000));
        d.place(d.gtc(w, Side.BUY, 10_000, 10, 60_000));
        return new TwoShorts(a, b, c);
    }

    @Test
    void theMostProfitableMostLeveragedOppositePositionTakesTheBadDebt() {
        TwoShorts t = twoShorts();
        Signer a = t.a(), b = t.b(), c = t.c();
        d.oracle(8_500, d.ts + 1);          // A: -89,950 + 85,000 = -4,950, bankrupt
        d.events();
        liquidate(a);

        List<ExchangeEvent.Deleveraged> dl = deleveraged();
        assertThat(dl).hasSize(1);
        assertThat(dl.get(0).counterparty()).isEqualTo(c.address());
        assertThat(dl.get(0).rank()).isEqualTo(1);
        assertThat(dl.get(0).size()).isEqualTo(10 * LOT);
        assertThat(dl.get(0).price()).as("the fund's bankruptcy price: 89,950 / 10").isEqualTo(8_995);
        assertThat(fund().size()).isZero();
        assertThat(fund().quote()).isNotNegative();
        assertThat(positionLots(c)).isZero();
        assertThat(positionLots(b)).isEqualTo(-10);
        assertThat(d.ex.insuranceShortfall()).isZero();
        assertThat(d.ex.takeTransitions()).contains(new Transition.Deleverage(Desk.MARKET, c.address(), 10 * LOT));
    }

    @Test
    void aTakeProfitWhosePositionTheDeleverageClosedLeavesInThatCommand() {
        TwoShorts t = twoShorts();
        Signer a = t.a(), c = t.c();
        // C, the first to be deleveraged, rests a take-profit of its whole short below the market
        long tp = d.place(d.verified(d.order(c, Side.BUY, 7_000, 10, 0, TimeInForce.GTC, dev.clearline.engine.order.Order.REDUCE_ONLY, 0, 0)));
        d.oracle(8_500, d.ts + 1);
        d.events();
        liquidate(a);

        List<ExchangeEvent> events = d.events();
        assertThat(positionLots(c)).isZero();
        int cut = indexOf(events, e -> e instanceof ExchangeEvent.Deleveraged dl && dl.counterparty().equals(c.address()));
        int left = indexOf(events, e -> e instanceof ExchangeEvent.Cancelled x && x.orderId() == tp);
        assertThat(cut).as("C was deleveraged").isNotNegative();
        assertThat(left).as("its take-profit leaves right after, not at the next taker").isGreaterThan(cut);
        assertThat(((ExchangeEvent.Cancelled) events.get(left)).why()).isEqualTo(ExchangeEvent.Why.POSITION_CLOSED);
        assertThat(d.book().isResting(tp)).isFalse();
        assertThat(d.ex.liveOrder(tp)).isNull();
    }

    @Test
    void aTakeProfitLargerThanWhatTheDeleverageLeftIsTrimmedToItAndKeepsItsPlace() {
        Signer s = d.trader(2, 1_000_000);
        Signer x = thinLongAgainst(s, 60_000);
        Signer later = d.trader(5, 1_000_000);
        Signer seller = d.trader(6, 1_000_000);
        long priority = StateReads.global(d.ex.state()).priorityOpsConsumed();
        Desk.ok(d.ex.apply(new Transition.MarketConfig(priority, 0, Desk.MARKET, World.TICK, LOT, World.IMF, World.MMF,
                World.MAKER_FEE, World.TAKER_FEE, 50_000, d.w.oracle.address())));
        // S rests a take-profit of its whole short at 8,000, and another trader's bid behind it at the same price
        long tp = d.place(d.verified(d.order(s, Side.BUY, 8_000, 10, 0, TimeInForce.GTC, dev.clearline.engine.order.Order.REDUCE_ONLY, 0, 0)));
        d.place(d.gtc(later, Side.BUY, 8_000, 1, 10_000));
        d.oracle(9_450, d.ts + 1);
        liquidate(x);
        d.events();
        d.oracle(8_900, d.ts + 1);          // 2 of S's 10 lots are deleveraged (as in the test above)
        List<ExchangeEvent> events = d.events();
        assertThat(positionLots(s)).isEqualTo(-8);
        assertThat(events).filteredOn(e -> e instanceof ExchangeEvent.Trimmed t && t.orderId() == tp).singleElement()
                .satisfies(e -> {
                    ExchangeEvent.Trimmed t = (ExchangeEvent.Trimmed) e;
                    assertThat(t.removed()).isEqualTo(2 * LOT);
                    assertThat(t.openSize()).isEqualTo(8 * LOT);
                });
        assertThat(d.book().openLots(tp)).isEqualTo(8);
        // its place: a seller of 1 lot at 8,000 meets the take-profit before the bid that came after it
        d.place(d.verified(d.order(seller, Side.SELL, 8_000, 1, 10_000, TimeInForce.IOC, 0, 0, 0)));
        assertThat(d.events()).filteredOn(e -> e instanceof ExchangeEvent.Filled).singleElement()
                .satisfies(e -> assertThat(((ExchangeEvent.Filled) e).makerOrderId()).isEqualTo(tp));
    }

    private static int indexOf(List<ExchangeEvent> events, java.util.function.Predicate<ExchangeEvent> p) {
        for (int i = 0; i < events.size(); i++) if (p.test(events.get(i))) return i;
        return -1;
    }

    @Test
    void theFundsFeesCarryBadDebtAndOnlyTheShortfallIsDeleveraged() {
        Signer s = d.trader(2, 1_000_000);
        Signer x = thinLongAgainst(s, 60_000);
        // a 5 % liquidation fee (the last priority op of this test): the fund's free balance is what it can lose before anyone is deleveraged
        long priority = StateReads.global(d.ex.state()).priorityOpsConsumed();
        Desk.ok(d.ex.apply(new Transition.MarketConfig(priority, 0, Desk.MARKET, World.TICK, LOT, World.IMF, World.MMF,
                World.MAKER_FEE, World.TAKER_FEE, 50_000, d.w.oracle.address())));
        d.oracle(9_450, d.ts + 1);          // X: equity 4,550 under maintenance 4,725; the fee takes all of it
        liquidate(x);
        assertThat(StateReads.balance(d.ex.state(), Address.INSURANCE_FUND).free()).isEqualTo(4_550);
        d.oracle(9_100, d.ts + 1);          // the fund's position: -3,500, its fees cover it
        assertThat(deleveraged()).isEmpty();
        assertThat(fund().size()).isEqualTo(10 * LOT);

        d.oracle(8_900, d.ts + 1);          // -5,500 against 4,550 of fees: 950 short, 2 of 10 lots carry it
        List<ExchangeEvent.Deleveraged> dl = deleveraged();
        assertThat(dl).extracting(ExchangeEvent.Deleveraged::counterparty, ExchangeEvent.Deleveraged::size,
                ExchangeEvent.Deleveraged::price).containsExactly(org.assertj.core.groups.Tuple.tuple(s.address(), 2 * LOT, 9_450L));
        assertThat(fund().size()).isEqualTo(8 * LOT);
        assertThat(d.ex.insuranceShortfall()).isZero();
    }

    @Test
    void equalBadDebtsAreDeleveragedInTheLowerMarketIdFirstCountingIdsAsUnsigned() {
        // market ids are uint32: 0x80000001 is above 1 although Java reads it as a negative int
        int high = 0x8000_0001;
        Desk.ok(d.ex.apply(d.w.market(high)));
        long clock = d.ts;
        Desk.ok(d.ex.apply(d.w.price(high, 10_000, 0, clock)));
        Signer s1 = d.trader(2, 1_000_000);
        Signer x1 = d.trader(3, 20_000);
        Signer sh = d.trader(4, 1_000_000);
        Signer xh = d.trader(5, 20_000);
        long priority = StateReads.global(d.ex.state()).priorityOpsConsumed();
        for (int market : new int[] {Desk.MARKET, high}) {  // a 5 % liquidation fee in both (the test's last priority ops)
            Desk.ok(d.ex.apply(new Transition.MarketConfig(priority++, 0, market, World.TICK, LOT, World.IMF, World.MMF,
                    World.MAKER_FEE, World.TAKER_FEE, 50_000, d.w.oracle.address())));
        }
        // the same thin long in both markets, liquidated at 9,450 with its whole equity (4,550) going to the fund as the fee
        for (int market : new int[] {Desk.MARKET, high}) {
            Signer seller = market == high ? sh : s1;
            Signer buyer = market == high ? xh : x1;
            d.place(d.verified(in(market, d.order(seller, Side.SELL, 10_000, 10, 60_000, TimeInForce.GTC, 0, 0, 0))));
            d.place(d.verified(in(market, d.order(buyer, Side.BUY, 10_000, 10, 10_100, TimeInForce.GTC, 0, 0, 0))));
        }
        clock++;
        for (int market : new int[] {Desk.MARKET, high}) Desk.ok(d.ex.apply(d.w.price(market, 9_450, 0, clock)));
        Desk.ok(d.ex.apply(new Transition.Liquidate(x1.address(), Desk.MARKET)));
        Desk.ok(d.ex.apply(new Transition.Liquidate(xh.address(), high)));
        assertThat(StateReads.balance(d.ex.state(), Address.INSURANCE_FUND).free()).isEqualTo(9_100);
        clock++;
        Desk.ok(d.ex.apply(d.w.price(Desk.MARKET, 8_900, 0, clock)));  // -5,500 in market 1, carried by the fees
        assertThat(deleveraged()).isEmpty();

        Desk.ok(d.ex.apply(d.w.price(high, 8_900, 0, clock)));  // -5,500 in both: 1,900 short, one market's 4 lots carry it
        assertThat(deleveraged()).extracting(ExchangeEvent.Deleveraged::marketId, ExchangeEvent.Deleveraged::counterparty,
                ExchangeEvent.Deleveraged::size).containsExactly(org.assertj.core.groups.Tuple.tuple(Desk.MARKET, s1.address(), 4 * LOT));
        assertThat(d.ex.insuranceShortfall()).isZero();

        // the image lists the markets in the same (unsigned) order and reads back
        d.events();
        d.ex.takeTransitions();
        byte[] img = ExchangeImageProperties.image(d.ex);
        Exchange back = ExchangeImageProperties.restore(img, d.w, new MarketBooks(1 << 16, 1 << 30, 1 << 12));
        assertThat(ExchangeImageProperties.image(back)).isEqualTo(img);
    }

    /** The same order in another market. */
    private static dev.clearline.engine.order.Order in(int market, dev.clearline.engine.order.Order o) {
        return new dev.clearline.engine.order.Order(o.trader(), market, o.side(), o.price(), o.size(), o.displaySize(), o.timeInForce(),
                o.flags(), o.peg(), o.pegOffset(), o.expiry(), o.nonce(), o.margin());
    }

    @Test
    void aCounterpartyGivesWhatItsMaintenanceMarginAllowsAndTheNextRankedTakesTheRest() {
        Signer b = d.trader(2, 1_000_000);  // short from 10,000 with 300,000 of margin: large profit, low leverage
        Signer c = d.trader(3, 1_000_000);  // short from 7,000 at its initial margin: small profit, high leverage
        Signer w = d.trader(4, 1_000_000);
        Signer a = thinLongAgainst(b, 300_000);
        d.oracle(7_000, d.ts + 1);
        d.place(d.gtc(c, Side.SELL, 7_000, 10, 7_100));
        d.place(d.gtc(w, Side.BUY, 7_000, 10, 50_000));
        d.oracle(6_900, d.ts + 1);          // A: -20,950; bankruptcy price 8,995, 2,095 a lot above the mark
        d.events();
        liquidate(a);

        List<ExchangeEvent.Deleveraged> dl = deleveraged();
        assertThat(dl).extracting(ExchangeEvent.Deleveraged::counterparty, ExchangeEvent.Deleveraged::size, ExchangeEvent.Deleveraged::rank)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(c.address(), 2 * LOT, 1),
                        org.assertj.core.groups.Tuple.tuple(b.address(), 8 * LOT, 2));
        assertThat(positionLots(c)).as("3 lots would put C under maintenance").isEqualTo(-8);
        assertThat(positionLots(b)).isEqualTo(-2);
        assertThat(fund().size()).isZero();
    }

    @Test
    void whatNoOppositePositionCanTakeIsReportedThenMadeGood() {
        Signer b = d.trader(2, 1_000_000);
        Signer c = d.trader(3, 1_000_000);
        Signer w = d.trader(4, 1_000_000);
        Signer a = thinLongAgainst(b, 300_000);
        d.oracle(7_000, d.ts + 1);
        d.place(d.gtc(c, Side.SELL, 7_000, 10, 7_100));
        d.place(d.gtc(w, Side.BUY, 7_000, 10, 50_000));
        // B closes against W: the only short left is C, thin
        d.place(d.gtc(w, Side.SELL, 7_000, 10, 0));
        d.place(d.gtc(b, Side.BUY, 7_000, 10, 0));
        assertThat(positionLots(b)).isZero();
        d.oracle(6_900, d.ts + 1);
        d.events();
        liquidate(a);

        List<ExchangeEvent> events = d.events();
        assertThat(events).filteredOn(e -> e instanceof ExchangeEvent.Deleveraged)
                .extracting(e -> ((ExchangeEvent.Deleveraged) e).size()).containsExactly(2 * LOT);
        long shortfall = d.ex.insuranceShortfall();
        assertThat(shortfall).as("8 lots of bad debt left, 20,950 * 8 / 10").isEqualTo(16_760);
        assertThat(events).filteredOn(e -> e instanceof ExchangeEvent.InsuranceShortfall)
                .extracting(e -> ((ExchangeEvent.InsuranceShortfall) e).amount()).containsExactly(shortfall);

        Signer v = d.trader(5, 1_000_000);  // a well-funded short arrives: the fill that opens it retries the shortfall
        Signer u = d.trader(6, 1_000_000);
        d.place(d.gtc(v, Side.SELL, 6_900, 10, 200_000));
        d.events();
        d.place(d.gtc(u, Side.BUY, 6_900, 10, 200_000));
        events = d.events();
        assertThat(events).filteredOn(e -> e instanceof ExchangeEvent.Deleveraged)
                .extracting(e -> ((ExchangeEvent.Deleveraged) e).counterparty(), e -> ((ExchangeEvent.Deleveraged) e).size())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(v.address(), 8 * LOT));
        assertThat(events).filteredOn(e -> e instanceof ExchangeEvent.InsuranceShortfall)
                .extracting(e -> ((ExchangeEvent.InsuranceShortfall) e).amount()).containsExactly(0L);
        assertThat(d.ex.insuranceShortfall()).isZero();
        assertThat(fund().size()).isZero();
    }

    @Test
    void aLiquidationWithoutBadDebtDeleveragesNobody() {
        Signer b = d.trader(2, 1_000_000);
        Signer a = thinLongAgainst(b, 60_000);
        d.oracle(9_500, d.ts + 1);          // A: 5,050 of equity under 4,750 of maintenance? no: 5,050 >= 4,750
        d.oracle(9_450, d.ts + 1);          // 4,550 < 4,725: liquidatable, not bankrupt
        liquidate(a);
        assertThat(deleveraged()).isEmpty();
        assertThat(fund().size()).isEqualTo(10 * LOT);
        assertThat(d.ex.insuranceShortfall()).isZero();
    }

    @Test
    void nobodyOutsideChoosesTheCounterparty() {
        Signer b = d.trader(2, 1_000_000);
        assertThatThrownBy(() -> d.ex.apply(new Transition.Deleverage(Desk.MARKET, b.address(), LOT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("policy");
    }
}
