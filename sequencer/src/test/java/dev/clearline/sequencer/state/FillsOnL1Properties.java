package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fills a reader of L1 rebuilds from posted batches ({@link FillsOnL1}) against the fills the node listed from its
 * exchange's events, under random flows of plain, iceberg, market and pegged orders (mark-pegged makers fill at the mark's
 * price, book-pegged ones through TradeAtPrice), cancels and marks: for every trader, the same fills in the same order with
 * the same price, size, orders, sides, fees and batch. Then a node takes up from L1 with some of the batches still in their
 * challenge period: its account views list exactly the fills of those batches, posted, without a seq, and keep them through a
 * snapshot.
 */
class FillsOnL1Properties {
    static final Market M = new Market(5);
    static final NativeSecp256k1Verifier VERIFIER = new NativeSecp256k1Verifier();
    static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();
    /** What a fill says besides its seq and stage: what the replay of L1 must give alike. */
    static final List<String> FIELDS = List.of("market", "price", "size", "makerOrderHash", "takerOrderHash", "takerSide", "makerFee",
            "takerFee", "maker", "taker", "batch");

    @Test
    void theFillsL1HoldsAreTheFillsTheNodeListedAndATakeUpListsThoseNotFinal() {
        long[] reached = new long[4]; // fills compared, mark-pegged makers filled, TradeAtPrice fills, fills listed after take-ups
        Property.forAll(Gens.seeds()).tries(12).check(seed -> {
            Random r = new Random(seed);
            SequencerState a = new SequencerState(Market.GENESIS, VERIFIER);
            List<Command> cs = new ArrayList<>(M.opening(7));
            Set<String> markPegged = new HashSet<>();
            cs.addAll(flow(r, cs.size() + 1, 80 + r.nextInt(120), markPegged));
            long ms = Market.START * 1000;
            for (Command c : cs) a.apply(c, ms += 10);
            a.apply(new Command.TimeTick(7, cs.size() + 1, Market.START + 10_000), (Market.START + 10_000) * 1000);
            long sealed = a.sealedBatches();

            // every batch L1 holds, none final: the replay's fills are every fill the node listed
            SequencerState.L1Start all = a.asOnL1(new long[(int) sealed], 600);
            for (Transition t : allTransitions(a, sealed)) if (t instanceof Transition.TradeAtPrice) reached[2]++;
            for (var f : all.fills()) if (f.makerOrderHash() != null && markPegged.contains(f.makerOrderHash().toString())) reached[1]++;
            for (Address trader : traders()) {
                List<JsonNode> listed = fieldsOf(LiquidationTest.account(a, trader).path("fills"));
                assertThat(listed.size()).as("under the view's 200 per trader").isLessThan(200);
                List<JsonNode> onL1 = fieldsOf(viewOf(all.fills(), trader, sealed));
                assertThat(onL1).as("trader %s: the fills L1 holds against the node's", trader).isEqualTo(listed);
                reached[0] += listed.size();
            }

            // L1 finalized the first batches; the rest are in their challenge period when a node takes up
            long finalized = r.nextLong(sealed + 1);
            long[] postedAt = new long[(int) (sealed - finalized)];
            for (int i = 0; i < postedAt.length; i++) postedAt[i] = Market.START + 100 + i;
            SequencerState.L1Start l1 = a.asOnL1(postedAt, 600);
            assertThat(l1.fills()).as("the fills of the batches not final").allSatisfy(f -> assertThat(f.batch()).isGreaterThanOrEqualTo(finalized));
            SequencerState b = SequencerState.takeUp(Market.GENESIS, VERIFIER, CommandHistory.inMemory(), l1);
            SequencerState restored = Snapshot.read(Snapshot.write(b), Market.GENESIS, VERIFIER);
            for (Address trader : traders()) {
                List<JsonNode> expected = new ArrayList<>();
                for (JsonNode f : fieldsOf(LiquidationTest.account(a, trader).path("fills"))) if (f.path("batch").asLong() >= finalized) expected.add(f);
                for (SequencerState s : List.of(b, restored)) {
                    JsonNode fills = LiquidationTest.account(s, trader).path("fills");
                    assertThat(fieldsOf(fills)).as("trader %s's fills after the take-up", trader).isEqualTo(expected);
                    for (JsonNode f : fills) {
                        assertThat(f.has("seq")).as("a fill the new log never numbered: %s", f).isFalse();
                        assertThat(f.path("stage").asText()).isEqualTo("posted");
                        assertThat(f.path("finalAt").asLong()).isEqualTo(postedAt[(int) (f.path("batch").asLong() - finalized)] + 600);
                    }
                }
                reached[3] += expected.size();
            }
            a.close();
            b.close();
            restored.close();
        });
        System.out.printf("FillsOnL1Properties: %d fills compared, %d of mark-pegged makers, %d TradeAtPrice, %d listed after take-ups%n",
                reached[0], reached[1], reached[2], reached[3]);
        if (System.getProperty("clearline.seed", "").isEmpty()) {
            for (int i = 0; i < reached.length; i++) assertThat(reached[i]).as("counter %d reached", i).isPositive();
        }
    }

    private static List<Address> traders() {
        List<Address> out = new ArrayList<>();
        for (var s : M.traders) out.add(s.address());
        return out;
    }

    private static List<Transition> allTransitions(SequencerState s, long sealed) {
        List<Transition> out = new ArrayList<>();
        for (long i = 0; i < sealed; i++) out.addAll(s.sealedBatch(i).transitions());
        return out;
    }

    /** The replay's fills of {@code trader}, as a view lists them (through a view of their own, so the JSON is the view's). */
    private static JsonNode viewOf(List<FillsOnL1.Fill> fills, Address trader, long sealed) {
        OrderBookView v = new OrderBookView();
        for (FillsOnL1.Fill f : fills) v.fillOnL1(f);
        L1Finality l1 = new L1Finality();
        try { // through text, as a reply reaches a reader: numbers typed alike
            return MAPPER.readTree(MAPPER.writeValueAsString(v.account(trader, new dev.clearline.engine.stf.MemoryLeafStore(), l1))).path("fills");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<JsonNode> fieldsOf(JsonNode fills) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode f : fills) {
            ObjectNode kept = MAPPER.createObjectNode();
            for (String k : FIELDS) if (f.has(k)) kept.set(k, f.get(k));
            out.add(kept);
        }
        return out;
    }

    /**
     * Orders of every kind that fills, cancels, marks that move mark-pegged makers, and ticks that seal batches. Mark-pegged
     * orders' hashes go to {@code markPegged}.
     */
    static List<Command> flow(Random r, long firstSeq, int count, Set<String> markPegged) {
        List<Command> out = new ArrayList<>();
        List<VerifiedOrder> placed = new ArrayList<>();
        long seq = firstSeq;
        long ts = Market.START;
        long nonce = 1_000;
        for (int i = 0; i < count; i++) {
            int pick = r.nextInt(20);
            if (pick < 15 || placed.isEmpty()) {
                var s = M.traders.get(r.nextInt(M.traders.size()));
                Side side = r.nextBoolean() ? Side.BUY : Side.SELL;
                long lots = 1 + r.nextInt(5);
                long price = (95 + r.nextInt(11)) * Market.TICK;
                int kind = r.nextInt(10);
                Peg peg = kind == 0 ? Peg.MARK : kind == 1 ? Peg.BOOK : Peg.NONE;
                int offset = peg == Peg.NONE ? 0 : r.nextInt(7) - 3;
                long display = kind == 2 && lots > 1 ? Market.LOT : 0;
                int flags = kind == 3 ? Order.MARKET : 0;
                if (flags == Order.MARKET) price = side == Side.BUY ? 120 * Market.TICK : 80 * Market.TICK;
                TimeInForce tif = kind == 3 || r.nextInt(6) == 0 ? TimeInForce.IOC : TimeInForce.GTC;
                VerifiedOrder o = M.order(s, new Order(s.address(), Market.MARKET, side, price, lots * Market.LOT, display, tif, flags, peg, offset,
                        0, nonce++, 1_000_000));
                if (peg == Peg.MARK) markPegged.add(o.hash().toString());
                placed.add(o);
                out.add(new Command.Place(7, seq++, o));
            } else if (pick < 17) {
                VerifiedOrder o = placed.get(r.nextInt(placed.size()));
                out.add(new Command.Cancel(7, seq++, M.cancel(M.owner(o.order().trader()), o.hash())));
            } else if (pick < 19) {
                out.add(new Command.Oracle(7, seq++, M.price((97 + r.nextInt(7)) * Market.TICK, ++ts)));
            } else {
                out.add(new Command.TimeTick(7, seq++, Market.START + i));
            }
        }
        return out;
    }
}
