package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.exchange.Exchange;
import dev.clearline.engine.exchange.MarketBooks;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.l1.GatewayLink;
import dev.clearline.sequencer.l1.SealedBatch;
import dev.clearline.tree.store.MemoryNodeStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands whose transitions outgrow a batch. The rollup refuses a batch of more than its
 * {@code maxTransitions} (4,096 as deployed), and batches post in order, so one such batch would
 * stop every later one and, at the force delay, freeze the rollup. Before the fill limit one IOC
 * order could sweep a whole book into one batch, and one oracle price could liquidate any number
 * of positions into one. Each case here checks the batches the node seals: none longer than the
 * policy allows (or than one order needs), each replayed honest from its calldata alone.
 */
class LongGroupsTest {
    private static final long CLIENT = 7;

    /** A sweep of 100 more resting asks than the fill limit by one IOC buy: it stops at the limit, in one batch with its PostOrder. */
    @Test
    void anIocThatWouldSweepPastTheFillLimitStopsThereAndItsFillsShareOneBatch() throws Exception {
        Genesis genesis = new Genesis(31337, Market.ROLLUP, new MarketBooks(1 << 12, 1 << 20, 1 << 12),
                new BatchPolicy(BatchPolicy.POOLED_TRANSITIONS, 2));
        Market m = new Market(2);
        SequencerState s = new SequencerState(genesis, new NativeSecp256k1Verifier());
        List<Command> cs = new ArrayList<>(m.opening(CLIENT));
        Signer maker = m.traders.get(1), taker = m.traders.get(0);
        int asks = Exchange.MAX_FILLS_PER_ORDER + 100;
        for (int i = 0; i < asks; i++) {
            cs.add(new Command.Place(CLIENT, cs.size() + 1, m.order(maker, new Order(maker.address(), Market.MARKET, Side.SELL, 10_000,
                    Market.LOT, 0, TimeInForce.GTC, 0, 0, i, 1_000_000))));
        }
        for (Command c : cs) s.apply(c, Market.START * 1000);
        VerifiedOrder sweep = m.order(taker, new Order(taker.address(), Market.MARKET, Side.BUY, 10_000, asks * Market.LOT, 0,
                TimeInForce.IOC, 0, 0, 1, 1_000_000_000L));
        // the same size as fill-or-kill is refused whole, and the verdict says why and what to do instead
        VerifiedOrder fok = m.order(taker, new Order(taker.address(), Market.MARKET, Side.BUY, 10_000, asks * Market.LOT, 0,
                TimeInForce.FOK, 0, 0, 2, 1_000_000_000L));
        JsonNode refused = FinalityTest.json(s.apply(new Command.Place(CLIENT, cs.size() + 1, fok), Market.START * 1000)).path("outcomes").get(0);
        assertThat(refused.path("accepted").asBoolean()).isFalse();
        assertThat(refused.path("reject").asText()).isEqualTo("BOOK_REJECTED");
        assertThat(refused.path("bookReason").asText()).isEqualTo("FILL_OR_KILL_TOO_MANY_FILLS");
        assertThat(refused.path("help").asText()).contains("split it into smaller orders");
        JsonNode reply = FinalityTest.json(s.apply(new Command.Place(CLIENT, cs.size() + 2, sweep), Market.START * 1000));

        assertThat(reply.path("outcomes").get(0).path("accepted").asBoolean()).isTrue();
        List<JsonNode> events = new ArrayList<>();
        reply.path("events").forEach(events::add);
        assertThat(events).filteredOn(e -> e.path("event").asText().equals("Filled")).hasSize(Exchange.MAX_FILLS_PER_ORDER);
        assertThat(events).filteredOn(e -> e.path("event").asText().equals("Cancelled") && e.path("why").asText().equals("FILL_LIMIT"))
                .singleElement().satisfies(e -> assertThat(e.path("remaining").asLong()).isEqualTo(100 * Market.LOT));
        JsonNode order = FinalityTest.json(s.apply(new Command.Query(9, 0, Command.QueryKind.ORDER, 0, null, sweep.hash()), 0)).path("order");
        assertThat(order.path("status").asText()).isEqualTo("cancelled:fill_limit");

        List<SealedBatch> batches = sealAndReplay(s, genesis);
        assertThat(batches).allSatisfy(b -> assertThat(b.header().transitionCount()).isLessThanOrEqualTo(BatchPolicy.POOLED_TRANSITIONS));
        // the opening's few transitions, then the sweep's PostOrder, and a maker's PostOrder and a Trade per fill: 801 in one
        // batch (without the limit its 500 fills would have made 1,001, and a larger sweep any number); the PruneOrders of the
        // 400 filled makers and of the sweep follow it, each a run of its own, into the next batch
        assertThat(batches).anySatisfy(b -> assertThat(b.header().transitionCount())
                .isBetween(Exchange.LONGEST_ORDER_RUN, BatchPolicy.POOLED_TRANSITIONS));
    }

    /**
     * 80 positions liquidated by one oracle price under a policy of 64 per batch: the oracle's
     * group (its price and 80 Liquidates) is cut into batches of at most 64, where it was one of 81.
     */
    @Test
    void aMassLiquidationLongerThanABatchIsCutIntoBatchesThatFit() throws Exception {
        int longs = 80;
        Market m = new Market(longs + 1);
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<Command> cs = new ArrayList<>(m.opening(CLIENT));
        Signer seller = m.traders.get(0);
        cs.add(new Command.Place(CLIENT, cs.size() + 1, m.order(seller, new Order(seller.address(), Market.MARKET, Side.SELL, 10_000,
                longs * Market.LOT, 0, TimeInForce.GTC, 0, 0, 1, 1_000_000_000L))));
        for (int i = 1; i <= longs; i++) {
            Signer buyer = m.traders.get(i);
            // 1 lot with 1,100 of margin: a 10 % fall leaves it under 5 % maintenance (LiquidationTest's case at a tenth of the size)
            cs.add(new Command.Place(CLIENT, cs.size() + 1, m.order(buyer, new Order(buyer.address(), Market.MARKET, Side.BUY, 10_000,
                    Market.LOT, 0, TimeInForce.GTC, 0, 0, 1, 1_100))));
        }
        for (Command c : cs) s.apply(c, Market.START * 1000);
        JsonNode crash = FinalityTest.json(s.apply(new Command.Oracle(CLIENT, cs.size() + 1, m.price(9_000, Market.START + 2)), Market.START * 1000));

        assertThat(crash.path("liquidations")).hasSize(longs);
        List<Integer> sizes = new ArrayList<>();
        crash.path("batches").forEach(b -> sizes.add(b.path("transitions").asInt()));
        assertThat(sizes).as("the crash's group of %d cut into full batches", longs + 1).isNotEmpty().allSatisfy(n -> assertThat(n).isEqualTo(64));
        List<SealedBatch> batches = sealAndReplay(s, Market.GENESIS);
        assertThat(batches).allSatisfy(b -> assertThat(b.header().transitionCount()).isLessThanOrEqualTo(64));
    }

    /** Seals what is open (a time tick past the batch age), then replays every batch from its calldata as a watcher does. */
    private static List<SealedBatch> sealAndReplay(SequencerState s, Genesis genesis) throws Exception {
        s.apply(new Command.TimeTick(CLIENT + 1, 1, Market.START + 3_600), Market.START * 1000);
        GatewayLink link = GatewayLink.direct(s, () -> Market.START * 1000);
        BatchVerifier replay = new BatchVerifier(new Stf(genesis.domain(), new BouncyCastleVerifier()), new MemoryNodeStore());
        List<SealedBatch> out = new ArrayList<>();
        for (long i = 0; ; i++) {
            var b = link.batch(i);
            if (b.isEmpty()) break;
            out.add(b.get());
            assertThat(replay.verify(new PostedBatch(b.get().header(), b.get().calldata()))).as("batch %d", i).isInstanceOf(Verdict.Honest.class);
        }
        assertThat(out).isNotEmpty();
        return out;
    }
}
