package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import java.util.List;
import org.junit.jupiter.api.Test;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reduce-only order larger than its position: the book takes only the position's size, and the
 * rest of the order as signed is reported cancelled with what the book left of it. Before, an order
 * whose capped size filled completely had no closing event, so a view counting the signed size kept
 * it open for ever (10 lots, 5 filled) although nothing could fill or cancel it.
 */
class ReduceOnlyRemainderTest extends AliceLongFive {
    @Test
    void itsCappedSizeFilledCompletely_theRestIsCancelled() {
        assertThat(submit(carol, order(carol, Side.BUY, 9_000, 20 * LOT, 50_000, TimeInForce.GTC, 0))).isNull();
        ex.takeEvents();
        Order close = order(alice, Side.SELL, 9_000, 10 * LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY);
        assertThat(submit(alice, close)).isNull();
        List<ExchangeEvent> events = ex.takeEvents();
        long id = idOf(events, close);
        assertThat(filled(events, id)).isEqualTo(5 * LOT);
        assertThat(cancelled(events, id)).as("one closing event, the 5 lots past the position")
                .singleElement().satisfies(c -> {
                    assertThat(c.remaining()).isEqualTo(5 * LOT);
                    assertThat(c.why()).isEqualTo(ExchangeEvent.Why.IMMEDIATE_REMAINDER);
                });
    }

    @Test
    void itsCappedSizeFilledInPart_oneCancelCountsBothRests() {
        assertThat(submit(carol, order(carol, Side.BUY, 9_000, 3 * LOT, 50_000, TimeInForce.GTC, 0))).isNull();
        ex.takeEvents();
        Order close = order(alice, Side.SELL, 9_000, 10 * LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY);
        assertThat(submit(alice, close)).isNull();
        List<ExchangeEvent> events = ex.takeEvents();
        long id = idOf(events, close);
        assertThat(filled(events, id)).isEqualTo(3 * LOT);
        assertThat(cancelled(events, id)).as("filled + cancelled = the signed 10 lots").singleElement()
                .satisfies(c -> assertThat(c.remaining()).isEqualTo(7 * LOT));
    }

    @Test
    void anOrderWithinItsPosition_isReportedAsBefore() {
        assertThat(submit(carol, order(carol, Side.BUY, 9_000, 20 * LOT, 50_000, TimeInForce.GTC, 0))).isNull();
        ex.takeEvents();
        Order close = order(alice, Side.SELL, 9_000, 5 * LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY);
        assertThat(submit(alice, close)).isNull();
        List<ExchangeEvent> events = ex.takeEvents();
        long id = idOf(events, close);
        assertThat(filled(events, id)).isEqualTo(5 * LOT);
        assertThat(cancelled(events, id)).as("filled completely: nothing to cancel").isEmpty();
    }

    private static long filled(List<ExchangeEvent> events, long id) {
        return events.stream().filter(e -> e instanceof ExchangeEvent.Filled f && f.takerOrderId() == id)
                .mapToLong(e -> ((ExchangeEvent.Filled) e).size()).sum();
    }
}
