package dev.clearline.engine.book;

import static dev.clearline.engine.book.Side.BUY;
import static dev.clearline.engine.book.Side.SELL;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The book's limit on fills per incoming order ({@link BookConfig#maxFillsPerTaker}), case by case; the differential property is in OrderBookProperties. */
class FillLimitTest {
    private static final long NOW = 1_000;
    private static final int LIMIT = 3;

    private final OrderBook book = new OrderBook(BookConfig.of(1_000, 1_000, 64).withMaxFillsPerTaker(LIMIT));
    private final BookEventLog log = new BookEventLog();
    private long nextId = 1;

    private long ask(long owner, long price, long lots) {
        long id = nextId++;
        book.place(id, owner, SELL, price, lots, TimeInForce.GTC, NOW, log);
        return id;
    }

    private List<BookEvent.Filled> fills() {
        return log.events().stream().filter(e -> e instanceof BookEvent.Filled).map(e -> (BookEvent.Filled) e).toList();
    }

    private BookEvent last() {
        return log.events().getLast();
    }

    @Test
    void anIocStopsAtTheLimitAndItsRestIsCancelledForTheLimit() {
        for (int i = 0; i < 5; i++) ask(10 + i, 100 + i, 1);
        log.clear();
        long taker = nextId++;
        book.place(taker, 1, BUY, 200, 5, TimeInForce.IOC, NOW, log);
        assertThat(fills()).extracting(BookEvent.Filled::priceTicks).containsExactly(100L, 101L, 102L);
        assertThat(last()).isEqualTo(new BookEvent.Cancelled(last().seq(), taker, 1, 2, CancelReason.FILL_LIMIT));
        assertThat(book.bestAskTicks()).isEqualTo(103);
    }

    @Test
    void aGtcThatStillCrossesAtTheLimitDoesNotRestButOneWhoseRestNoLongerCrossesDoes() {
        for (int i = 0; i < 4; i++) ask(10 + i, 100, 1);
        log.clear();
        long crossing = nextId++;
        book.place(crossing, 1, BUY, 100, 6, TimeInForce.GTC, NOW, log);
        assertThat(fills()).hasSize(LIMIT);
        assertThat(last()).isEqualTo(new BookEvent.Cancelled(last().seq(), crossing, 1, 3, CancelReason.FILL_LIMIT));
        assertThat(book.isResting(crossing)).isFalse();
        log.clear();
        // one ask left: two more asks, then a GTC that takes all three (the limit) and rests the rest
        ask(20, 100, 1);
        ask(21, 100, 1);
        long resting = nextId++;
        book.place(resting, 1, BUY, 100, 5, TimeInForce.GTC, NOW, log);
        assertThat(fills()).hasSize(LIMIT);
        assertThat(last()).isEqualTo(new BookEvent.Rested(last().seq(), resting, 100, 2));
    }

    @Test
    void aFokNeedingMoreFillsThanTheLimitIsRejectedUnchangedAndIcebergRefillsCountAsFills() {
        long iceberg = nextId++;
        book.place(iceberg, 10, SELL, 100, 4, TimeInForce.GTC, OrderFlags.NONE, 1, 0, OrderBook.NEVER_EXPIRES, NOW, log);
        log.clear();
        book.place(nextId++, 1, BUY, 100, 4, TimeInForce.FOK, NOW, log); // four slices: four fills
        assertThat(last()).isInstanceOf(BookEvent.Rejected.class);
        assertThat(((BookEvent.Rejected) last()).reason()).isEqualTo(RejectReason.FILL_OR_KILL_TOO_MANY_FILLS);
        assertThat(book.openLots(iceberg)).isEqualTo(4);
        assertThat(book.check(1, BUY, 100, 4, TimeInForce.FOK, OrderFlags.NONE, 0, 0, OrderBook.NEVER_EXPIRES, NOW, false))
                .isEqualTo(RejectReason.FILL_OR_KILL_TOO_MANY_FILLS);
        log.clear();
        book.place(nextId++, 1, BUY, 100, 3, TimeInForce.FOK, NOW, log); // three slices: within the limit
        assertThat(fills()).hasSize(3);
        assertThat(book.openLots(iceberg)).isEqualTo(1);
    }

    @Test
    void anAmendThatReEntersTheBookIsLimitedLikeANewOrder() {
        long bid = nextId++;
        book.place(bid, 1, BUY, 90, 5, TimeInForce.GTC, NOW, log);
        for (int i = 0; i < 5; i++) ask(10 + i, 95, 1);
        log.clear();
        book.amend(bid, 95, 5, NOW, log);
        assertThat(fills()).hasSize(LIMIT);
        assertThat(last()).isEqualTo(new BookEvent.Cancelled(last().seq(), bid, 1, 2, CancelReason.FILL_LIMIT));
        assertThat(book.isResting(bid)).isFalse();
    }

    @Test
    void anIncomingPegIsLimitedButExpiredAndSelfTradeRemovalsAreNotFills() {
        ask(1, 100, 1);              // the taker's own: removed for self-trade, not a fill
        long stale = nextId++;
        book.place(stale, 10, SELL, 100, 1, TimeInForce.GTC, OrderFlags.NONE, 0, 0, NOW, NOW, log);
        for (int i = 0; i < 4; i++) ask(20 + i, 100, 1);
        book.mark(100, 100, NOW + 1, log);
        log.clear();
        long peg = nextId++;
        book.placePegged(peg, 1, BUY, PegRef.MARK, 0, 200, 6, TimeInForce.IOC, OrderFlags.NONE, 0, 0, OrderBook.NEVER_EXPIRES, NOW + 1, log);
        assertThat(log.events()).filteredOn(e -> e instanceof BookEvent.Cancelled c && c.reason() == CancelReason.SELF_TRADE).hasSize(1);
        assertThat(log.events()).filteredOn(e -> e instanceof BookEvent.Expired).hasSize(1);
        assertThat(fills()).hasSize(LIMIT);
        assertThat(last()).isEqualTo(new BookEvent.Cancelled(last().seq(), peg, 1, 3, CancelReason.FILL_LIMIT));
    }

    /**
     * Pegs a mark move carries across the book take like incoming orders and are held to the same limit: random resting
     * asks (some one lot, some more, at random prices), a few mark-pegged bids of random sizes below them, a random
     * limit, then the mark jumps above every ask. No peg makes more than the limit's fills in that request; a peg stops
     * with its rest cancelled for the limit only after making exactly that many and while it still crossed; the book is
     * not crossed afterwards; and the lots filled and left add up.
     */
    @Test
    void aPegCarriedAcrossTheBookIsHeldToTheFillLimitPerRequest() {
        var ask = dev.clearline.testkit.property.Gens.allOf(dev.clearline.testkit.property.Gens.ints(300, 320),
                dev.clearline.testkit.property.Gens.ints(1, 3));
        var peg = dev.clearline.testkit.property.Gens.ints(1, 12);
        dev.clearline.testkit.property.Property.forAll(dev.clearline.testkit.property.Gens.allOf(
                dev.clearline.testkit.property.Gens.listOf(ask, 1, 30), dev.clearline.testkit.property.Gens.listOf(peg, 1, 4),
                dev.clearline.testkit.property.Gens.listOf(dev.clearline.testkit.property.Gens.ints(1, 6), 1, 1))).tries(300).check(c -> {
            @SuppressWarnings("unchecked") List<List<Integer>> asks = (List<List<Integer>>) c.get(0);
            @SuppressWarnings("unchecked") List<Integer> pegs = (List<Integer>) c.get(1);
            int limit = ((List<Integer>) c.get(2)).getFirst();
            OrderBook b = new OrderBook(BookConfig.of(1_000, 1_000, 256).withMaxFillsPerTaker(limit));
            BookEventLog events = new BookEventLog();
            long id = 1;
            long askLots = 0;
            for (List<Integer> a : asks) {
                b.place(id++, 100 + id, SELL, a.get(0), a.get(1), TimeInForce.GTC, NOW, events);
                askLots += a.get(1);
            }
            b.mark(200, 200, NOW, events);
            java.util.Map<Long, Integer> pegSize = new java.util.HashMap<>();
            for (int lots : pegs) {
                long pid = id++;
                b.placePegged(pid, 1 + pid % 2, BUY, PegRef.MARK, 0, 900, lots, TimeInForce.GTC, OrderFlags.NONE, 0, 0, OrderBook.NEVER_EXPIRES,
                        NOW, events);
                pegSize.put(pid, lots);
            }
            events.clear();
            b.mark(500, 500, NOW, events); // every peg now bids 500, above every ask
            java.util.Map<Long, Integer> fillsBy = new java.util.HashMap<>();
            java.util.Map<Long, Long> filledLots = new java.util.HashMap<>();
            long filledTotal = 0;
            for (BookEvent e : events.events()) {
                if (e instanceof BookEvent.Filled f) {
                    assertThat(pegSize).containsKey(f.takerOrderId());
                    fillsBy.merge(f.takerOrderId(), 1, Integer::sum);
                    filledLots.merge(f.takerOrderId(), f.lots(), Long::sum);
                    filledTotal += f.lots();
                } else if (e instanceof BookEvent.Cancelled x && x.reason() == CancelReason.FILL_LIMIT) {
                    assertThat(fillsBy.getOrDefault(x.orderId(), 0)).as("fills before its limit cancel").isEqualTo(limit);
                    assertThat(x.remainingLots()).isEqualTo(pegSize.get(x.orderId()) - filledLots.get(x.orderId()));
                }
            }
            assertThat(fillsBy.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(limit));
            assertThat(b.bestBidTicks() == OrderBook.NO_PRICE || b.bestAskTicks() == OrderBook.NO_PRICE
                    || b.bestBidTicks() < b.bestAskTicks()).as("not crossed").isTrue();
            long asksLeft = 0;
            for (long a = 1; a <= asks.size(); a++) asksLeft += b.isResting(a) ? b.openLots(a) : 0;
            assertThat(asksLeft).isEqualTo(askLots - filledTotal);
        });
    }

    @Test
    void withoutALimitABookFillsAsManyAsCross() {
        OrderBook unlimited = new OrderBook(BookConfig.of(1_000, 1_000, 64));
        for (int i = 0; i < 10; i++) unlimited.place(i + 1, 10 + i, SELL, 100, 1, TimeInForce.GTC, NOW, log);
        log.clear();
        unlimited.place(100, 1, BUY, 100, 10, TimeInForce.FOK, NOW, log);
        assertThat(fills()).hasSize(10);
    }
}
