package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The depth the node shows (its view's levels, which every reply's depth deltas move) against the book itself after every
 * command, under flows of plain, iceberg, market and pegged orders, cancels and marks: each level the book holds at the
 * size its orders show (an iceberg its slice), and nothing else. Pegged orders move with the mark and with their side's
 * best fixed price without an event of their own, and a book peg with no fixed-price order on its side has no price and
 * shows nowhere; the view must follow all of it.
 */
class PeggedDepthProperties {
    static final Market M = FillsOnL1Properties.M;

    @Test
    void theDepthShownIsTheBooksAfterEveryCommand() {
        long[] reached = new long[3]; // commands checked, checks with a priced peg resting, checks with an unpriced peg resting
        Property.forAll(Gens.seeds()).tries(10).check(seed -> {
            Random r = new Random(seed);
            SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            List<Command> cs = new ArrayList<>(M.opening(7));
            cs.addAll(FillsOnL1Properties.flow(r, cs.size() + 1, 100 + r.nextInt(150), new HashSet<>()));
            long ms = Market.START * 1000;
            for (Command c : cs) {
                s.apply(c, ms += 10);
                if (s.book(Market.MARKET) == null) continue;
                JsonNode depth = FinalityTest.json(s.apply(new Command.Query(9, 0, Command.QueryKind.DEPTH, 0, null, null), 0)).path("depths").get(0);
                assertThat(levels(depth.path("bids"))).as("bids after %s", c).isEqualTo(truth(s.book(Market.MARKET), Side.BUY, reached));
                assertThat(levels(depth.path("asks"))).as("asks after %s", c).isEqualTo(truth(s.book(Market.MARKET), Side.SELL, reached));
                reached[0]++;
            }
            s.close();
        });
        System.out.printf("PeggedDepthProperties: %d commands checked, %d with a priced peg resting, %d with an unpriced one%n",
                reached[0], reached[1], reached[2]);
        if (System.getProperty("clearline.seed", "").isEmpty()) {
            for (int i = 0; i < reached.length; i++) assertThat(reached[i]).as("counter %d reached", i).isPositive();
        }
    }

    private static TreeMap<Long, Long> levels(JsonNode side) {
        TreeMap<Long, Long> out = new TreeMap<>();
        for (JsonNode l : side) out.put(l.get(0).asLong(), l.get(1).asLong());
        return out;
    }

    /** Each price the book holds orders at, with what they show: an iceberg its slice, a book peg without a reference nothing. */
    private static TreeMap<Long, Long> truth(OrderBook book, Side side, long[] reached) {
        TreeMap<Long, Long> out = new TreeMap<>();
        boolean[] pegs = new boolean[2];
        book.forEachResting(side, (id, owner, priceTicks, visible, hidden, expiresAt) -> {
            if (book.isPegged(id)) pegs[priceTicks == OrderBook.NO_PRICE ? 1 : 0] = true;
            if (priceTicks == OrderBook.NO_PRICE) return;
            long display = book.displayLots(id);
            long shown = display == 0 ? visible + hidden : Math.min(display, visible + hidden);
            out.merge(priceTicks * Market.TICK, shown * Market.LOT, Long::sum);
        });
        if (pegs[0]) reached[1]++;
        if (pegs[1]) reached[2]++;
        return out;
    }
}
