package dev.clearline.engine.book;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.book.BookEvent.Accepted;
import dev.clearline.engine.book.BookEvent.Amended;
import dev.clearline.engine.book.BookEvent.Cancelled;
import dev.clearline.engine.book.BookEvent.Expired;
import dev.clearline.engine.book.BookEvent.Filled;
import dev.clearline.engine.book.BookEvent.Rested;
import dev.clearline.engine.book.BookScenario.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

class OrderBookProperties {

    private static final Gen<List<Op>> FLOWS = BookScenario.flows(120);

    @Test
    void emitsExactlyTheReferenceBooksEventsOnANarrowLadder() {
        Property.forAll(FLOWS).tries(300).check(ops -> {
            assertSameAsReference(ops, false);
        });
    }

    @Test
    void emitsExactlyTheReferenceBooksEventsOnASparseWideLadder() {
        Property.forAll(FLOWS).tries(100).check(ops -> {
            assertSameAsReference(ops, true);
        });
    }

    /**
     * With a limit of 1 to 4 fills per incoming order (small enough that random flows meet it):
     * takers stop at the limit and their rest is cancelled, and a FOK needing more is rejected,
     * exactly as the reference, which counts a FOK's fills by matching a copy of its book.
     */
    @Test
    void emitsExactlyTheReferenceBooksEventsWithAFillLimitPerOrder() {
        Property.forAll(FLOWS, Gens.ints(1, 4)).tries(300).check((ops, limit) -> {
            assertSameAsReference(ops, BookScenario.NARROW.withMaxFillsPerTaker(limit), false);
        });
    }

    /**
     * With makers that can give less than a fill asks ({@link BookEvents#fillableLots}, as a reduce-only order whose
     * position is smaller): such a maker fills what it can and leaves with its rest (POSITION_CLOSED), exactly as the
     * reference.
     */
    @Test
    void emitsExactlyTheReferenceBooksEventsWhenMakersCanGiveLess() {
        long[] spent = {0};
        Property.forAll(FLOWS).tries(300).check(ops -> {
            OrderBook book = new OrderBook(BookScenario.NARROW);
            ReferenceBook reference = new ReferenceBook(BookScenario.NARROW);
            BookEventLog actual = new BookEventLog();
            BookEventLog expected = new BookEventLog();
            BookScenario.run(ops, false, BookScenario.of(book), BookScenario.capping(actual), () -> {});
            BookScenario.run(ops, false, BookScenario.of(reference), BookScenario.capping(expected), () -> {});
            assertThat(actual.events()).isEqualTo(expected.events());
            spent[0] += actual.events().stream().filter(e -> e instanceof Cancelled c && c.reason() == CancelReason.POSITION_CLOSED).count();
        });
        assertThat(spent[0]).as("makers that left after giving less, over every flow").isPositive();
    }

    private static void assertSameAsReference(List<Op> ops, boolean wide) {
        assertSameAsReference(ops, wide ? BookScenario.WIDE : BookScenario.NARROW, wide);
    }

    private static void assertSameAsReference(List<Op> ops, BookConfig config, boolean wide) {
        OrderBook book = new OrderBook(config);
        ReferenceBook reference = new ReferenceBook(config);
        BookEventLog actual = new BookEventLog();
        BookEventLog expected = new BookEventLog();
        BookScenario.run(ops, wide, BookScenario.of(book), actual, () -> {});
        BookScenario.run(ops, wide, BookScenario.of(reference), expected, () -> {});
        assertThat(actual.events()).isEqualTo(expected.events());
        for (Side side : Side.values()) {
            List<List<Long>> resting = new ArrayList<>();
            book.forEachResting(side, (id, owner, price, shown, hidden, exp) -> resting.add(List.of(id, owner, price, shown, hidden)));
            List<List<Long>> referenceResting = new ArrayList<>();
            for (long[] o : reference.resting(side)) {
                referenceResting.add(List.of(o[0], o[1], o[2], o[3], o[4]));
            }
            assertThat(resting).as("resting %s orders", side).isEqualTo(referenceResting);
        }
    }

    @Test
    void bookIsNeverCrossedAfterAnyOperation() {
        Property.forAll(FLOWS).tries(200).check(ops -> {
            OrderBook book = new OrderBook(BookScenario.NARROW);
            BookScenario.run(ops, false, BookScenario.of(book), new BookEventLog(), () -> {
                long bid = book.bestBidTicks();
                long ask = book.bestAskTicks();
                if (bid != OrderBook.NO_PRICE && ask != OrderBook.NO_PRICE) {
                    assertThat(bid).isLessThan(ask);
                }
            });
        });
    }

    /**
     * Replays the event stream against a ledger of open quantity per order: every fill must fit
     * the open size of both orders, match the remaining sizes the book reports, hit only live
     * orders, and pair a buyer with a seller; whatever is accepted ends filled, cancelled, expired
     * or resting.
     */
    @Test
    void noOrderFillsBeyondItsSizeOrAfterItLeftTheBook() {
        Property.forAll(FLOWS).tries(200).check(ops -> {
            OrderBook book = new OrderBook(BookScenario.NARROW);
            BookEventLog log = new BookEventLog();
            BookScenario.run(ops, false, BookScenario.of(book), log, () -> {});
            Map<Long, Long> open = new HashMap<>();
            Map<Long, Side> sides = new HashMap<>();
            long bought = 0;
            long sold = 0;
            for (BookEvent e : log.events()) {
                switch (e) {
                    case Accepted a -> {
                        assertThat(open).doesNotContainKey(a.orderId());
                        open.put(a.orderId(), a.sizeLots());
                        sides.put(a.orderId(), a.side());
                    }
                    case Filled f -> {
                        assertThat(open).containsKeys(f.makerOrderId(), f.takerOrderId());
                        long makerLeft = open.get(f.makerOrderId()) - f.lots();
                        long takerLeft = open.get(f.takerOrderId()) - f.lots();
                        assertThat(f.lots()).isPositive();
                        assertThat(makerLeft).isEqualTo(f.makerRemainingLots()).isNotNegative();
                        assertThat(takerLeft).isEqualTo(f.takerRemainingLots()).isNotNegative();
                        assertThat(sides.get(f.makerOrderId())).isEqualTo(f.takerSide().opposite());
                        assertThat(sides.get(f.takerOrderId())).isEqualTo(f.takerSide());
                        open.put(f.makerOrderId(), makerLeft);
                        open.put(f.takerOrderId(), takerLeft);
                        if (makerLeft == 0) {
                            open.remove(f.makerOrderId());
                        }
                        // Sides come from each order's own acceptance, not from the fill.
                        for (long id : new long[] {f.makerOrderId(), f.takerOrderId()}) {
                            if (sides.get(id) == Side.BUY) {
                                bought += f.lots();
                            } else {
                                sold += f.lots();
                            }
                        }
                    }
                    case Rested r -> assertThat(open.get(r.orderId())).isEqualTo(r.restingLots());
                    case Cancelled c -> assertThat(open.remove(c.orderId())).isEqualTo(c.remainingLots());
                    case Expired x -> assertThat(open.remove(x.orderId())).isEqualTo(x.remainingLots());
                    case Amended a -> {
                        assertThat(open).containsKey(a.orderId());
                        open.put(a.orderId(), a.newSizeLots());
                    }
                    case BookEvent.Rejected r -> { }
                }
                // A taker that filled completely has no further events; drop it once nothing is left.
                open.values().removeIf(left -> left == 0);
            }
            assertThat(bought).isEqualTo(sold);
            for (Map.Entry<Long, Long> o : open.entrySet()) {
                assertThat(book.openLots(o.getKey())).as("open lots of order %d", o.getKey()).isEqualTo(o.getValue());
            }
            assertThat(book.restingOrders()).isEqualTo(open.size());
        });
    }

    @Test
    void sameInputsGiveTheSameEvents() {
        Property.forAll(FLOWS).tries(100).check(ops -> {
            BookEventLog first = new BookEventLog();
            BookEventLog second = new BookEventLog();
            BookScenario.run(ops, false, BookScenario.of(new OrderBook(BookScenario.NARROW)), first, () -> {});
            BookScenario.run(ops, false, BookScenario.of(new OrderBook(BookScenario.NARROW)), second, () -> {});
            assertThat(first.events()).isEqualTo(second.events());
        });
    }

    @Test
    void sequenceNumbersIncreaseByOneWithoutGaps() {
        Property.forAll(FLOWS).tries(100).check(ops -> {
            BookEventLog log = new BookEventLog();
            BookScenario.run(ops, false, BookScenario.of(new OrderBook(BookScenario.NARROW)), log, () -> {});
            for (int i = 0; i < log.events().size(); i++) {
                assertThat(log.events().get(i).seq()).isEqualTo(BookScenario.NARROW.firstSequence() + i);
            }
        });
    }
}
