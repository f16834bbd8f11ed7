package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.MemoryNodeStore;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.clearline.sequencer.state.LiquidationTest.M;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A sequencer state that takes up where L1 stands ({@link SequencerState#takeUp}): state A runs from genesis and seals
 * batches; B takes up the state A's batches end at, as a replay of L1 would give it. B must seal the next batch on top of
 * L1's last (its index, its pre-state root), in transitions that a second STF applies to L1's state to the root B
 * posts; it must liquidate a position whose owner sends nothing after the take-up (it knows every trader); it keeps no
 * resting order of A's; and it must survive its own snapshot, which is how a node starts from it.
 */
class TakeUpTest {
    static final NativeSecp256k1Verifier VERIFIER = new NativeSecp256k1Verifier();
    static final long PERIOD = 600;

    /** A: the thin long of LiquidationTest, a resting order left on the book, and every batch sealed. */
    static SequencerState before(List<Command> cs) {
        SequencerState a = new SequencerState(Market.GENESIS, VERIFIER);
        for (Command c : cs) a.apply(c, Market.START * 1000);
        Signer seller = M.traders.get(1);
        a.apply(new Command.Place(1, cs.size() + 1, M.order(seller, new Order(seller.address(), Market.MARKET, Side.SELL, 12_000,
                3 * Market.LOT, 0, TimeInForce.GTC, 0, 0, 7, 1_000_000))), Market.START * 1000);
        // a later log time closes the open batch (its age passed the policy's): everything A did is in sealed batches
        a.apply(new Command.TimeTick(1, cs.size() + 2, Market.START + 10), (Market.START + 10) * 1000);
        assertThat(a.vitals().openTransitions()).as("nothing left in the open batch").isZero();
        assertThat(a.restingSize(Market.MARKET)).as("A's resting sell").isEqualTo(3 * Market.LOT);
        return a;
    }

    @Test
    void aStateTakenUpFromL1SealsTheNextBatchOnL1sTipAndLiquidatesWhomItNeverHeardFrom() {
        List<Command> cs = LiquidationTest.opening(11_000);
        SequencerState a = before(cs);
        long sealed = a.sealedBatches();
        assertThat(sealed).as("A sealed batches").isPositive();
        SequencerState.L1Start l1 = a.asOnL1(new long[] {Market.START + 5}, PERIOD);
        BatchHeader tip = l1.last();

        SequencerState b = SequencerState.takeUp(Market.GENESIS, VERIFIER, CommandHistory.inMemory(), l1);
        assertThat(b.stateRoot()).as("the root L1's last batch ends at").isEqualTo(tip.postStateRoot()).isEqualTo(a.stateRoot());
        assertThat(b.seq()).isZero();
        assertThat(b.restingSize(Market.MARKET)).as("no resting order carries over").isZero();
        assertThat(b.vitals().sealedBatches()).isEqualTo(sealed);
        assertThat(b.vitals().batchesPosted()).isEqualTo(sealed);
        assertThat(b.vitals().batchesFinal()).isEqualTo(sealed - 1);
        assertThat(FinalityTest.json(b.apply(new Command.Query(9, 0, Command.QueryKind.STATE, 0, null, null), 0)).path("markets"))
                .as("the market listed in the state's summary").hasSize(1);
        Address buyer = M.traders.get(0).address();
        assertThat(LiquidationTest.account(b, buyer).path("positions").get(0).path("size").asLong()).as("the buyer's position")
                .isEqualTo(10 * Market.LOT);

        // the buyer sends nothing after the take-up; a 10 % crash must still liquidate it
        JsonNode crash = FinalityTest.json(b.apply(new Command.Oracle(1, 1, M.price(9_000, Market.START + 20)), (Market.START + 20) * 1000));
        assertThat(crash.path("liquidations")).hasSize(1);
        assertThat(crash.path("liquidations").get(0).path("trader").asText()).isEqualTo(buyer.toString());
        // and trading goes on: two traders cross at the new price
        Signer s2 = M.traders.get(2), seller = M.traders.get(1);
        b.apply(new Command.Place(1, 2, M.order(seller, new Order(seller.address(), Market.MARKET, Side.SELL, 9_000, 2 * Market.LOT, 0,
                TimeInForce.GTC, 0, 0, 8, 1_000_000))), (Market.START + 20) * 1000);
        JsonNode fill = FinalityTest.json(b.apply(new Command.Place(1, 3, M.order(s2, new Order(s2.address(), Market.MARKET, Side.BUY, 9_000,
                2 * Market.LOT, 0, TimeInForce.GTC, 0, 0, 1, 1_000_000))), (Market.START + 20) * 1000));
        assertThat(fill.path("events").findValuesAsText("event")).as("a fill after the take-up: " + fill).contains("Filled");
        b.apply(new Command.TimeTick(1, 4, Market.START + 40), (Market.START + 40) * 1000);

        Batch next = b.sealedBatch(sealed);
        assertThat(next).as("the batch after L1's last").isNotNull();
        assertThat(next.header().batchIndex()).isEqualTo(sealed);
        assertThat(next.header().prevStateRoot()).as("built on L1's tip").isEqualTo(tip.postStateRoot());
        assertThat(next.transitions()).anySatisfy(t -> assertThat(t).isInstanceOf(Transition.Liquidate.class));
        assertThat(next.transitions()).anySatisfy(t -> assertThat(t).isInstanceOf(Transition.Trade.class));
        assertThat(replay(l1, next)).as("a second STF on L1's state reaches the root B posts").isEqualTo(next.header().postStateRoot());
    }

    /**
     * Withdrawals L1's state holds show in a taken-up node's account views as they stand on L1: one numbered in a batch
     * already final as final (in the last final batch: its own is not in the state), one in a batch still in its challenge
     * period as posted in that very batch with when it becomes final, each under its recipient with its id and amount. The
     * counts per batch come from a watcher's replay of A's batches (as {@code take-up} reads them from L1), not from A.
     */
    @Test
    void withdrawalsOnL1ShowInTheTakenUpAccountViewsAtTheirStage() throws Exception {
        SequencerState a = new SequencerState(Market.GENESIS, VERIFIER);
        List<Command> cs = LiquidationTest.opening(11_000);
        for (Command c : cs) a.apply(c, Market.START * 1000);
        Signer w = M.traders.get(1), other = M.traders.get(2);
        long t = Market.START;
        long seq = cs.size();
        a.apply(new Command.TimeTick(1, ++seq, t += 10), t * 1000); // the opening sealed
        a.apply(withdraw(w, w.address(), 111_000, 0, ++seq), t * 1000);
        a.apply(new Command.TimeTick(1, ++seq, t += 10), t * 1000);
        a.apply(withdraw(w, other.address(), 222_000, 1, ++seq), t * 1000); // paid to another trader
        a.apply(new Command.TimeTick(1, ++seq, t += 10), t * 1000);
        a.apply(new Command.L1Op(1, ++seq, new Transition.ForcedWithdrawal(cs.stream().filter(c -> c instanceof Command.L1Op).count(), 0, w.address(), 333_000)), t * 1000);
        a.apply(new Command.TimeTick(1, ++seq, t += 10), t * 1000);
        assertThat(a.vitals().openTransitions()).as("everything sealed").isZero();
        JsonNode own = LiquidationTest.account(a, w.address()).path("withdrawals");
        assertThat(own).as("A's view of the three: " + own).hasSize(3);
        long[] batchOf = new long[3];
        for (int i = 0; i < 3; i++) batchOf[i] = own.get(i).path("batch").asLong();
        assertThat(batchOf[0]).as("three batches").isLessThan(batchOf[1]);
        assertThat(batchOf[1]).isLessThan(batchOf[2]);

        // L1 holds every batch; the last two (the second and third withdrawals) are still in their challenge period
        long sealed = a.sealedBatches();
        long finalized = batchOf[1];
        long[] postedAt = new long[(int) (sealed - finalized)];
        for (int i = 0; i < postedAt.length; i++) postedAt[i] = t + i;
        long[] counts = watcherWithdrawalCounts(a, finalized);
        SequencerState.L1Start asA = a.asOnL1(postedAt, PERIOD);
        assertThat(asA.withdrawalCounts()).as("what A's views count per batch is what a watcher's replay counts").containsExactly(counts);
        SequencerState.L1Start l1 = new SequencerState.L1Start(asA.leaves(), asA.traders(), asA.markets(), asA.batches(), asA.finalized(),
                asA.tipRoot(), asA.last(), postedAt, counts, PERIOD);
        SequencerState b = SequencerState.takeUp(Market.GENESIS, VERIFIER, CommandHistory.inMemory(), l1);

        JsonNode mine = LiquidationTest.account(b, w.address()).path("withdrawals");
        JsonNode theirs = LiquidationTest.account(b, other.address()).path("withdrawals");
        assertThat(mine).as("the trader's own: " + mine).hasSize(2);
        assertThat(theirs).as("the one paid to another, under its recipient: " + theirs).hasSize(1);
        JsonNode first = mine.get(0), forced = mine.get(1), paid = theirs.get(0);
        assertThat(first.path("withdrawalId").asLong()).isEqualTo(own.get(0).path("withdrawalId").asLong());
        assertThat(first.path("amount").asLong()).isEqualTo(111_000);
        assertThat(first.path("stage").asText()).isEqualTo("final");
        assertThat(first.path("batch").asLong()).as("in the last final batch").isEqualTo(finalized - 1);
        assertThat(paid.path("withdrawalId").asLong()).isEqualTo(own.get(1).path("withdrawalId").asLong());
        assertThat(paid.path("recipient").asText()).isEqualTo(other.address().toString());
        assertThat(paid.path("amount").asLong()).isEqualTo(222_000);
        assertThat(paid.path("stage").asText()).isEqualTo("posted");
        assertThat(paid.path("batch").asLong()).as("its own batch").isEqualTo(batchOf[1]);
        assertThat(paid.path("finalAt").asLong()).isEqualTo(postedAt[(int) (batchOf[1] - finalized)] + PERIOD);
        assertThat(forced.path("withdrawalId").asLong()).isEqualTo(own.get(2).path("withdrawalId").asLong());
        assertThat(forced.path("amount").asLong()).isEqualTo(333_000);
        assertThat(forced.path("stage").asText()).isEqualTo("posted");
        assertThat(forced.path("batch").asLong()).isEqualTo(batchOf[2]);
        assertThat(forced.path("finalAt").asLong()).isEqualTo(postedAt[(int) (batchOf[2] - finalized)] + PERIOD);

        // the views survive the snapshot a node starts from
        SequencerState c = Snapshot.read(Snapshot.write(b), Market.GENESIS, VERIFIER);
        assertThat(LiquidationTest.account(c, w.address()).path("withdrawals")).isEqualTo(mine);

        SequencerState.L1Start short1 = new SequencerState.L1Start(l1.leaves(), l1.traders(), l1.markets(), l1.batches(), l1.finalized(),
                l1.tipRoot(), l1.last(), postedAt, new long[] {counts[0], counts[1], counts[2] - 1}, PERIOD);
        assertThatThrownBy(() -> SequencerState.takeUp(Market.GENESIS, VERIFIER, CommandHistory.inMemory(), short1))
                .as("counts that do not end at the state's").isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numbered 3");
        assertThatThrownBy(() -> new SequencerState.L1Start(l1.leaves(), l1.traders(), l1.markets(), l1.batches(), l1.finalized(),
                l1.tipRoot(), l1.last(), postedAt, new long[] {counts[0], counts[2]}, PERIOD)).as("one count short")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SequencerState.L1Start(l1.leaves(), l1.traders(), l1.markets(), l1.batches(), l1.finalized(),
                l1.tipRoot(), l1.last(), postedAt, new long[] {counts[1], counts[0], counts[2]}, PERIOD)).as("counts going down")
                .isInstanceOf(IllegalArgumentException.class);
        // fills listed at a take-up are those of the batches not final, in L1's order
        java.util.function.LongFunction<FillsOnL1.Fill> fillIn = batch -> new FillsOnL1.Fill(batch, Market.MARKET, 10_000, Market.LOT, null, null,
                w.address(), other.address(), dev.clearline.engine.order.Side.BUY, 1, 2);
        for (long[] batchesOfFills : new long[][] {{finalized - 1}, {sealed}, {sealed - 1, finalized}}) {
            List<FillsOnL1.Fill> fills = java.util.Arrays.stream(batchesOfFills).mapToObj(fillIn).toList();
            assertThatThrownBy(() -> new SequencerState.L1Start(l1.leaves(), l1.traders(), l1.markets(), l1.batches(), l1.finalized(),
                    l1.tipRoot(), l1.last(), postedAt, counts, PERIOD, fills)).as("fills of batches %s", java.util.Arrays.toString(batchesOfFills))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(the ones not final), in L1's order");
        }
        assertThat(new SequencerState.L1Start(l1.leaves(), l1.traders(), l1.markets(), l1.batches(), l1.finalized(), l1.tipRoot(), l1.last(),
                postedAt, counts, PERIOD, List.of(fillIn.apply(finalized), fillIn.apply(finalized), fillIn.apply(sealed - 1))).fills()).hasSize(3);
    }

    private static Command withdraw(Signer from, Address to, long amount, long nonce, long seq) {
        return new Command.Signed(1, seq, new Transition.Withdraw(from.address(), to, amount, nonce,
                from.sign(M.domain.withdrawDigest(from.address(), to, amount, nonce))));
    }

    /** A watcher's count of withdrawals where batch {@code finalized} began, then after each later one: A's batches replayed from genesis. */
    private static long[] watcherWithdrawalCounts(SequencerState a, long finalized) {
        TreeLeafStore store = new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore(), 0), 1 << 12);
        SequencerState fresh = new SequencerState(Market.GENESIS, VERIFIER);
        store.putAll(fresh.asOnL1(new long[0], PERIOD).leaves());
        store.commit();
        Stf stf = new Stf(Market.GENESIS.domain(), VERIFIER);
        long[] counts = new long[(int) (a.sealedBatches() - finalized) + 1];
        for (long i = 0; i < a.sealedBatches(); i++) {
            if (i == finalized) counts[0] = dev.clearline.engine.stf.StateReads.global(store).nextWithdrawalId();
            Batch batch = a.sealedBatch(i);
            assertThat(batch.header().prevStateRoot()).isEqualTo(store.root());
            for (Transition t : batch.transitions()) assertThat(stf.apply(store, t, i)).as("%s", t).isInstanceOf(Outcome.Applied.class);
            store.commit();
            if (i >= finalized) counts[(int) (i - finalized) + 1] = dev.clearline.engine.stf.StateReads.global(store).nextWithdrawalId();
        }
        return counts;
    }

    /** What a watcher computes: the batch's transitions applied to L1's state, in a tree of its own. */
    static Hash32 replay(SequencerState.L1Start l1, Batch batch) {
        TreeLeafStore store = new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore(), 0), 1 << 12);
        store.putAll(l1.leaves());
        store.commit();
        assertThat(store.root()).isEqualTo(batch.header().prevStateRoot());
        Stf stf = new Stf(Market.GENESIS.domain(), VERIFIER);
        for (Transition t : batch.transitions()) {
            assertThat(stf.apply(store, t, batch.header().batchIndex())).as("%s", t).isInstanceOf(Outcome.Applied.class);
        }
        return store.root();
    }

    /** A node starts from a take-up as from a snapshot: its image must load and go on exactly as the state itself. */
    @Test
    void aTakenUpStateGoesOnThroughItsSnapshotAsItself() throws Exception {
        SequencerState a = before(LiquidationTest.opening(11_000));
        SequencerState.L1Start l1 = a.asOnL1(new long[0], PERIOD);
        SequencerState b = SequencerState.takeUp(Market.GENESIS, VERIFIER, CommandHistory.inMemory(), l1);
        SequencerState c = Snapshot.read(Snapshot.write(b), Market.GENESIS, VERIFIER);
        assertThat(c.stateRoot()).isEqualTo(b.stateRoot());
        Signer s2 = M.traders.get(2);
        Order resent = new Order(M.traders.get(1).address(), Market.MARKET, Side.SELL, 12_000, 3 * Market.LOT, 0, TimeInForce.GTC, 0, 0, 7,
                1_000_000);
        List<Command> after = List.of(
                new Command.Oracle(1, 1, M.price(9_000, Market.START + 20)),
                new Command.Place(1, 2, M.order(M.traders.get(1), resent)), // A's resting order, which L1 never saw posted: taken again
                new Command.Place(1, 3, M.order(s2, new Order(s2.address(), Market.MARKET, Side.BUY, 12_000, Market.LOT, 0, TimeInForce.GTC, 0, 0,
                        1, 1_000_000))),
                new Command.TimeTick(1, 4, Market.START + 40));
        for (Command cmd : after) {
            long ms = (Market.START + 40) * 1000;
            assertThat(FinalityTest.json(c.apply(cmd, ms))).as("%s", cmd).isEqualTo(FinalityTest.json(b.apply(cmd, ms)));
        }
        assertThat(c.stateRoot()).isEqualTo(b.stateRoot());
        assertThat(Snapshot.write(c)).as("the two images").isEqualTo(Snapshot.write(b));
    }

    @Test
    void leavesThatDoNotEndAtL1sLastBatchAreRefused() {
        SequencerState a = before(LiquidationTest.opening(11_000));
        SequencerState.L1Start l1 = a.asOnL1(new long[0], PERIOD);
        Hash32 elsewhere = l1.last().prevStateRoot();
        SequencerState.L1Start wrong = new SequencerState.L1Start(l1.leaves(), l1.traders(), l1.markets(), l1.batches(), l1.finalized(),
                elsewhere, null, new long[0], l1.withdrawalCounts(), PERIOD);
        assertThatThrownBy(() -> SequencerState.takeUp(Market.GENESIS, VERIFIER, CommandHistory.inMemory(), wrong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ends at " + elsewhere);
        assertThatThrownBy(() -> new SequencerState.L1Start(l1.leaves(), l1.traders(), l1.markets(), l1.batches(), l1.finalized(),
                elsewhere, l1.last(), new long[0], l1.withdrawalCounts(), PERIOD)).as("a header that does not end at the tip").isInstanceOf(IllegalArgumentException.class);
    }

    /** {@code l1} with the digests its reader named replaced by {@code hashes}. */
    private static SequencerState.L1Start naming(SequencerState.L1Start l1, List<Hash32> hashes) {
        return new SequencerState.L1Start(l1.leaves(), l1.traders(), l1.markets(), l1.batches(), l1.finalized(), l1.tipRoot(), l1.last(),
                l1.postedAt(), l1.withdrawalCounts(), l1.challengePeriod(), l1.fills(), hashes);
    }

    /**
     * Orders with an expiry posted before a take-up (one filled, one left resting partly filled, dropped with the books):
     * their ORDER_HASH leaves go in the first batch after their market's oracle time passes the expiry, as on the node
     * that took them, when the reader of L1 named their hashes ({@code L1Start.postedHashes}); named by nobody they stay
     * for good, which is what a take-up did before. A hash named that the state holds no expiring leaf for is passed over.
     */
    @Test
    void expiringOrdersPostedBeforeATakeUpLoseTheirHashLeavesOnceTheyExpire() {
        SequencerState a = new SequencerState(Market.GENESIS, VERIFIER);
        List<Command> cs = LiquidationTest.opening(11_000);
        for (Command c : cs) a.apply(c, Market.START * 1000);
        Signer seller = M.traders.get(1), buyer = M.traders.get(2);
        long expiry = Market.START + 100;
        var resting = M.order(seller, new Order(seller.address(), Market.MARKET, Side.SELL, 12_000, 3 * Market.LOT, 0, TimeInForce.GTC, 0, expiry, 7,
                1_000_000));
        var taker = M.order(buyer, new Order(buyer.address(), Market.MARKET, Side.BUY, 12_000, Market.LOT, 0, TimeInForce.IOC, 0, expiry, 1, 1_000_000));
        // an order without expiry, filled (the exchange posts an order when it first trades): its hash stays for good
        var forGood = M.order(buyer, new Order(buyer.address(), Market.MARKET, Side.BUY, 12_000, Market.LOT, 0, TimeInForce.IOC, 0, 0, 2, 1_000_000));
        long seq = cs.size();
        for (var v : List.of(resting, taker, forGood)) {
            JsonNode placed = FinalityTest.json(a.apply(new Command.Place(1, ++seq, v), Market.START * 1000));
            assertThat(placed.path("outcomes").get(0).path("accepted").asBoolean()).as(placed.toString()).isTrue();
        }
        a.apply(new Command.TimeTick(1, ++seq, Market.START + 10), (Market.START + 10) * 1000);
        SequencerState.L1Start l1 = a.asOnL1(new long[0], PERIOD);
        List<Hash32> expiring = List.of(resting.hash(), taker.hash());
        assertThat(l1.postedHashes()).as("the expiring orders A's batches posted").containsExactlyInAnyOrderElementsOf(expiring);
        SequencerState.L1Start unnamed = naming(l1, List.of(forGood.hash(), Hash32.ZERO));
        // a reader may name a hash twice (a final batch's and a live batch's refused repeat): one prune each, or the second is refused
        List<Hash32> doubled = new java.util.ArrayList<>(l1.postedHashes());
        doubled.addAll(l1.postedHashes());
        SequencerState.L1Start twice = naming(l1, doubled);

        for (SequencerState.L1Start start : List.of(twice, unnamed)) {
            SequencerState b = SequencerState.takeUp(Market.GENESIS, VERIFIER, CommandHistory.inMemory(), start);
            assertThat(b.hashesAwaitingExpiry()).as("the named hashes with an expiring leaf").isEqualTo(start == twice ? 2 : 0);
            long sealed = b.sealedBatches();
            b.apply(new Command.Oracle(1, 1, M.price(11_000, expiry)), (Market.START + 20) * 1000); // at the expiry: not past it
            b.apply(new Command.TimeTick(1, 2, Market.START + 40), (Market.START + 40) * 1000);
            for (Hash32 h : expiring) assertThat(dev.clearline.engine.stf.StateReads.orderHash(b.leaves(), h)).as("not yet expired").isNotNull();
            b.apply(new Command.Oracle(1, 3, M.price(11_000, expiry + 1)), (Market.START + 50) * 1000);
            b.apply(new Command.TimeTick(1, 4, Market.START + 70), (Market.START + 70) * 1000);
            List<Transition> after = new java.util.ArrayList<>();
            for (long i = sealed; i < b.sealedBatches(); i++) after.addAll(b.sealedBatch(i).transitions());
            List<Hash32> pruned = after.stream().filter(t -> t instanceof Transition.PruneOrderHash).map(t -> ((Transition.PruneOrderHash) t).orderHash()).toList();
            if (start == twice) {
                assertThat(pruned).as("both, once the oracle time passed their expiry").containsExactlyInAnyOrderElementsOf(expiring);
                for (Hash32 h : expiring) assertThat(dev.clearline.engine.stf.StateReads.orderHash(b.leaves(), h)).isNull();
            } else {
                assertThat(pruned).as("named by nobody (an order without expiry and a hash with no leaf are passed over)").isEmpty();
                for (Hash32 h : expiring) assertThat(dev.clearline.engine.stf.StateReads.orderHash(b.leaves(), h)).as("kept for good").isNotNull();
            }
            assertThat(dev.clearline.engine.stf.StateReads.orderHash(b.leaves(), forGood.hash())).as("an order without expiry keeps its hash").isNotNull();
            b.close();
        }
        a.close();
    }
}
