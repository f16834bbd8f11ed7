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

    @Test
    void withoutALimitABookFillsAsManyAsCross() {
        OrderBook unlimited = new OrderBook(BookConfig.of(1_000, 1_000, 64));
        for (int i = 0; i < 10; i++) unlimited.place(i + 1, 10 + i, SELL, 100, 1, TimeInForce.GTC, NOW, log);
        log.clear();
        unlimited.place(100, 1, BUY, 100, 10, TimeInForce.FOK, NOW, log);
        assertThat(fills()).hasSize(10);
    }
}
