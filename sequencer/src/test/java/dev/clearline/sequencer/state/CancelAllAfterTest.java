package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The dead man's switch ({@code Command.CancelAllAfter}) on the sequencer's state: once the log's clock reaches a
 * trader's deadline every open order of that trader leaves, resting and armed, and no one else's; a switch moved or
 * turned off in time keeps them; a move that arrives after the deadline comes too late; an old message sent again and a
 * deadline already past are refused and change nothing; a switch comes back from a snapshot and fires there.
 */
class CancelAllAfterTest {
    static final Market M = new Market(3);
    static final long T = Market.TICK, LOT = Market.LOT;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private final Signer alice = M.traders.get(0), bob = M.traders.get(1);
    private long seq, ts = Market.START, nonce = 1;

    private SequencerState opened() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (Command c : M.opening(1)) s.apply(c, 0);
        seq = 0;
        return s;
    }

    private VerifiedOrder order(Signer who, Side side, long price, long lots, TimeInForce tif, int flags) {
        return M.order(who, new Order(who.address(), Market.MARKET, side, price, lots * LOT, 0, tif, flags, 0, nonce++, 1_000_000));
    }

    private JsonNode apply(SequencerState s, Command c) {
        return FinalityTest.json(s.apply(c, ts * 1000));
    }

    private JsonNode place(SequencerState s, VerifiedOrder v) {
        return apply(s, new Command.Place(2, ++seq, v));
    }

    static Command.CancelAllAfter switchOf(long client, long clientSeq, Signer who, long deadline, long n) {
        return new Command.CancelAllAfter(client, clientSeq, who.address(), deadline, n, who.sign(M.domain.cancelAllAfterDigest(who.address(), deadline, n)));
    }

    private JsonNode schedule(SequencerState s, Signer who, long deadline, long n) {
        return apply(s, switchOf(2, ++seq, who, deadline, n));
    }

    /** Time passes to {@code unix} seconds: the log's own clock with it, as the leader's wall-clock ticks move both. */
    private JsonNode tick(SequencerState s, long unix) {
        ts = unix;
        return apply(s, new Command.TimeTick(2, ++seq, unix));
    }

    private static String status(SequencerState s, VerifiedOrder v) {
        return FinalityTest.json(s.apply(new Command.Query(9, 0, Command.QueryKind.ORDER, 0, null, v.hash()), 0)).path("order").path("status").asText();
    }

    private static List<String> events(JsonNode reply) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : reply.path("events")) out.add(e.path("event").asText() + (e.has("why") ? ":" + e.path("why").asText() : ""));
        return out;
    }

    private static JsonNode outcome(JsonNode reply) {
        return reply.path("outcomes").get(0);
    }

    private static boolean accepted(JsonNode reply) {
        return outcome(reply).path("accepted").asBoolean();
    }

    /** Alice's bid of 2 lots at 0.95 of the mark, resting in {@code s}: what a switch that fires takes. */
    private VerifiedOrder alicesBid(SequencerState s) {
        VerifiedOrder bid = order(alice, Side.BUY, 95 * T, 2, TimeInForce.GTC, 0);
        assertThat(accepted(place(s, bid))).isTrue();
        return bid;
    }

    @Test
    void atItsDeadlineEveryOpenOrderOfTheTraderLeavesInTheOrderPlacedAndNoOneElses() {
        SequencerState s = opened();
        VerifiedOrder bid = order(alice, Side.BUY, 95 * T, 2, TimeInForce.GTC, 0);
        VerifiedOrder ask = order(alice, Side.SELL, 105 * T, 1, TimeInForce.GTC, 0);
        VerifiedOrder lower = order(alice, Side.BUY, 94 * T, 3, TimeInForce.GTC, 0);
        VerifiedOrder stop = order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, Order.MARKET);
        VerifiedOrder bobs = order(bob, Side.BUY, 93 * T, 4, TimeInForce.GTC, 0);
        for (VerifiedOrder v : List.of(bid, ask, lower, bobs)) assertThat(outcome(place(s, v)).path("accepted").asBoolean()).isTrue();
        assertThat(outcome(apply(s, new Command.PlaceStop(2, ++seq, stop, 96 * T))).path("armed").asBoolean()).isTrue();
        long deadline = ts + 10;

        JsonNode set = schedule(s, alice, deadline, 1);
        assertThat(outcome(set).path("accepted").asBoolean()).as(set.toString()).isTrue();
        assertThat(outcome(set).path("deadline").asLong()).isEqualTo(deadline);
        assertThat(set.path("type").asText()).isEqualTo("cancelAllAfter");
        assertThat(LiquidationTest.account(s, alice.address()).path("cancelAllAt").asLong()).isEqualTo(deadline);
        assertThat(LiquidationTest.account(s, bob.address()).has("cancelAllAt")).isFalse();

        assertThat(events(tick(s, deadline - 1))).as("a second before the deadline").isEmpty();
        JsonNode fired = tick(s, deadline);
        assertThat(events(fired)).as(fired.toString())
                .containsExactly("CancelAllFired", "Cancelled:SCHEDULED", "Cancelled:SCHEDULED", "Cancelled:SCHEDULED", "Disarmed:SCHEDULED");
        assertThat(fired.path("events").get(0).path("trader").asText()).isEqualTo(alice.address().toString());
        assertThat(fired.path("events").get(0).path("deadline").asLong()).isEqualTo(deadline);
        List<Long> ids = new ArrayList<>();
        for (JsonNode e : fired.path("events")) if (e.path("event").asText().equals("Cancelled")) ids.add(e.path("orderId").asLong());
        assertThat(ids).as("in the order they were placed").isSorted().doesNotHaveDuplicates();
        assertThat(fired.path("events").get(4).path("orderHash").asText()).isEqualTo(stop.hash().toString());
        for (VerifiedOrder v : List.of(bid, ask, lower, stop)) assertThat(status(s, v)).as("alice's").isEqualTo("cancelled:scheduled");
        assertThat(status(s, bobs)).as("bob's").isEqualTo("open");
        assertThat(s.restingSize(Market.MARKET)).as("bob's bid alone rests").isEqualTo(4 * LOT);
        JsonNode account = LiquidationTest.account(s, alice.address());
        assertThat(account.path("openOrders")).isEmpty();
        assertThat(account.has("cancelAllAt")).as("the switch is off once it fired").isFalse();

        assertThat(events(tick(s, deadline + 30))).as("it fires once").isEmpty();
        VerifiedOrder again = order(alice, Side.BUY, 95 * T, 2, TimeInForce.GTC, 0);
        assertThat(outcome(place(s, again)).path("accepted").asBoolean()).as("alice trades again").isTrue();
        assertThat(status(s, again)).isEqualTo("open");
    }

    @Test
    void aSwitchMovedOrTurnedOffInTimeKeepsTheOrders() {
        SequencerState s = opened();
        VerifiedOrder bid = alicesBid(s);
        long start = ts;
        assertThat(accepted(schedule(s, alice, start + 5, 10))).isTrue();
        assertThat(accepted(schedule(s, alice, start + 30, 11))).as("moved later").isTrue();
        assertThat(events(tick(s, start + 6))).as("past the first deadline, before the second").isEmpty();
        assertThat(LiquidationTest.account(s, alice.address()).path("cancelAllAt").asLong()).isEqualTo(start + 30);
        JsonNode off = schedule(s, alice, 0, 12);
        assertThat(outcome(off).path("accepted").asBoolean()).isTrue();
        assertThat(outcome(off).path("deadline").asLong()).isZero();
        assertThat(events(tick(s, start + 40))).isEmpty();
        assertThat(status(s, bid)).isEqualTo("open");
        assertThat(LiquidationTest.account(s, alice.address()).has("cancelAllAt")).isFalse();
        // moved earlier works too: the latest message is the switch
        assertThat(accepted(schedule(s, alice, start + 100, 13))).isTrue();
        assertThat(accepted(schedule(s, alice, start + 50, 14))).isTrue();
        assertThat(events(tick(s, start + 50))).startsWith("CancelAllFired", "Cancelled:SCHEDULED");
        assertThat(events(tick(s, start + 100))).as("the earlier deadline replaced the later one").isEmpty();
    }

    @Test
    void aMoveThatArrivesAfterTheDeadlineComesTooLate() {
        SequencerState s = opened();
        VerifiedOrder bid = alicesBid(s);
        long deadline = ts + 5;
        schedule(s, alice, deadline, 1);
        ts = deadline + 1; // no command came between: the refresh itself is the first command past the deadline
        JsonNode late = schedule(s, alice, deadline + 60, 2);
        assertThat(events(late)).as("the switch fired before the move").containsExactly("CancelAllFired", "Cancelled:SCHEDULED");
        assertThat(outcome(late).path("accepted").asBoolean()).as("the move itself sets a new switch").isTrue();
        assertThat(status(s, bid)).isEqualTo("cancelled:scheduled");
        assertThat(LiquidationTest.account(s, alice.address()).path("cancelAllAt").asLong()).isEqualTo(deadline + 60);
    }

    @Test
    void anOldMessageSentAgainAndADeadlineAlreadyPastAreRefusedAndChangeNothing() {
        SequencerState s = opened();
        VerifiedOrder bid = alicesBid(s);
        long start = ts;
        assertThat(accepted(schedule(s, alice, start + 60, 7))).isTrue();
        JsonNode replayed = schedule(s, alice, start + 5, 7);
        assertThat(outcome(replayed).path("reject").asText()).isEqualTo("STALE_NONCE");
        assertThat(outcome(replayed).path("help").asText()).contains("(7)", "sign a new one");
        assertThat(outcome(schedule(s, alice, start + 5, 6)).path("reject").asText()).as("a lower nonce").isEqualTo("STALE_NONCE");
        JsonNode past = schedule(s, alice, start, 8);
        assertThat(outcome(past).path("reject").asText()).as("a deadline at the node's clock").isEqualTo("DEADLINE_PASSED");
        assertThat(outcome(past).path("help").asText()).contains("not after the node's clock (" + start, "batch-cancel");
        assertThat(accepted(schedule(s, alice, start + 61, 8))).as("nonce 8 was not taken by the refusal").isTrue();
        assertThat(accepted(schedule(s, bob, start + 5, 1))).as("nonces are per trader").isTrue();
        assertThat(LiquidationTest.account(s, alice.address()).path("cancelAllAt").asLong()).isEqualTo(start + 61);
        assertThat(events(tick(s, start + 59))).as("bob's switch fires with no order to take").containsExactly("CancelAllFired");
        assertThat(status(s, bid)).isEqualTo("open");
    }

    @Test
    void twoSwitchesDueTogetherFireInDeadlineOrderThenAddressOrder() {
        SequencerState s = opened();
        long start = ts;
        Signer carol = M.traders.get(2);
        schedule(s, carol, start + 8, 1);
        schedule(s, alice, start + 9, 1);
        schedule(s, bob, start + 9, 1);
        List<String> traders = new ArrayList<>();
        for (JsonNode e : tick(s, start + 20).path("events")) traders.add(e.path("trader").asText());
        List<String> sameDeadline = new ArrayList<>(List.of(alice.address().toString(), bob.address().toString()));
        sameDeadline.sort(java.util.Comparator.comparing(h -> dev.clearline.engine.order.Address.fromHex(h)));
        List<String> expected = new ArrayList<>(List.of(carol.address().toString()));
        expected.addAll(sameDeadline);
        assertThat(traders).isEqualTo(expected);
    }

    /** A switch and the last nonce of each trader are in the snapshot (format 10); format 9 has no place for a switch. */
    @Test
    void aSwitchComesBackFromASnapshotAndFiresThereAsItWouldHave() throws Exception {
        SequencerState a = opened();
        VerifiedOrder bid = alicesBid(a);
        long deadline = ts + 10;
        schedule(a, alice, deadline, 3);
        schedule(a, bob, 0, 5); // off, but its nonce is kept
        assertThatThrownBy(() -> Snapshot.writeWithoutSchedules(a, 5)).hasMessageContaining("no place for a cancel-all-after switch");
        SequencerState b = Snapshot.read(Snapshot.write(a), Market.GENESIS, new NativeSecp256k1Verifier());
        assertThat(java.util.Arrays.equals(Snapshot.write(b), Snapshot.write(a))).as("the same image").isTrue();
        long s0 = seq;
        JsonNode staleOnB = apply(b, switchOf(2, ++seq, bob, deadline + 100, 5));
        seq = s0;
        JsonNode staleOnA = apply(a, switchOf(2, ++seq, bob, deadline + 100, 5));
        assertThat(outcome(staleOnB).path("reject").asText()).isEqualTo("STALE_NONCE");
        assertThat(staleOnB.toString()).isEqualTo(staleOnA.toString());
        ts = deadline;
        Command t = new Command.TimeTick(2, ++seq, deadline);
        String onA = FinalityTest.json(a.apply(t, ts * 1000)).toString();
        String onB = FinalityTest.json(b.apply(t, ts * 1000)).toString();
        assertThat(onB).isEqualTo(onA).contains("CancelAllFired");
        assertThat(status(b, bid)).isEqualTo("cancelled:scheduled");
        assertThat(b.stateRoot()).isEqualTo(a.stateRoot());
    }

    /**
     * Switches set, moved, turned off, refused and fired among a venue's day ({@link VenueSession}): a state restored from
     * a snapshot at a random command answers every later one as the state that never stopped, and every switch that fired
     * on a time tick left its trader with no open order.
     */
    @Test
    void aStateRestoredAnywhereInADayOfSwitchesAnswersAsTheOneThatWroteIt() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 999)).tries(3).check((seed, at) -> {
            List<Command> cs = VenueSession.of(seed);
            SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            int cut = (int) ((long) cs.size() * at / 1_000);
            int fired = 0;
            for (int i = 0; i < cs.size(); i++) {
                if (i == cut) s = Snapshot.read(Snapshot.write(s), Market.GENESIS, new NativeSecp256k1Verifier());
                String expected = StateImageTest.reply(straight, cs.get(i), i);
                assertThat(StateImageTest.reply(s, cs.get(i), i)).as("reply %d (restored at %d)", i, cut).isEqualTo(expected);
                if (!(cs.get(i) instanceof Command.TimeTick)) continue; // a trader's own command may fire its switch and then place
                for (JsonNode e : JSON.readTree(expected).path("events")) {
                    if (!e.path("event").asText().equals("CancelAllFired")) continue;
                    fired++;
                    JsonNode account = LiquidationTest.account(straight, dev.clearline.engine.order.Address.fromHex(e.path("trader").asText()));
                    assertThat(account.path("openOrderCount").asInt()).as("open orders of %s after its switch fired (reply %d)",
                            e.path("trader").asText(), i).isZero();
                }
            }
            assertThat(fired).as("switches that fired in the day").isPositive();
            assertThat(s.stateRoot()).isEqualTo(straight.stateRoot());
        });
    }
}
