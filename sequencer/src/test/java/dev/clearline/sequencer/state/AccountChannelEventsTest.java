package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.engine.exchange.ExchangeEvent;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.api.TraderSocket;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.clearline.sequencer.Market.LOT;
import static dev.clearline.sequencer.Market.MARKET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which account channels an event the node replies with goes to ({@link TraderSocket#concerns}), on events as the view
 * writes them: an order's own events go to its trader, a fill to both sides, and a deleverage to the trader whose
 * position the insurance fund closed against (its account push alone would show the position shrink without why);
 * nobody else's channel gets them.
 */
class AccountChannelEventsTest {
    private static final Market M = new Market(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Signer alice = M.traders.get(0), bob = M.traders.get(1), carol = M.traders.get(2);
    private final OrderBookView view = new OrderBookView();

    private List<JsonNode> record(ExchangeEvent... events) {
        return view.record(List.of(events), 1).stream().map(m -> (JsonNode) JSON.valueToTree(m)).toList();
    }

    private VerifiedOrder placed(Signer t, Side side, long bookId) {
        VerifiedOrder v = M.order(t, new Order(t.address(), MARKET, side, 10_000, 2 * LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY, 0, bookId, 0));
        view.placed(v, 1);
        record(new ExchangeEvent.Accepted(bookId, bookId, v.hash()));
        return v;
    }

    private void goesTo(JsonNode event, Signer... traders) {
        for (Signer t : List.of(alice, bob, carol)) {
            assertThat(TraderSocket.concerns(event, t.address().toString())).as("%s to %s", event, t.address())
                    .isEqualTo(List.of(traders).contains(t));
        }
    }

    @Test
    void eachEventGoesToTheTradersItConcernsAndNoOneElse() {
        placed(alice, Side.SELL, 11);
        placed(bob, Side.BUY, 12);
        List<JsonNode> events = record(new ExchangeEvent.Trimmed(20, 11, LOT, LOT), new ExchangeEvent.Filled(21, 11, 12, 10_000, LOT),
                new ExchangeEvent.Cancelled(22, 12, LOT, ExchangeEvent.Why.POSITION_CLOSED),
                new ExchangeEvent.Deleveraged(23, MARKET, carol.address(), 3 * LOT, 9_000, 1),
                new ExchangeEvent.InsuranceShortfall(24, 5));
        goesTo(events.get(0), alice);
        goesTo(events.get(1), alice, bob);
        goesTo(events.get(2), bob);
        goesTo(events.get(3), carol);
        goesTo(events.get(4));
    }
}
