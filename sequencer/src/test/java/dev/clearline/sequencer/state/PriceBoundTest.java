package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The books of a venue take prices up to a number of ticks set by its genesis, below what the
 * protocol allows. A trader learns the bound from the state (each market's {@code maxPrice}) and,
 * past it, from a refusal that names it, not from a bare "out of range".
 */
class PriceBoundTest {
    private static final long CLIENT = 7;

    @Test
    void theStateNamesEachMarketsHighestPriceAndAnOrderPastItIsRefusedWithTheBound() throws Exception {
        Market m = new Market(1);
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<Command> cs = m.opening(CLIENT);
        for (Command c : cs) s.apply(c, Market.START * 1000);
        long maxPrice = Market.TICK * Market.GENESIS.books().maxPriceTicks();
        JsonNode info = FinalityTest.json(s.apply(new Command.Query(9, 0, Command.QueryKind.STATE, 0, null, null), 0)).path("marketInfo").get(0);
        assertThat(info.path("maxPrice").asLong()).isEqualTo(maxPrice);

        Signer seller = m.traders.get(0);
        JsonNode past = place(s, m, seller, maxPrice + Market.TICK, 1, cs.size() + 1);
        assertThat(past.path("accepted").asBoolean()).isFalse();
        assertThat(past.path("reject").asText()).isEqualTo("BOOK_REJECTED");
        assertThat(past.path("bookReason").asText()).isEqualTo("PRICE_OUT_OF_RANGE");
        assertThat(past.path("help").asText()).contains("1 to " + Market.GENESIS.books().maxPriceTicks() + " ticks", "maxPrice");

        JsonNode at = place(s, m, seller, maxPrice, 2, cs.size() + 2);
        assertThat(at.path("accepted").asBoolean()).as(at.toString()).isTrue();
    }

    private static JsonNode place(SequencerState s, Market m, Signer seller, long price, long nonce, long seq) throws Exception {
        Order o = new Order(seller.address(), Market.MARKET, Side.SELL, price, Market.LOT, 0, TimeInForce.GTC, 0, 0, nonce, 1_000_000_000L);
        return FinalityTest.json(s.apply(new Command.Place(CLIENT, seq, m.order(seller, o)), Market.START * 1000)).path("outcomes").get(0);
    }
}
