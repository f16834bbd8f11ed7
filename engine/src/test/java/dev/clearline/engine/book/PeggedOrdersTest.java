package dev.clearline.engine.book;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pegged orders in the book: repricing with the mark and with the own side's best fixed price,
 * the limit clamp, time priority at one price, the reference disappearing, post-only pegs, and a
 * peg its reference moved across the book. Prices in ticks, sizes in lots.
 */
class PeggedOrdersTest {
    static final long NOW = 100;
    final OrderBook book = new OrderBook(BookConfig.of(1_000, 1_000_000, 64));
    final BookEventLog log = new BookEventLog();
    long nextId = 1;

    long fixed(long owner, Side side, long price, long lots) {
        long id = nextId++;
        book.place(id, owner, side, price, lots, TimeInForce.GTC, NOW, log);
        return id;
    }

    long peg(long owner, Side side, PegRef ref, long offset, long limit, long lots, TimeInForce tif, int flags) {
        long id = nextId++;
        book.placePegged(id, owner, side, ref, offset, limit, lots, tif, flags, 0, 0, OrderBook.NEVER_EXPIRES, NOW, log);
        return id;
    }

    long peg(long owner, Side side, PegRef ref, long offset, long limit, long lots) {
        return peg(owner, side, ref, offset, limit, lots, TimeInForce.GTC, OrderFlags.NONE);
    }

    List<BookEvent.Filled> fills() {
        return log.events().stream().filter(e -> e instanceof BookEvent.Filled).map(e -> (BookEvent.Filled) e).toList();
    }

    @Test
    void aPegTheMarkCarriesOntoAMakerThatCanGiveLessTakesThatMuch() {
        book.mark(500, 500, NOW, log);
        // order 3 (a resting reduce-only sell) can give half of what a fill asks (BookScenario.capping)
        book.place(3, 1, Side.SELL, 505, 4, TimeInForce.GTC, OrderFlags.REDUCE_ONLY, 0, 4, OrderBook.NEVER_EXPIRES, NOW, log);
        nextId = 4;
        long bid = peg(2, Side.BUY, PegRef.MARK, 0, 900, 10);
        log.clear();
        book.mark(510, 510, NOW, BookScenario.capping(log));
        assertThat(fills()).singleElement().satisfies(f -> {
            assertThat(f.makerOrderId()).isEqualTo(3);
            assertThat(f.takerOrderId()).isEqualTo(bid);
            assertThat(f.lots()).isEqualTo(2);
        });
        assertThat(log.events()).anyMatch(e -> e instanceof BookEvent.Cancelled c && c.orderId() == 3 && c.remainingLots() == 2
                && c.reason() == CancelReason.POSITION_CLOSED);
        assertThat(book.isResting(3)).isFalse();
        assertThat(book.openLots(bid)).isEqualTo(8);
    }

    @Test
    void markPegRepricesAsTheMarkMoves() {
        book.mark(500, 500, NOW, log);
        long bid = peg(1, Side.BUY, PegRef.MARK, -3, 900, 5);
        long ask = peg(2, Side.SELL, PegRef.MARK, 4, 100, 5);
        assertThat(book.priceTicks(bid)).isEqualTo(497);
        assertThat(book.priceTicks(ask)).isEqualTo(504);
        book.mark(520, 521, NOW, log);   // a mark between ticks: buys follow it rounded down, sells rounded up
        assertThat(book.priceTicks(bid)).isEqualTo(517);
        assertThat(book.priceTicks(ask)).isEqualTo(525);
        assertThat(book.bestBidTicks()).isEqualTo(517);
        assertThat(book.bestAskTicks()).isEqualTo(525);
        log.clear();
        book.place(nextId++, 3, Side.SELL, 517, 2, TimeInForce.IOC, NOW, log);
        assertThat(fills()).singleElement().satisfies(f -> {
            assertThat(f.makerOrderId()).isEqualTo(bid);
            assertThat(f.priceTicks()).isEqualTo(517);
        });
    }

    @Test
    void bookPegFollowsTheBestFixedPriceOfItsOwnSide() {
        fixed(1, Side.BUY, 400, 1);
        long peg = peg(2, Side.BUY, PegRef.BOOK, 1, 900, 3);
        assertThat(book.priceTicks(peg)).isEqualTo(401);
        fixed(3, Side.BUY, 410, 1);
        assertThat(book.priceTicks(peg)).as("a better fixed bid moves the reference").isEqualTo(411);
        // the peg itself is the best bid, but pegs never move their own reference
        peg(4, Side.BUY, PegRef.BOOK, 2, 900, 1);
        assertThat(book.priceTicks(peg)).isEqualTo(411);
    }

    @Test
    void aPegNeverCrossesItsLimit() {
        book.mark(500, 500, NOW, log);
        long bid = peg(1, Side.BUY, PegRef.MARK, 5, 503, 2);
        long ask = peg(2, Side.SELL, PegRef.MARK, -5, 510, 2);
        assertThat(book.priceTicks(bid)).as("500 + 5 held at the limit 503").isEqualTo(503);
        assertThat(book.priceTicks(ask)).as("500 - 5 held at the limit 510").isEqualTo(510);
        book.mark(400, 400, NOW, log);
        assertThat(book.priceTicks(bid)).isEqualTo(405);
        assertThat(book.priceTicks(ask)).isEqualTo(510);
        book.mark(600, 600, NOW, log);
        assertThat(book.priceTicks(bid)).isEqualTo(503);
        assertThat(book.priceTicks(ask)).isEqualTo(595);
        book.mark(450, 450, NOW, log);
        assertThat(book.priceTicks(bid)).as("floats again below its limit").isEqualTo(455);
        assertThat(book.priceTicks(ask)).isEqualTo(510);
        assertThat(fills()).as("never crossed, never traded").isEmpty();
    }

    @Test
    void atOnePriceFixedOrdersTradeBeforePegsAndPegsKeepTheirEntryOrderAcrossReprices() {
        book.mark(500, 500, NOW, log);
        long peg1 = peg(1, Side.BUY, PegRef.MARK, -2, 900, 1);
        long peg2 = peg(2, Side.BUY, PegRef.MARK, -2, 900, 1);
        book.mark(510, 510, NOW, log);
        long fixedLater = fixed(3, Side.BUY, 508, 1);   // arrives after both pegs, at their price
        log.clear();
        book.place(nextId++, 9, Side.SELL, 508, 3, TimeInForce.IOC, NOW, log);
        assertThat(fills()).extracting(BookEvent.Filled::makerOrderId).containsExactly(fixedLater, peg1, peg2);
    }

    @Test
    void withoutItsReferenceAPegRestsWithoutAPriceOrIsCancelledPerTimeInForce() {
        long gtc = peg(1, Side.BUY, PegRef.MARK, 0, 900, 2);   // no mark yet
        assertThat(book.isResting(gtc)).isTrue();
        assertThat(book.priceTicks(gtc)).isEqualTo(OrderBook.NO_PRICE);
        assertThat(book.bestBidTicks()).isEqualTo(OrderBook.NO_PRICE);
        long ioc = peg(2, Side.BUY, PegRef.MARK, 0, 900, 2, TimeInForce.IOC, OrderFlags.NONE);
        assertThat(log.events()).contains(new BookEvent.Cancelled(log.events().getLast().seq(), ioc, 2, 2, CancelReason.IMMEDIATE_REMAINDER));
        peg(3, Side.BUY, PegRef.MARK, 0, 900, 2, TimeInForce.FOK, OrderFlags.NONE);
        assertThat(log.events().getLast()).isInstanceOf(BookEvent.Rejected.class)
                .extracting(e -> ((BookEvent.Rejected) e).reason()).isEqualTo(RejectReason.FILL_OR_KILL_NOT_FILLABLE);
        fixed(4, Side.SELL, 700, 1);
        log.clear();
        book.place(nextId++, 5, Side.SELL, 1, 1, TimeInForce.IOC, NOW, log);
        assertThat(fills()).as("a peg without a reference never trades").isEmpty();
        book.mark(600, 600, NOW, log);
        assertThat(book.priceTicks(gtc)).isEqualTo(600);
        // a book peg loses its reference when the last fixed order of its side leaves
        long fixedBid = fixed(6, Side.BUY, 300, 1);
        long bookPeg = peg(7, Side.BUY, PegRef.BOOK, -1, 900, 1);
        assertThat(book.priceTicks(bookPeg)).isEqualTo(299);
        book.cancel(fixedBid, NOW, log);
        assertThat(book.isResting(bookPeg)).isTrue();
        assertThat(book.priceTicks(bookPeg)).isEqualTo(OrderBook.NO_PRICE);
    }

    @Test
    void aPostOnlyPegThatWouldCrossIsRejectedLikeAnyPostOnly() {
        book.mark(500, 500, NOW, log);
        fixed(1, Side.SELL, 502, 1);
        long id = peg(2, Side.BUY, PegRef.MARK, 3, 900, 1, TimeInForce.GTC, OrderFlags.POST_ONLY);
        assertThat(log.events().getLast()).isEqualTo(new BookEvent.Rejected(log.events().getLast().seq(), id, 2,
                RejectReason.POST_ONLY_WOULD_CROSS));
        assertThat(book.isResting(id)).isFalse();
    }

    @Test
    void aPegItsReferenceMovesAcrossTheBookTakesOrLeavesIfPostOnly() {
        book.mark(500, 500, NOW, log);
        long ask = fixed(1, Side.SELL, 505, 2);
        long taker = peg(2, Side.BUY, PegRef.MARK, -1, 900, 1);
        long postOnly = peg(3, Side.BUY, PegRef.MARK, -2, 900, 1, TimeInForce.GTC, OrderFlags.POST_ONLY);
        log.clear();
        book.mark(510, 510, NOW, log);
        assertThat(fills()).singleElement().satisfies(f -> {
            assertThat(f.makerOrderId()).isEqualTo(ask);
            assertThat(f.takerOrderId()).isEqualTo(taker);
            assertThat(f.priceTicks()).as("at the resting order's price").isEqualTo(505);
        });
        assertThat(log.events()).anySatisfy(e -> assertThat(e).isEqualTo(
                new BookEvent.Cancelled(e.seq(), postOnly, 3, 1, CancelReason.PEG_CROSSED)));
        assertThat(book.bestBidTicks()).isLessThan(book.bestAskTicks());
        assertThat(book.openLots(ask)).isEqualTo(1);
    }

    @Test
    void manyPegsRepriceWithoutBeingTouched() {
        book.mark(500, 500, NOW, log);
        for (int i = 0; i < 40; i++) peg(10 + i, Side.BUY, PegRef.MARK, -1 - (i % 10), 900, 1);
        long probe = peg(99, Side.BUY, PegRef.MARK, -1, 900, 1);
        for (long m = 500; m < 800; m += 7) {
            book.mark(m, m, NOW, log);
            assertThat(book.priceTicks(probe)).isEqualTo(m - 1);
            assertThat(book.bestBidTicks()).isEqualTo(m - 1);
        }
    }
}
