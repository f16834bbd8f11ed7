package dev.clearline.engine.book;

import static dev.clearline.engine.book.Side.BUY;
import static dev.clearline.engine.book.Side.SELL;
import static dev.clearline.engine.book.TimeInForce.FOK;
import static dev.clearline.engine.book.TimeInForce.GTC;
import static dev.clearline.engine.book.TimeInForce.IOC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.book.BookEvent.Accepted;
import dev.clearline.engine.book.BookEvent.Amended;
import dev.clearline.engine.book.BookEvent.Cancelled;
import dev.clearline.engine.book.BookEvent.Expired;
import dev.clearline.engine.book.BookEvent.Filled;
import dev.clearline.engine.book.BookEvent.Rejected;
import dev.clearline.engine.book.BookEvent.Rested;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scenarios for each order type and rule; expected fills are worked out by hand from the rules. */
class OrderBookTest {
    private static final long NOW = 1_000;
    private static final long NEVER = OrderBook.NEVER_EXPIRES;

    private final OrderBook book = new OrderBook(BookConfig.of(1_000, 1_000, 8));
    private final BookEventLog log = new BookEventLog();

    private void gtc(long id, long owner, Side side, long price, long size) {
        book.place(id, owner, side, price, size, GTC, NOW, log);
    }

    /** The events since the last call, with sequence numbers zeroed so scenarios read as values. */
    private List<BookEvent> drain() {
        List<BookEvent> out = new ArrayList<>();
        for (BookEvent e : log.events()) {
            out.add(switch (e) {
                case Accepted a -> new Accepted(0, a.orderId(), a.ownerId(), a.side(), a.priceTicks(), a.sizeLots());
                case Rejected r -> new Rejected(0, r.orderId(), r.ownerId(), r.reason());
                case Filled f -> new Filled(0, f.makerOrderId(), f.makerOwnerId(), f.takerOrderId(), f.takerOwnerId(),
                        f.takerSide(), f.priceTicks(), f.lots(), f.makerRemainingLots(), f.takerRemainingLots());
                case Rested r -> new Rested(0, r.orderId(), r.priceTicks(), r.restingLots());
                case Cancelled c -> new Cancelled(0, c.orderId(), c.ownerId(), c.remainingLots(), c.reason());
                case Expired x -> new Expired(0, x.orderId(), x.ownerId(), x.remainingLots());
                case Amended a -> new Amended(0, a.orderId(), a.newPriceTicks(), a.newSizeLots(), a.keptPriority());
            });
        }
        log.clear();
        return out;
    }

    private static Filled fill(long maker, long makerOwner, long taker, long takerOwner, Side takerSide, long price,
                               long lots, long makerLeft, long takerLeft) {
        return new Filled(0, maker, makerOwner, taker, takerOwner, takerSide, price, lots, makerLeft, takerLeft);
    }

    private List<String> asks() {
        List<String> out = new ArrayList<>();
        book.forEachResting(SELL, (id, owner, price, shown, hidden, exp) -> out.add(id + "@" + price + "x" + (shown + hidden)));
        return out;
    }

    private List<String> bids() {
        List<String> out = new ArrayList<>();
        book.forEachResting(BUY, (id, owner, price, shown, hidden, exp) -> out.add(id + "@" + price + "x" + (shown + hidden)));
        return out;
    }

    @Test
    void takerFillsBestPriceFirstThenOldestAtMakersPrice() {
        gtc(1, 11, SELL, 101, 5);
        gtc(2, 12, SELL, 100, 3);
        gtc(3, 13, SELL, 100, 4);
        drain();
        gtc(10, 20, BUY, 101, 10);
        assertThat(drain()).containsExactly(
                new Accepted(0, 10, 20, BUY, 101, 10),
                fill(2, 12, 10, 20, BUY, 100, 3, 0, 7),
                fill(3, 13, 10, 20, BUY, 100, 4, 0, 3),
                fill(1, 11, 10, 20, BUY, 101, 3, 2, 0));
        assertThat(asks()).containsExactly("1@101x2");
        assertThat(bids()).isEmpty();
    }

    @Test
    void gtcRestsWhatDoesNotCross() {
        gtc(1, 11, SELL, 100, 2);
        drain();
        gtc(2, 12, BUY, 100, 5);
        assertThat(drain()).containsExactly(
                new Accepted(0, 2, 12, BUY, 100, 5),
                fill(1, 11, 2, 12, BUY, 100, 2, 0, 3),
                new Rested(0, 2, 100, 3));
        assertThat(book.bestBidTicks()).isEqualTo(100);
        assertThat(book.bestAskTicks()).isEqualTo(OrderBook.NO_PRICE);
    }

    @Test
    void iocFillsWhatCrossesAndCancelsTheRest() {
        gtc(1, 11, BUY, 50, 4);
        gtc(2, 12, BUY, 49, 4);
        drain();
        book.place(3, 13, SELL, 50, 6, IOC, NOW, log);
        assertThat(drain()).containsExactly(
                new Accepted(0, 3, 13, SELL, 50, 6),
                fill(1, 11, 3, 13, SELL, 50, 4, 0, 2),
                new Cancelled(0, 3, 13, 2, CancelReason.IMMEDIATE_REMAINDER));
        assertThat(bids()).containsExactly("2@49x4");
    }

    @Test
    void fokShortOfLiquidityIsRejectedAndChangesNothing() {
        gtc(1, 11, SELL, 100, 3);
        gtc(2, 12, SELL, 101, 3);
        gtc(3, 13, SELL, 103, 9);
        drain();
        book.place(4, 14, BUY, 102, 7, FOK, NOW, log);
        assertThat(drain()).containsExactly(new Rejected(0, 4, 14, RejectReason.FILL_OR_KILL_NOT_FILLABLE));
        assertThat(asks()).containsExactly("1@100x3", "2@101x3", "3@103x9");
    }

    @Test
    void fokWithEnoughLiquidityFillsCompletely() {
        gtc(1, 11, SELL, 100, 3);
        gtc(2, 12, SELL, 101, 3);
        drain();
        book.place(4, 14, BUY, 101, 5, FOK, NOW, log);
        assertThat(drain()).containsExactly(
                new Accepted(0, 4, 14, BUY, 101, 5),
                fill(1, 11, 4, 14, BUY, 100, 3, 0, 2),
                fill(2, 12, 4, 14, BUY, 101, 2, 1, 0));
    }

    @Test
    void fokDoesNotCountTheTakersOwnRestingOrders() {
        gtc(1, 14, SELL, 100, 5);
        gtc(2, 12, SELL, 100, 3);
        drain();
        book.place(4, 14, BUY, 100, 4, FOK, NOW, log);
        assertThat(drain()).containsExactly(new Rejected(0, 4, 14, RejectReason.FILL_OR_KILL_NOT_FILLABLE));
        assertThat(asks()).containsExactly("1@100x5", "2@100x3");
    }

    @Test
    void postOnlyThatWouldCrossIsRejectedAndOneThatDoesNotRests() {
        gtc(1, 11, SELL, 100, 3);
        drain();
        book.place(2, 12, BUY, 100, 1, GTC, OrderFlags.POST_ONLY, 0, 0, NEVER, NOW, log);
        book.place(3, 12, BUY, 99, 1, GTC, OrderFlags.POST_ONLY, 0, 0, NEVER, NOW, log);
        assertThat(drain()).containsExactly(
                new Rejected(0, 2, 12, RejectReason.POST_ONLY_WOULD_CROSS),
                new Accepted(0, 3, 12, BUY, 99, 1),
                new Rested(0, 3, 99, 1));
    }

    @Test
    void postOnlyIgnoresExpiredOrdersAndRemovesThemBeforeResting() {
        book.place(1, 11, SELL, 100, 3, GTC, OrderFlags.NONE, 0, 0, NOW + 5, NOW, log);
        drain();
        book.place(2, 12, BUY, 100, 1, GTC, OrderFlags.POST_ONLY, 0, 0, NEVER, NOW + 6, log);
        assertThat(drain()).containsExactly(
                new Accepted(0, 2, 12, BUY, 100, 1),
                new Expired(0, 1, 11, 3),
                new Rested(0, 2, 100, 1));
    }

    @Test
    void marketOrderStopsAtItsWorstPrice() {
        gtc(1, 11, SELL, 100, 2);
        gtc(2, 12, SELL, 105, 2);
        gtc(3, 13, SELL, 110, 2);
        drain();
        book.placeMarket(4, 14, BUY, 10, 105, OrderFlags.NONE, 0, NOW, log);
        assertThat(drain()).containsExactly(
                new Accepted(0, 4, 14, BUY, 105, 10),
                fill(1, 11, 4, 14, BUY, 100, 2, 0, 8),
                fill(2, 12, 4, 14, BUY, 105, 2, 0, 6),
                new Cancelled(0, 4, 14, 6, CancelReason.IMMEDIATE_REMAINDER));
        assertThat(asks()).containsExactly("3@110x2");
    }

    @Test
    void reduceOnlyIsClippedToTheCallersCap() {
        gtc(1, 11, BUY, 100, 10);
        drain();
        book.placeMarket(2, 12, SELL, 8, 1, OrderFlags.REDUCE_ONLY, 3, NOW, log);
        assertThat(drain()).containsExactly(
                new Accepted(0, 2, 12, SELL, 1, 3),
                fill(1, 11, 2, 12, SELL, 100, 3, 7, 0));
    }

    @Test
    void reduceOnlyWithNothingToReduceIsRefusedAndAGtcOneRestsClipped() {
        book.placeMarket(2, 12, SELL, 8, 1, OrderFlags.REDUCE_ONLY, 0, NOW, log);
        book.place(3, 12, SELL, 100, 8, GTC, OrderFlags.REDUCE_ONLY, 0, 5, NEVER, NOW, log);
        assertThat(drain()).containsExactly(
                new Rejected(0, 2, 12, RejectReason.REDUCE_ONLY_NOTHING_TO_REDUCE),
                new Accepted(0, 3, 12, SELL, 100, 5),
                new Rested(0, 3, 100, 5));
        assertThat(asks()).containsExactly("3@100x5");
    }

    @Test
    void aMakerThatCanGiveLessFillsThatMuchThenLeavesWithItsRest() {
        // a resting take-profit whose owner's position is now 2 lots: the book fills 2 and cancels the other 3
        BookEvents twoLeft = BookScenario.capping(log); // order 3: half of what a fill asks, 2 of 5
        book.place(3, 12, SELL, 100, 5, GTC, OrderFlags.REDUCE_ONLY, 0, 5, NEVER, NOW, twoLeft);
        gtc(4, 14, SELL, 100, 4);
        drain();
        book.place(5, 15, BUY, 100, 10, GTC, OrderFlags.NONE, 0, 0, NEVER, NOW, twoLeft);
        assertThat(drain()).containsExactly(
                new Accepted(0, 5, 15, BUY, 100, 10),
                fill(3, 12, 5, 15, BUY, 100, 2, 3, 8),
                new Cancelled(0, 3, 12, 3, CancelReason.POSITION_CLOSED),
                fill(4, 14, 5, 15, BUY, 100, 4, 0, 4),
                new Rested(0, 5, 100, 4));
        assertThat(asks()).isEmpty();
    }

    @Test
    void aPlanFollowsWhatAMakerCanGive() {
        book.place(3, 12, SELL, 100, 5, GTC, OrderFlags.REDUCE_ONLY, 0, 5, NEVER, NOW, log);
        gtc(4, 14, SELL, 101, 4);
        List<String> planned = new ArrayList<>();
        long lots = book.planFills(15, BUY, 101, 10, NOW, new FillPlan() {
            public boolean fill(long maker, long owner, long price, long l) {
                planned.add(maker + "@" + price + "x" + l);
                return true;
            }

            @Override
            public long fillableLots(long maker, long owner, long l) {
                return maker == 3 ? 2 : l;
            }
        });
        assertThat(planned).containsExactly("3@100x2", "4@101x4");
        assertThat(lots).isEqualTo(6);
        assertThat(asks()).as("planning changes nothing").containsExactly("3@100x5", "4@101x4");
    }

    @Test
    void aShrunkOrderCutsHiddenLotsFirstAndKeepsItsPlace() {
        book.place(1, 11, SELL, 100, 10, GTC, OrderFlags.NONE, 3, 0, NEVER, NOW, log); // 3 shown, 7 hidden
        gtc(2, 12, SELL, 100, 2);
        drain();
        assertThat(book.shrink(1, 5)).isTrue();
        List<long[]> shown = new ArrayList<>();
        book.forEachResting(SELL, (id, owner, price, vis, hid, exp) -> shown.add(new long[] {id, vis, hid}));
        assertThat(shown).containsExactly(new long[] {1, 3, 2}, new long[] {2, 2, 0});
        assertThat(book.shrink(1, 2)).as("into the shown slice").isTrue();
        assertThat(book.openLots(1)).isEqualTo(2);
        assertThat(book.shrink(1, 2)).as("not a cut").isFalse();
        assertThat(book.shrink(1, 0)).as("a cut to nothing is a cancel").isFalse();
        assertThat(book.shrink(9, 1)).as("not on the book").isFalse();
        assertThat(book.openLots(1)).isEqualTo(2);
        assertThat(drain()).as("the caller reports a cut").isEmpty();
        gtc(5, 15, BUY, 100, 3);
        assertThat(drain()).containsExactly(
                new Accepted(0, 5, 15, BUY, 100, 3),
                fill(1, 11, 5, 15, BUY, 100, 2, 0, 1),
                fill(2, 12, 5, 15, BUY, 100, 1, 1, 0));
    }

    @Test
    void icebergShowsOneSliceAndLosesPriorityOnEachRefill() {
        book.place(1, 11, SELL, 100, 10, GTC, OrderFlags.NONE, 3, 0, NEVER, NOW, log);
        gtc(2, 12, SELL, 100, 2);
        drain();
        gtc(5, 15, BUY, 100, 4);
        assertThat(drain()).containsExactly(
                new Accepted(0, 5, 15, BUY, 100, 4),
                fill(1, 11, 5, 15, BUY, 100, 3, 7, 1),
                fill(2, 12, 5, 15, BUY, 100, 1, 1, 0));
        gtc(6, 16, BUY, 100, 5);
        assertThat(drain()).containsExactly(
                new Accepted(0, 6, 16, BUY, 100, 5),
                fill(2, 12, 6, 16, BUY, 100, 1, 0, 4),
                fill(1, 11, 6, 16, BUY, 100, 3, 4, 1),
                fill(1, 11, 6, 16, BUY, 100, 1, 3, 0));
        List<long[]> shown = new ArrayList<>();
        book.forEachResting(SELL, (id, owner, price, vis, hid, exp) -> shown.add(new long[] {id, vis, hid}));
        assertThat(shown).containsExactly(new long[] {1, 2, 1});
    }

    @Test
    void amendThatShrinksAtTheSamePriceKeepsPriority() {
        gtc(1, 11, SELL, 100, 5);
        gtc(2, 12, SELL, 100, 5);
        drain();
        book.amend(1, 100, 2, NOW, log);
        gtc(3, 13, BUY, 100, 3);
        assertThat(drain()).containsExactly(
                new Amended(0, 1, 100, 2, true),
                new Accepted(0, 3, 13, BUY, 100, 3),
                fill(1, 11, 3, 13, BUY, 100, 2, 0, 1),
                fill(2, 12, 3, 13, BUY, 100, 1, 4, 0));
    }

    @Test
    void amendThatGrowsGoesToTheBack() {
        gtc(1, 11, SELL, 100, 5);
        gtc(2, 12, SELL, 100, 5);
        drain();
        book.amend(1, 100, 6, NOW, log);
        assertThat(drain()).containsExactly(new Amended(0, 1, 100, 6, false), new Rested(0, 1, 100, 6));
        assertThat(asks()).containsExactly("2@100x5", "1@100x6");
    }

    @Test
    void amendToAnotherPriceGoesToTheBackOfThatLevel() {
        gtc(1, 11, SELL, 101, 5);
        gtc(2, 12, SELL, 100, 5);
        drain();
        book.amend(1, 100, 5, NOW, log);
        book.amend(2, 100, 4, NOW, log);
        assertThat(asks()).containsExactly("2@100x4", "1@100x5");
    }

    @Test
    void amendToACrossingPriceTradesLikeANewAggressiveOrder() {
        gtc(1, 11, SELL, 102, 5);
        gtc(2, 12, BUY, 100, 2);
        gtc(3, 13, BUY, 99, 2);
        drain();
        book.amend(1, 99, 5, NOW, log);
        assertThat(drain()).containsExactly(
                new Amended(0, 1, 99, 5, false),
                fill(2, 12, 1, 11, SELL, 100, 2, 0, 3),
                fill(3, 13, 1, 11, SELL, 99, 2, 0, 1),
                new Rested(0, 1, 99, 1));
        assertThat(asks()).containsExactly("1@99x1");
        assertThat(bids()).isEmpty();
    }

    @Test
    void selfTradeCancelsTheRestingOrderAndTheTakerGoesOn() {
        gtc(1, 11, SELL, 100, 2);
        gtc(2, 20, SELL, 100, 3);
        gtc(3, 12, SELL, 101, 4);
        drain();
        gtc(4, 20, BUY, 101, 4);
        assertThat(drain()).containsExactly(
                new Accepted(0, 4, 20, BUY, 101, 4),
                fill(1, 11, 4, 20, BUY, 100, 2, 0, 2),
                new Cancelled(0, 2, 20, 3, CancelReason.SELF_TRADE),
                fill(3, 12, 4, 20, BUY, 101, 2, 2, 0));
    }

    @Test
    void expiredRestingOrderIsRemovedAndNeverFills() {
        book.place(1, 11, SELL, 100, 5, GTC, OrderFlags.NONE, 0, 0, NOW + 10, NOW, log);
        gtc(2, 12, SELL, 100, 5);
        drain();
        book.place(3, 13, BUY, 100, 3, GTC, NOW + 10, log);
        book.place(4, 14, BUY, 100, 3, GTC, NOW + 11, log);
        assertThat(drain()).containsExactly(
                new Accepted(0, 3, 13, BUY, 100, 3),
                fill(1, 11, 3, 13, BUY, 100, 3, 2, 0),
                new Accepted(0, 4, 14, BUY, 100, 3),
                new Expired(0, 1, 11, 2),
                fill(2, 12, 4, 14, BUY, 100, 3, 2, 0));
    }

    @Test
    void sweepRemovesOnlyExpiredOrders() {
        book.place(1, 11, SELL, 100, 5, GTC, OrderFlags.NONE, 0, 0, NOW + 10, NOW, log);
        book.place(2, 12, BUY, 90, 5, GTC, OrderFlags.NONE, 0, 0, NOW + 10, NOW, log);
        book.place(3, 13, BUY, 91, 5, GTC, OrderFlags.NONE, 0, 0, NOW + 20, NOW, log);
        drain();
        book.sweepExpired(NOW + 10, log);
        assertThat(drain()).isEmpty();
        book.sweepExpired(NOW + 11, log);
        assertThat(drain()).containsExactly(new Expired(0, 2, 12, 5), new Expired(0, 1, 11, 5));
        assertThat(bids()).containsExactly("3@91x5");
        assertThat(book.restingOrders()).isEqualTo(1);
    }

    @Test
    void incomingOrderPastItsExpiryIsRejected() {
        book.place(1, 11, SELL, 100, 5, GTC, OrderFlags.NONE, 0, 0, NOW - 1, NOW, log);
        assertThat(drain()).containsExactly(new Rejected(0, 1, 11, RejectReason.ALREADY_EXPIRED));
    }

    @Test
    void amendOfAnExpiredOrderRemovesItAndIsRejected() {
        book.place(1, 11, SELL, 100, 5, GTC, OrderFlags.NONE, 0, 0, NOW, NOW, log);
        drain();
        book.amend(1, 101, 5, NOW + 1, log);
        assertThat(drain()).containsExactly(new Expired(0, 1, 11, 5), new Rejected(0, 1, 11, RejectReason.ORDER_EXPIRED));
        assertThat(book.isResting(1)).isFalse();
    }

    @Test
    void cancelRemovesAndAFillAfterItCannotHappen() {
        gtc(1, 11, SELL, 100, 5);
        book.cancel(1, NOW, log);
        book.cancel(1, NOW, log);
        book.place(2, 12, BUY, 100, 5, IOC, NOW, log);
        assertThat(drain()).containsExactly(
                new Accepted(0, 1, 11, SELL, 100, 5),
                new Rested(0, 1, 100, 5),
                new Cancelled(0, 1, 11, 5, CancelReason.REQUESTED),
                new Rejected(0, 1, OrderBook.UNKNOWN_OWNER, RejectReason.UNKNOWN_ORDER),
                new Accepted(0, 2, 12, BUY, 100, 5),
                new Cancelled(0, 2, 12, 5, CancelReason.IMMEDIATE_REMAINDER));
    }

    @Test
    void duplicateIdOfARestingOrderIsRejected() {
        gtc(1, 11, SELL, 100, 5);
        drain();
        gtc(1, 12, BUY, 90, 5);
        assertThat(drain()).containsExactly(new Rejected(0, 1, 12, RejectReason.DUPLICATE_ORDER_ID));
    }

    @Test
    void sizesAndPricesOutsideTheMarketsBoundsAreRejected() {
        gtc(1, 11, SELL, 100, 0);
        gtc(2, 11, SELL, 100, 1_001);
        gtc(3, 11, SELL, 0, 1);
        gtc(4, 11, SELL, 1_001, 1);
        book.place(5, 11, SELL, 100, 5, GTC, OrderFlags.NONE, 6, 0, NEVER, NOW, log);
        book.place(6, 11, SELL, 100, 5, GTC, 1 << 7, 0, 0, NEVER, NOW, log);
        book.place(7, 11, SELL, 100, 5, IOC, OrderFlags.NONE, 2, 0, NEVER, NOW, log);
        assertThat(drain()).extracting(e -> ((Rejected) e).reason()).containsExactly(
                RejectReason.SIZE_OUT_OF_RANGE, RejectReason.SIZE_OUT_OF_RANGE,
                RejectReason.PRICE_OUT_OF_RANGE, RejectReason.PRICE_OUT_OF_RANGE,
                RejectReason.DISPLAY_OUT_OF_RANGE, RejectReason.UNKNOWN_FLAGS, RejectReason.INVALID_COMBINATION);
        assertThat(book.restingOrders()).isZero();
    }

    @Test
    void fullBookRejectsRestingOrdersButStillTakesImmediateOnes() {
        for (int i = 1; i <= 8; i++) {
            gtc(i, 11, SELL, 100 + i, 1);
        }
        drain();
        gtc(9, 11, SELL, 200, 1);
        book.place(10, 12, BUY, 101, 1, IOC, NOW, log);
        assertThat(drain()).containsExactly(
                new Rejected(0, 9, 11, RejectReason.BOOK_FULL),
                new Accepted(0, 10, 12, BUY, 101, 1),
                fill(1, 11, 10, 12, BUY, 101, 1, 0, 0));
        gtc(9, 11, SELL, 200, 1);
        assertThat(book.isResting(9)).isTrue();
    }

    @Test
    void everyEventGetsTheNextSequenceNumber() {
        OrderBook numbered = new OrderBook(new BookConfig(1_000, 1_000, 8, 42));
        numbered.place(1, 11, SELL, 100, 5, GTC, NOW, log);
        numbered.place(2, 12, BUY, 100, 7, IOC, NOW, log);
        numbered.cancel(1, NOW, log);
        assertThat(log.events()).extracting(BookEvent::seq).containsExactly(42L, 43L, 44L, 45L, 46L, 47L);
        assertThat(numbered.nextSequence()).isEqualTo(48);
    }

    @Test
    void amendOfAPostOnlyOrderToACrossingPriceIsRejectedAndLeavesItInPlace() {
        gtc(1, 11, BUY, 100, 5);
        book.place(2, 12, SELL, 102, 3, GTC, OrderFlags.POST_ONLY, 0, 0, NEVER, NOW, log);
        gtc(3, 13, SELL, 102, 3);
        drain();
        book.amend(2, 100, 3, NOW, log);
        assertThat(drain()).containsExactly(new Rejected(0, 2, 12, RejectReason.POST_ONLY_WOULD_CROSS));
        assertThat(asks()).containsExactly("2@102x3", "3@102x3");
        assertThat(bids()).containsExactly("1@100x5");
    }

    @Test
    void incomingIcebergTradesItsWholeSizeThenShowsOneSlice() {
        gtc(1, 11, SELL, 100, 4);
        drain();
        book.place(2, 12, BUY, 100, 10, GTC, OrderFlags.NONE, 2, 0, NEVER, NOW, log);
        assertThat(drain()).containsExactly(
                new Accepted(0, 2, 12, BUY, 100, 10),
                fill(1, 11, 2, 12, BUY, 100, 4, 0, 6),
                new Rested(0, 2, 100, 6));
        List<long[]> shown = new ArrayList<>();
        book.forEachResting(BUY, (id, owner, price, vis, hid, exp) -> shown.add(new long[] {id, vis, hid}));
        assertThat(shown).containsExactly(new long[] {2, 2, 4});
    }

    @Test
    void marketSellStopsAtItsLowestAcceptablePrice() {
        gtc(1, 11, BUY, 100, 2);
        gtc(2, 12, BUY, 95, 2);
        drain();
        book.placeMarket(3, 13, SELL, 3, 96, OrderFlags.NONE, 0, NOW, log);
        assertThat(drain()).containsExactly(
                new Accepted(0, 3, 13, SELL, 96, 3),
                fill(1, 11, 3, 13, SELL, 100, 2, 0, 1),
                new Cancelled(0, 3, 13, 1, CancelReason.IMMEDIATE_REMAINDER));
    }
}
