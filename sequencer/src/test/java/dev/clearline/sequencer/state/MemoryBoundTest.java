package dev.clearline.sequencer.state;

import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Place/fill/cancel churn with leveraged traders, oracle moves (liquidations), gateways that come
 * and go (new client ids) and L1 finalizing batches behind: what the state keeps in memory is
 * bounded by live state (open orders, positions, active clients, batches not final), the same
 * bound after 800 commands as after 3,200; and a snapshot anywhere plus the rest of the log
 * gives the same replies and root.
 */
class MemoryBoundTest {
    static final Market M = new Market(6);
    /** Open orders a trader keeps at most in this flow (it cancels its oldest beyond that). */
    static final int OPEN_PER_TRADER = 4;

    record Logged(Command command, long millis) {}

    /** A churn session of {@code n} commands after the opening, with L1 posting and finalizing as it goes. */
    static List<Logged> churn(long seed, int n) {
        return churn(seed, n, new java.util.LinkedHashMap<>());
    }

    /** The same, and the most of each retained count seen after any command (and the liquidations) into {@code most}. */
    static List<Logged> churn(long seed, int n, Map<String, Integer> most) {
        Random r = new Random(seed);
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<Logged> out = new ArrayList<>(n + n / 2);
        most.put("liquidations", 0);
        long t = Market.START * 1000;
        for (Command c : M.opening(1)) out.add(apply(s, c, t, most));
        Map<Address, ArrayDeque<Hash32>> open = new HashMap<>();
        long l1Seq = 0, posted = 0, fin = 0, clientSeq = 0, client = 100, oracleTs = Market.START, nonce = 1_000;
        long mark = 10_000;
        for (int i = 0; i < n; i++) {
            t += 2_000; // two seconds a command: clients idle past ten minutes retire within a run
            if (i % 400 == 0) { // a gateway restarts: a new client id, numbering from 1
                client++;
                clientSeq = 0;
            }
            int pick = r.nextInt(20);
            Command c;
            if (pick < 15) {
                int who = r.nextInt(M.traders.size());
                Signer sg = M.traders.get(who);
                ArrayDeque<Hash32> mine = open.computeIfAbsent(sg.address(), k -> new ArrayDeque<>());
                if (mine.size() >= OPEN_PER_TRADER) {
                    c = new Command.Cancel(client, ++clientSeq, M.cancel(sg, mine.removeFirst()));
                } else {
                    long lots = 1 + r.nextInt(5);
                    long price = (mark / Market.TICK - 3 + r.nextInt(7)) * Market.TICK;
                    long margin = lots * price * (110 + r.nextInt(400)) / 1_000; // 11 % to 51 %: some are liquidated
                    TimeInForce tif = r.nextInt(6) == 0 ? TimeInForce.IOC : TimeInForce.GTC;
                    VerifiedOrder o = M.order(sg, new Order(sg.address(), Market.MARKET,
                            // the first half mostly buy, the rest mostly sell: positions build up and some are liquidated
                            (who < M.traders.size() / 2) == (r.nextInt(5) != 0) ? Side.BUY : Side.SELL,
                            price, lots * Market.LOT, 0, tif, 0, 0, nonce++, margin));
                    if (tif == TimeInForce.GTC) mine.addLast(o.hash());
                    c = new Command.Place(client, ++clientSeq, o);
                }
            } else if (pick < 18) {
                mark = Math.max(5_000, Math.min(20_000, mark + (r.nextInt(9) - 4) * 150L));
                c = new Command.Oracle(client, ++clientSeq, M.price(mark, ++oracleTs));
            } else {
                c = new Command.TimeTick(client, ++clientSeq, t / 1000);
            }
            out.add(apply(s, c, t, most));
            long sealed = s.sealedBatches();
            if (posted < sealed) {
                out.add(apply(s, new Command.BatchPosted(2, ++l1Seq, posted, t / 1000, t / 1000 + 600), t, most));
                posted++;
            }
            if (fin + 2 < posted) { // L1 finalizes a little behind what is posted
                fin = posted - 2;
                out.add(apply(s, new Command.BatchesFinal(2, ++l1Seq, fin), t, most));
            }
        }
        return out;
    }

    private static Logged apply(SequencerState s, Command c, long millis, Map<String, Integer> most) {
        Reply reply = s.apply(c, millis);
        if (c instanceof Command.Oracle) {
            most.merge("liquidations", FinalityTest.json(reply).path("liquidations").size(), Integer::sum);
            assertNothingLeftToLiquidate(s);
        }
        s.retained().forEach((k, v) -> most.merge(k, v, Math::max));
        return new Logged(c, millis);
    }

    /** After a price, the index left no position below maintenance (the walk over every trader finds none). */
    static void assertNothingLeftToLiquidate(SequencerState s) {
        var m = StateReads.market(s.leaves(), Market.MARKET);
        int open = 0;
        for (Signer t : M.traders) {
            var p = StateReads.position(s.leaves(), t.address(), Market.MARKET);
            assertThat(LiquidationIndex.liquidatable(p, m)).as("%s at mark %d", p, m.markPrice()).isFalse();
            if (p != null && p.size() != 0) open++;
        }
        assertThat(s.retained().get("indexedPositions")).isEqualTo(open);
    }

    @Test
    void retainedRecordsFollowLiveStateNotTheNumberOfCommands() {
        Map<String, Integer> shortRun = new java.util.LinkedHashMap<>(), longRun = new java.util.LinkedHashMap<>();
        churn(7, 800, shortRun);
        churn(7, 3_200, longRun);
        assertThat(longRun.get("liquidations")).as("the flow liquidates").isPositive();
        int traders = M.traders.size() + 1; // and the insurance fund
        // open orders: at most OPEN_PER_TRADER resting per trader; closed ones wait for at most the
        // batches not final (L1 finalizes within 3 batches of 64 transitions here, each fill or post one)
        int orderBound = traders * OPEN_PER_TRADER + 4 * Market.GENESIS.batches().maxTransitions() * 2;
        for (Map<String, Integer> run : List.of(shortRun, longRun)) {
            assertThat(run.get("orderRecords")).as("%s", run).isLessThanOrEqualTo(orderBound);
            assertThat(run.get("bookIds")).as("%s", run).isLessThanOrEqualTo(traders * OPEN_PER_TRADER);
            assertThat(run.get("traders")).isLessThanOrEqualTo(traders);
            assertThat(run.get("activeClients")).as("%s", run).isLessThanOrEqualTo(3); // opening, L1, and the gateway of the last 10 minutes
            assertThat(run.get("dormantClients")).as("%s", run).isLessThanOrEqualTo(16); // 3,200 commands x 2 s: one gateway id per 400, all within 7 days
            assertThat(run.get("repliesKept")).isLessThanOrEqualTo(3 * SequencerState.RESEND_WINDOW);
            assertThat(run.get("batchesInMemory")).as("%s", run).isLessThanOrEqualTo(8);
            assertThat(run.get("indexedPositions")).isLessThanOrEqualTo(M.traders.size());
            assertThat(run.get("depthLevels")).isLessThanOrEqualTo(traders * OPEN_PER_TRADER);
        }
        // four times the commands, the same retained orders' bound: they do not grow with history
        assertThat(longRun.get("orderRecords")).isLessThanOrEqualTo(orderBound);
    }

    @Test
    void aSnapshotAnywhereInTheChurnPlusTheRestOfTheLogGivesTheSameRepliesAndRoot() {
        List<Logged> log = churn(11, 600);
        SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<String> expected = new ArrayList<>();
        for (Logged l : log) expected.add(new String(ReplyCodec.encode(straight.apply(l.command(), l.millis()))));
        Property.forAll(Gens.ints(0, log.size())).tries(3).check(cut -> {
            SequencerState first = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            List<String> got = new ArrayList<>();
            for (Logged l : log.subList(0, cut)) got.add(new String(ReplyCodec.encode(first.apply(l.command(), l.millis()))));
            SequencerState restored = Snapshot.read(Snapshot.write(first), Market.GENESIS, new NativeSecp256k1Verifier());
            assertThat(restored.retained()).isEqualTo(first.retained());
            for (Logged l : log.subList(cut, log.size())) got.add(new String(ReplyCodec.encode(restored.apply(l.command(), l.millis()))));
            assertThat(got).isEqualTo(expected);
            assertThat(restored.stateRoot()).isEqualTo(straight.stateRoot());
            assertThat(restored.retained()).isEqualTo(straight.retained());
        });
    }
}
