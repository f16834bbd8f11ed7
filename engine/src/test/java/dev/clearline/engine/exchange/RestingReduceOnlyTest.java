package dev.clearline.engine.exchange;

import dev.clearline.engine.book.RejectReason;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import java.util.List;
import org.junit.jupiter.api.Test;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reduce-only order that rests (a take-profit): it reserves no margin, fills as a maker, never fills past what its
 * owner's position holds when it meets a taker (the position may have shrunk since it rested), leaves once that fill
 * closed the position, and leaves unfilled when the position is already gone. Alice is long 5 lots; Bob's 5 lots rest
 * at 10,000.
 */
class RestingReduceOnlyTest extends AliceLongFive {
    @Test
    void itRestsAndClosesThePositionAsAMaker() {
        Order tp = order(alice, Side.SELL, 11_000, 5 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        long id = placed(alice, tp);
        assertThat((ex.liveOrder(id) != null)).as("a reduce-only GTC order rests").isTrue();
        assertThat(submit(carol, order(carol, Side.BUY, 11_000, 10 * LOT, 50_000, TimeInForce.IOC, 0))).isNull();
        List<ExchangeEvent> events = ex.takeEvents();
        assertThat(makerFilled(events, id)).isEqualTo(5 * LOT);
        assertThat(position(alice)).isZero();
        assertThat((ex.liveOrder(id) != null)).isFalse();
    }

    @Test
    void aPositionThatShrankTrimsItInPlaceAndItKeepsItsPlace() {
        Order tp = order(alice, Side.SELL, 9_500, 5 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        long id = placed(alice, tp);
        Order behind = order(bob, Side.SELL, 9_500, LOT, 10_000, TimeInForce.GTC, 0);
        long behindId = placed(bob, behind);
        // Alice sells 3 of her 5 lots: the take-profit's 3 lots past what she holds are cut in that command
        assertThat(submit(carol, order(carol, Side.BUY, 9_000, 3 * LOT, 50_000, TimeInForce.GTC, 0))).isNull();
        assertThat(submit(alice, order(alice, Side.SELL, 9_000, 3 * LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY))).isNull();
        List<ExchangeEvent> events = ex.takeEvents();
        assertThat(events).filteredOn(e -> e instanceof ExchangeEvent.Trimmed t && t.orderId() == id).singleElement()
                .isEqualTo(new ExchangeEvent.Trimmed(((ExchangeEvent.Trimmed) events.stream()
                        .filter(e -> e instanceof ExchangeEvent.Trimmed).findFirst().orElseThrow()).seq(), id, 3 * LOT, 2 * LOT));
        assertThat(ex.book(1).openLots(id)).isEqualTo(2);
        assertThat(ex.liveOrder(id)).as("the signed order stays the same").isEqualTo(tp);
        // a buyer of 1 lot at 9,500 meets the take-profit first: the cut kept its time priority
        assertThat(submit(carol, order(carol, Side.BUY, 9_500, LOT, 50_000, TimeInForce.IOC, 0))).isNull();
        List<ExchangeEvent> lifted = ex.takeEvents();
        assertThat(makerFilled(lifted, id)).isEqualTo(LOT);
        assertThat(makerFilled(lifted, behindId)).isZero();
        assertThat(ex.book(1).openLots(id)).as("1 lot held, 1 lot open: nothing more to trim").isEqualTo(1);
        assertThat(lifted).noneMatch(e -> e instanceof ExchangeEvent.Trimmed);
    }

    @Test
    void twoTakeProfitsMetInOneSweepFillNoMoreThanThePositionHolds() {
        // each fits the position alone; together they offer 8 lots of Alice's 5
        Order near = order(alice, Side.SELL, 9_500, 3 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        Order far = order(alice, Side.SELL, 9_600, 5 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        long nearId = placed(alice, near);
        long farId = placed(alice, far);
        // Carol takes both: 3 from the near one (Alice holds 2 then), the far one gives 2 and leaves with its rest
        assertThat(submit(carol, order(carol, Side.BUY, 9_600, 8 * LOT, 50_000, TimeInForce.IOC, 0))).isNull();
        List<ExchangeEvent> events = ex.takeEvents();
        assertThat(makerFilled(events, nearId)).isEqualTo(3 * LOT);
        assertThat(makerFilled(events, farId)).isEqualTo(2 * LOT);
        assertThat(cancelled(events, farId)).singleElement().satisfies(c -> {
            assertThat(c.why()).isEqualTo(ExchangeEvent.Why.POSITION_CLOSED);
            assertThat(c.remaining()).isEqualTo(3 * LOT);
        });
        assertThat(events).noneMatch(e -> e instanceof ExchangeEvent.FillRefused);
        assertThat(position(alice)).as("closed, never flipped").isZero();
        assertThat(ex.liveOrder(farId)).isNull();
    }

    @Test
    void aPositionClosedOrTurnedByAnotherFillTakesItOffTheBookAtOnce() {
        Order tp = order(alice, Side.SELL, 9_500, 5 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        long id = placed(alice, tp);
        closeThree();
        assertThat(ex.liveOrder(id)).as("a position that only shrank keeps it (trimmed to 2 lots)").isEqualTo(tp);
        // Alice sells her last 2 lots and 1 more into Carol's bid: short 1, so the sell take-profit has nothing to reduce
        assertThat(submit(carol, order(carol, Side.BUY, 9_000, 3 * LOT, 50_000, TimeInForce.GTC, 0))).isNull();
        assertThat(submit(alice, order(alice, Side.SELL, 9_000, 3 * LOT, 10_000, TimeInForce.IOC, 0))).isNull();
        assertThat(position(alice)).isEqualTo(-LOT);
        List<ExchangeEvent> events = ex.takeEvents();
        assertThat(cancelled(events, id)).singleElement().satisfies(c -> {
            assertThat(c.why()).isEqualTo(ExchangeEvent.Why.POSITION_CLOSED);
            assertThat(c.remaining()).as("what was left after the trim").isEqualTo(2 * LOT);
        });
        assertThat(ex.liveOrder(id)).isNull();
        // a buy take-profit of the short, then the short closed as a maker: it leaves in that same command
        Order back = order(alice, Side.BUY, 9_400, LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        long backId = placed(alice, back);
        Order close = order(alice, Side.BUY, 9_800, LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY | Order.POST_ONLY);
        assertThat(submit(alice, close)).isNull();
        ex.takeEvents();
        assertThat(submit(carol, order(carol, Side.SELL, 9_800, LOT, 50_000, TimeInForce.IOC, 0))).isNull();
        assertThat(position(alice)).isZero();
        assertThat(cancelled(ex.takeEvents(), backId)).singleElement()
                .satisfies(c -> assertThat(c.why()).isEqualTo(ExchangeEvent.Why.POSITION_CLOSED));
        assertThat(ex.liveOrder(backId)).isNull();
    }

    @Test
    void anExchangeRestoredFromItsImageTidiesTakeProfitsAsTheOriginal() {
        Order tp = order(alice, Side.SELL, 9_500, 5 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        long id = placed(alice, tp);
        ex.takeTransitions();
        Exchange back = ExchangeImageProperties.restore(ExchangeImageProperties.image(ex), w, new MarketBooks(1 << 16, 1 << 30, 1 << 12));
        Order bid = order(carol, Side.BUY, 9_000, 5 * LOT, 50_000, TimeInForce.GTC, 0);
        Order close = order(alice, Side.SELL, 9_000, 5 * LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY);
        for (Exchange x : List.of(ex, back)) {
            assertThat(x.submit(verified(carol, bid))).isNull();
            assertThat(x.submit(verified(alice, close))).isNull();
        }
        List<ExchangeEvent> original = ex.takeEvents();
        assertThat(cancelled(original, id)).singleElement().satisfies(c -> assertThat(c.why()).isEqualTo(ExchangeEvent.Why.POSITION_CLOSED));
        assertThat(back.takeEvents()).as("the restored exchange knows its take-profits").isEqualTo(original);
        assertThat(back.liveOrder(id)).isNull();
    }

    @Test
    void oneWhosePositionWentWithoutAFillLeavesUnfilledAtTheNextTaker() {
        // the exchange tidies take-profits after every fill and deleverage (DeleverageExchangeTest); a position moved
        // with no word to the exchange is still caught by the Trade rule at the next fill: the mirror's position set to zero here
        Order tp = order(alice, Side.SELL, 9_500, 5 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        long id = placed(alice, tp);
        var key = dev.clearline.engine.state.StateKeys.position(alice.address(), 1);
        var p = StateReads.position(ex.state(), alice.address(), 1);
        ex.state().putAll(List.of(new dev.clearline.engine.stf.LeafStore.Write(key.toArray(),
                new dev.clearline.engine.state.PositionLeaf(0, p.quote(), p.fundingIndex()).encode())));
        assertThat(submit(carol, order(carol, Side.BUY, 10_000, 3 * LOT, 50_000, TimeInForce.IOC, 0))).isNull();
        List<ExchangeEvent> events = ex.takeEvents();
        assertThat(makerFilled(events, id)).isZero();
        assertThat(cancelled(events, id)).singleElement().satisfies(c -> {
            assertThat(c.why()).isEqualTo(ExchangeEvent.Why.REFUSED);
            assertThat(c.reason()).isEqualTo(Reject.REDUCE_ONLY_WOULD_INCREASE);
        });
        assertThat(events).as("the taker went on to Bob's ask").anyMatch(e -> e instanceof ExchangeEvent.Filled f && f.size() == 3 * LOT);
    }

    @Test
    void aFillOrKillItWouldLeaveShortIsRefusedAndNothingMoves() {
        Order near = order(alice, Side.SELL, 9_500, 3 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        Order far = order(alice, Side.SELL, 9_500, 5 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        long nearId = placed(alice, near);
        long farId = placed(alice, far);
        // 8 lots rest at 9,500 as the book sees them, but Alice holds 5: a FOK for 8 at 9,500 finds 5
        Order fok = order(carol, Side.BUY, 9_500, 8 * LOT, 50_000, TimeInForce.FOK, 0);
        assertThat(submit(carol, fok)).isEqualTo(Reject.BOOK_REJECTED);
        List<ExchangeEvent> events = ex.takeEvents();
        assertThat(events).anyMatch(e -> e instanceof ExchangeEvent.Rejected r && r.bookReason() == RejectReason.FILL_OR_KILL_NOT_FILLABLE);
        assertThat(events).noneMatch(e -> e instanceof ExchangeEvent.Filled);
        assertThat(ex.liveOrder(nearId)).as("the take-profits stay").isEqualTo(near);
        assertThat(ex.liveOrder(farId)).isEqualTo(far);
        assertThat(position(alice)).isEqualTo(5 * LOT);
        Order fits = order(carol, Side.BUY, 9_500, 5 * LOT, 50_000, TimeInForce.FOK, 0);
        assertThat(submit(carol, fits)).as("a FOK within what Alice holds fills").isNull();
        events = ex.takeEvents();
        assertThat(makerFilled(events, nearId) + makerFilled(events, farId)).isEqualTo(5 * LOT);
        assertThat(position(alice)).isZero();
    }

    @Test
    void oneLargerThanThePositionIsRefusedToRestAndAnAmendCannotGrowItPastIt() {
        // its lots past the position could never fill, yet would read as open while it rests: refused, not clipped
        assertThat(submit(alice, order(alice, Side.SELL, 11_000, 6 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY)))
                .isEqualTo(Reject.REDUCE_ONLY_WOULD_INCREASE);
        assertThat(submit(alice, order(alice, Side.BUY, 9_000, LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY)))
                .as("on the side that grows the position").isEqualTo(Reject.REDUCE_ONLY_WOULD_INCREASE);
        Order tp = order(alice, Side.SELL, 11_000, 3 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        long id = placed(alice, tp);
        Order larger = order(alice, Side.SELL, 11_000, 6 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        assertThat(ex.amend(cancelOf(alice, tp), verified(alice, larger))).isEqualTo(Reject.REDUCE_ONLY_WOULD_INCREASE);
        assertThat(ex.liveOrder(id)).as("a refused amend leaves the order as it was").isEqualTo(tp);
        Order whole = order(alice, Side.SELL, 10_500, 5 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        assertThat(ex.amend(cancelOf(alice, tp), verified(alice, whole))).isNull();
        assertThat(ex.liveOrder(id)).isEqualTo(whole);
    }

    @Test
    void aFillOrKillTheCapWouldTakePastTheFillLimitIsRefused() {
        closeThree();
        // Alice holds 2: take-profits of 1 and of 2, which together offer 3
        Order near = order(alice, Side.SELL, 9_500, LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        Order far = order(alice, Side.SELL, 9_500, 2 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY);
        long nearId = placed(alice, near);
        long farId = placed(alice, far);
        int ones = Exchange.MAX_FILLS_PER_ORDER - 2;
        for (int i = 0; i < ones; i++) assertThat(submit(bob, order(bob, Side.SELL, 9_600, LOT, 2_000, TimeInForce.GTC, 0))).isNull();
        assertThat(submit(bob, order(bob, Side.SELL, 9_600, 5 * LOT, 10_000, TimeInForce.GTC, 0))).isNull();
        ex.takeEvents();
        // 401 lots at 9,600 or better: as the book sees them, the take-profits' 1 and 2 and 398 single lots (400 fills, the
        // most); as the position allows, 1 and 1 and 398 and 1 of the 5 make 401 lots in 401 fills: past the limit, so refused whole
        Order fok = order(carol, Side.BUY, 9_600, (ones + 3) * LOT, 800_000, TimeInForce.FOK, 0);
        assertThat(submit(carol, fok)).isEqualTo(Reject.BOOK_REJECTED);
        List<ExchangeEvent> events = ex.takeEvents();
        assertThat(events).noneMatch(e -> e instanceof ExchangeEvent.Filled);
        assertThat(ex.liveOrder(farId)).as("the take-profits stay").isEqualTo(far);
        assertThat(position(alice)).isEqualTo(2 * LOT);
        // one lot fewer fits in the limit exactly (the take-profits' 1 and 1 and the 398): it fills whole
        Order fits = order(carol, Side.BUY, 9_600, (ones + 2) * LOT, 800_000, TimeInForce.FOK, 0);
        assertThat(submit(carol, fits)).isNull();
        events = ex.takeEvents();
        assertThat(events.stream().filter(e -> e instanceof ExchangeEvent.Filled).count()).isEqualTo(Exchange.MAX_FILLS_PER_ORDER);
        assertThat(makerFilled(events, nearId) + makerFilled(events, farId)).isEqualTo(2 * LOT);
        assertThat(position(alice)).isZero();
    }

    /** Alice sells 3 of her 5 lots to Carol's bid at 9,000. */
    private void closeThree() {
        assertThat(submit(carol, order(carol, Side.BUY, 9_000, 3 * LOT, 50_000, TimeInForce.GTC, 0))).isNull();
        assertThat(submit(alice, order(alice, Side.SELL, 9_000, 3 * LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY))).isNull();
        assertThat(position(alice)).isEqualTo(2 * LOT);
        ex.takeEvents();
    }

    private static long makerFilled(List<ExchangeEvent> events, long id) {
        return events.stream().filter(e -> e instanceof ExchangeEvent.Filled f && f.makerOrderId() == id)
                .mapToLong(e -> ((ExchangeEvent.Filled) e).size()).sum();
    }

    private VerifiedCancel cancelOf(Signer s, Order o) {
        return new VerifiedCancel(s.address(), w.domain.orderDigest(o), new dev.clearline.engine.order.Signature(new byte[65]));
    }
}
