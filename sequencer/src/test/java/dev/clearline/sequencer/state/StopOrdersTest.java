package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.StopTrigger;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stop orders on the sequencer's state: armed off the book, they fire when the mark reaches their trigger (a sell's
 * falling to it, a buy's rising to it) and are placed as any order arriving then; cancelled by their owner or by force
 * from L1, expired on the oracle clock, refused at firing as any order would be; armed ones come back from a snapshot and
 * fire there as they would have; what cannot be armed is refused with the reason.
 */
class StopOrdersTest {
    static final Market M = new Market(4);
    static final long T = Market.TICK, LOT = Market.LOT;
    private final Signer alice = M.traders.get(0), bob = M.traders.get(1), carol = M.traders.get(2);
    private long seq, ts = Market.START, nonce = 1;

    private SequencerState opened() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (Command c : M.opening(1)) s.apply(c, 0);
        seq = 0; // this test's own client (2) from its first request
        return s;
    }

    private VerifiedOrder order(Signer who, Side side, long price, long lots, TimeInForce tif, int flags, long expiry) {
        return M.order(who, new Order(who.address(), Market.MARKET, side, price, lots * LOT, 0, tif, flags, expiry, nonce++, 1_000_000));
    }

    private JsonNode apply(SequencerState s, Command c) {
        return FinalityTest.json(s.apply(c, ts * 1000));
    }

    private JsonNode arm(SequencerState s, VerifiedOrder v, long trigger) {
        return apply(s, new Command.PlaceStop(2, ++seq, v, trigger));
    }

    private JsonNode place(SequencerState s, VerifiedOrder v) {
        return apply(s, new Command.Place(2, ++seq, v));
    }

    private JsonNode mark(SequencerState s, long price) {
        return apply(s, new Command.Oracle(2, ++seq, M.price(price, ++ts)));
    }

    private static JsonNode order(SequencerState s, VerifiedOrder v) {
        return FinalityTest.json(s.apply(new Command.Query(9, 0, Command.QueryKind.ORDER, 0, null, v.hash()), 0)).path("order");
    }

    /** The reply's events by name (and why), but the oracle price's own RequestApplied, which every mark gives. */
    private static List<String> events(JsonNode reply) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : reply.path("events")) {
            if (e.path("event").asText().equals("RequestApplied")) continue;
            out.add(e.path("event").asText() + (e.has("why") ? ":" + e.path("why").asText() : ""));
        }
        return out;
    }

    private static long position(SequencerState s, Address a) {
        JsonNode p = LiquidationTest.account(s, a).path("positions");
        return p.isEmpty() ? 0 : p.get(0).path("size").asLong();
    }

    @Test
    void aSellStopUnderTheMarkWaitsOffTheBookAndFiresWhenTheMarkFallsToIt() {
        SequencerState s = opened();
        place(s, order(bob, Side.BUY, 95 * T, 3, TimeInForce.GTC, 0, 0)); // the bid a stop-loss sells into
        VerifiedOrder stop = order(alice, Side.SELL, 90 * T, 2, TimeInForce.IOC, Order.MARKET, 0); // worst price 0.90 of the mark
        JsonNode armed = arm(s, stop, 96 * T);
        assertThat(armed.path("outcomes").get(0).path("accepted").asBoolean()).as(armed.toString()).isTrue();
        assertThat(armed.path("outcomes").get(0).path("armed").asBoolean()).isTrue();
        assertThat(events(armed)).containsExactly("Armed");
        JsonNode armedEvent = armed.path("events").get(0);
        assertThat(dev.clearline.sequencer.api.TraderSocket.concerns(armedEvent, alice.address().toString())).as("to alice's account channel").isTrue();
        assertThat(dev.clearline.sequencer.api.TraderSocket.concerns(armedEvent, bob.address().toString())).as("to no one else's").isFalse();
        assertThat(order(s, stop).path("status").asText()).isEqualTo("armed");
        assertThat(order(s, stop).path("triggerPrice").asLong()).isEqualTo(96 * T);
        assertThat(LiquidationTest.account(s, alice.address()).path("openOrders").get(0).path("status").asText()).isEqualTo("armed");
        assertThat(s.restingSize(Market.MARKET)).as("nothing of it on the book").isEqualTo(3 * LOT);

        JsonNode above = mark(s, 97 * T);
        assertThat(events(above)).as("the mark above the trigger").doesNotContain("Triggered");
        JsonNode fired = mark(s, 96 * T);
        assertThat(events(fired)).as(fired.toString()).startsWith("Triggered").contains("Accepted", "Filled");
        for (JsonNode e : fired.path("events")) if (e.path("event").asText().equals("Triggered")) assertThat(e.path("markPrice").asLong()).isEqualTo(96 * T);
        assertThat(position(s, alice.address())).as("sold 2 lots into the bid").isEqualTo(-2 * LOT);
        assertThat(order(s, stop).path("status").asText()).isEqualTo("filled");
        assertThat(events(mark(s, 90 * T))).as("fired once").doesNotContain("Triggered");
    }

    @Test
    void aBuyStopFiresWhenTheMarkRisesToItAndRestsWhatItDoesNotFill() {
        SequencerState s = opened();
        VerifiedOrder stop = order(carol, Side.BUY, 104 * T, 2, TimeInForce.GTC, 0, 0);
        assertThat(arm(s, stop, 103 * T).path("outcomes").get(0).path("accepted").asBoolean()).isTrue();
        JsonNode fired = mark(s, 104 * T);
        assertThat(events(fired)).containsExactly("Triggered", "Accepted", "Rested");
        assertThat(order(s, stop).path("status").asText()).isEqualTo("open");
        assertThat(s.restingSize(Market.MARKET)).isEqualTo(2 * LOT);
    }

    @Test
    void whatCannotBeArmedIsRefusedWithTheReason() {
        SequencerState s = opened();
        assertThat(refusal(arm(s, order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), 100 * T))).as("a sell stop at the mark")
                .isEqualTo("TRIGGER_REACHED");
        assertThat(refusal(arm(s, order(alice, Side.BUY, 110 * T, 1, TimeInForce.IOC, 0, 0), 99 * T))).as("a buy stop under the mark")
                .isEqualTo("TRIGGER_REACHED");
        assertThat(refusal(arm(s, order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), 95 * T + 1))).isEqualTo("TRIGGER_OFF_TICK");
        assertThat(refusal(arm(s, order(alice, Side.SELL, 90 * T + 1, 1, TimeInForce.IOC, 0, 0), 95 * T))).isEqualTo("PRICE_OFF_TICK");
        assertThat(refusal(arm(s, order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, ts - 1), 95 * T))).isEqualTo("EXPIRED");
        VerifiedOrder twice = order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0);
        assertThat(refusal(arm(s, twice, 95 * T))).isNull();
        assertThat(refusal(arm(s, twice, 94 * T))).isEqualTo("DUPLICATE_ORDER");
        Order elsewhere = new Order(alice.address(), 9, Side.SELL, 90 * T, LOT, 0, TimeInForce.IOC, 0, 0, nonce++, 0);
        assertThat(refusal(arm(s, M.order(alice, elsewhere), 95 * T))).isEqualTo("UNKNOWN_MARKET");
        for (int i = 1; i < StopOrders.PER_TRADER; i++) assertThat(refusal(arm(s, order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), 95 * T))).isNull();
        JsonNode full = arm(s, order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), 95 * T);
        assertThat(refusal(full)).isEqualTo("TOO_MANY_STOPS");
        assertThat(full.path("outcomes").get(0).path("help").asText()).contains("at most 100 armed stops");
        assertThat(refusal(arm(s, order(bob, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), 95 * T))).as("another trader's count").isNull();
    }

    private JsonNode trail(SequencerState s, VerifiedOrder v, long distance) {
        return apply(s, new Command.PlaceStop(2, ++seq, v, new StopTrigger.Trailing(distance)));
    }

    /**
     * A trailing sell stop (a stop-loss that locks in gains) starts its distance under the mark, rises with every higher
     * mark (rounded down to the tick), never falls back, and fires when the mark comes back to it. This one is reduce-only
     * and armed before its position opens: it trails as well once it holds that position.
     */
    @Test
    void aTrailingSellStopRisesWithTheMarkNeverFallsAndFiresWhenTheMarkComesBack() {
        SequencerState s = opened();
        VerifiedOrder stop = order(alice, Side.SELL, 80 * T, 2, TimeInForce.IOC, Order.MARKET | Order.REDUCE_ONLY, 0);
        JsonNode armed = trail(s, stop, 3 * T);
        JsonNode outcome = armed.path("outcomes").get(0);
        assertThat(outcome.path("accepted").asBoolean()).as(armed.toString()).isTrue();
        assertThat(outcome.path("triggerPrice").asLong()).as("the mark 100 less the trail").isEqualTo(97 * T);
        assertThat(outcome.path("trailBy").asLong()).isEqualTo(3 * T);
        assertThat(armed.path("events").get(0).path("trailBy").asLong()).isEqualTo(3 * T);
        // alice goes long two lots: the stop now holds the position it protects
        place(s, order(bob, Side.SELL, 100 * T, 2, TimeInForce.GTC, 0, 0));
        place(s, order(alice, Side.BUY, 100 * T, 2, TimeInForce.IOC, 0, 0));
        assertThat(position(s, alice.address())).isEqualTo(2 * LOT);

        assertThat(events(mark(s, 102 * T))).doesNotContain("Triggered");
        assertThat(order(s, stop).path("triggerPrice").asLong()).as("up with the mark").isEqualTo(99 * T);
        assertThat(order(s, stop).path("trailBy").asLong()).isEqualTo(3 * T);
        assertThat(events(mark(s, 104 * T + T / 2))).doesNotContain("Triggered");
        assertThat(order(s, stop).path("triggerPrice").asLong()).as("a mark off the tick: rounded down").isEqualTo(101 * T);
        assertThat(events(mark(s, 102 * T))).as("the mark falls, not to the trigger").doesNotContain("Triggered");
        assertThat(order(s, stop).path("triggerPrice").asLong()).as("never down").isEqualTo(101 * T);

        place(s, order(carol, Side.BUY, 100 * T, 2, TimeInForce.GTC, 0, 0)); // the bid the stop sells into
        JsonNode fired = mark(s, 101 * T);
        assertThat(events(fired)).as(fired.toString()).startsWith("Triggered").contains("Filled");
        for (JsonNode e : fired.path("events")) {
            if (e.path("event").asText().equals("Triggered")) assertThat(e.path("triggerPrice").asLong()).isEqualTo(101 * T);
        }
        assertThat(position(s, alice.address())).as("closed into carol's bid").isZero();
    }

    /** A trailing buy stop starts its distance over the mark, falls with every lower mark (rounded up), fires on the way back. */
    @Test
    void aTrailingBuyStopFallsWithTheMarkAndFiresWhenItRisesBack() {
        SequencerState s = opened();
        VerifiedOrder stop = order(carol, Side.BUY, 110 * T, 1, TimeInForce.GTC, 0, 0);
        assertThat(trail(s, stop, 2 * T).path("outcomes").get(0).path("triggerPrice").asLong()).isEqualTo(102 * T);
        mark(s, 97 * T - T / 2);
        assertThat(order(s, stop).path("triggerPrice").asLong()).as("rounded up").isEqualTo(99 * T);
        assertThat(events(mark(s, 98 * T))).doesNotContain("Triggered");
        assertThat(order(s, stop).path("triggerPrice").asLong()).as("never up").isEqualTo(99 * T);
        assertThat(events(mark(s, 99 * T))).startsWith("Triggered");
        assertThat(order(s, stop).path("status").asText()).isEqualTo("open");
    }

    @Test
    void aTrailOffTheTickOrAsWideAsTheMarkIsRefused() {
        SequencerState s = opened(); // the mark is 100 ticks
        assertThat(refusal(trail(s, order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), T + 1))).isEqualTo("BAD_TRAIL");
        JsonNode wide = trail(s, order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), 100 * T);
        assertThat(refusal(wide)).isEqualTo("BAD_TRAIL");
        assertThat(wide.path("outcomes").get(0).path("help").asText()).contains("under the mark (" + 100 * T + ")");
        assertThat(refusal(trail(s, order(alice, Side.BUY, 110 * T, 1, TimeInForce.IOC, 0, 0), 100 * T))).as("a buy's too").isEqualTo("BAD_TRAIL");
        assertThat(refusal(trail(s, order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), 99 * T))).as("the widest").isNull();
        assertThat(refusal(trail(s, order(alice, Side.BUY, 90 * T, 1, TimeInForce.IOC, 0, 0), 99 * T))).isNull();
    }

    /** A trailing stop's moved trigger is in the snapshot (format 9), and it goes on trailing there; format 8 has no place for it. */
    @Test
    void aTrailingStopComesBackFromASnapshotWhereItsTriggerHadMoved() throws Exception {
        SequencerState a = opened();
        place(a, order(bob, Side.BUY, 95 * T, 5, TimeInForce.GTC, 0, 0));
        trail(a, order(alice, Side.SELL, 90 * T, 2, TimeInForce.IOC, 0, 0), 2 * T);
        trail(a, order(carol, Side.BUY, 110 * T, 1, TimeInForce.IOC, 0, 0), 8 * T);
        mark(a, 102 * T); // alice's to 100, carol's stays at 108
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Snapshot.writeWithoutTrails(a, 4)).hasMessageContaining("trailing stop");
        SequencerState b = Snapshot.read(Snapshot.write(a), Market.GENESIS, new NativeSecp256k1Verifier());
        List<JsonNode> fromA = marksOnBoth(a, b, 105 * T, 104 * T, 103 * T, 99 * T, 107 * T);
        assertThat(events(fromA.get(2))).as("alice's, moved to 103 by the mark at 105").containsSubsequence("Triggered");
        assertThat(events(fromA.get(4))).as("carol's, down to 107 by the mark at 99, which the next reached").containsSubsequence("Triggered");
        assertThat(b.stateRoot()).isEqualTo(a.stateRoot());
    }

    /** A stop that leaves (cancelled, fired, expired) frees its trader's place: the hundredth is armed again after one goes. */
    @Test
    void aStopThatLeavesFreesItsTradersPlace() {
        SequencerState s = opened();
        List<VerifiedOrder> armed = new ArrayList<>();
        for (int i = 0; i < StopOrders.PER_TRADER; i++) {
            VerifiedOrder v = order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0);
            assertThat(refusal(arm(s, v, 95 * T))).isNull();
            armed.add(v);
        }
        assertThat(refusal(arm(s, order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), 95 * T))).isEqualTo("TOO_MANY_STOPS");
        assertThat(refusal(apply(s, new Command.Cancel(2, ++seq, M.cancel(alice, armed.get(0).hash()))))).isNull();
        assertThat(refusal(arm(s, order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), 95 * T))).as("the place the cancel freed").isNull();
        assertThat(refusal(arm(s, order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), 95 * T))).as("and only that one").isEqualTo("TOO_MANY_STOPS");
    }

    /**
     * Where a trigger stands after a mark: a fixed one stays, a trailing sell's rises to the mark less the trail (down to
     * the tick) and a buy's falls to the mark plus it (up to the tick), never back; a buy trail past what a price can
     * reach (near Long.MAX_VALUE) leaves its trigger where it was rather than overflow.
     */
    @Test
    void aTriggerFollowsTheMarkOnTheTickAndNeverOverflows() {
        VerifiedOrder sell = order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), buy = order(alice, Side.BUY, 110 * T, 1, TimeInForce.IOC, 0, 0);
        assertThat(new StopOrders.Armed(sell, 95 * T, 1, false).followed(200 * T, T)).as("fixed").isEqualTo(95 * T);
        assertThat(new StopOrders.Armed(buy, 105 * T, 1, false).followed(50 * T, T)).as("fixed").isEqualTo(105 * T);
        assertThat(new StopOrders.Armed(sell, 95 * T, 1, false, 3 * T).followed(100 * T + 1, T)).isEqualTo(97 * T);
        assertThat(new StopOrders.Armed(sell, 95 * T, 1, false, 3 * T).followed(97 * T, T)).as("never back").isEqualTo(95 * T);
        assertThat(new StopOrders.Armed(buy, 105 * T, 1, false, 3 * T).followed(100 * T - 1, T)).isEqualTo(103 * T);
        assertThat(new StopOrders.Armed(buy, 105 * T, 1, false, 3 * T).followed(103 * T, T)).as("never back").isEqualTo(105 * T);
        long trail = 3 * T, farMark = Long.MAX_VALUE - trail - T; // the widest a trail can be before mark + trail + tick overflows
        assertThat(new StopOrders.Armed(buy, Long.MAX_VALUE, 1, false, trail).followed(farMark, T)).as("at the edge: computed")
                .isEqualTo(Math.ceilDiv(farMark + trail, T) * T).isLessThan(Long.MAX_VALUE);
        assertThat(new StopOrders.Armed(buy, 7 * T, 1, false, trail).followed(farMark + 1, T)).as("past it: left where it was").isEqualTo(7 * T);
        assertThat(new StopOrders.Armed(buy, 7 * T, 1, false, trail).followed(Long.MAX_VALUE - trail + 1, T)).as("where mark + trail overflows")
                .isEqualTo(7 * T);
    }

    /**
     * Each mark in {@code prices} sent to {@code a} and to {@code b} (a state restored from {@code a}'s snapshot) as the same
     * command at the same oracle time; asserts both answer alike and returns {@code a}'s replies.
     */
    private List<JsonNode> marksOnBoth(SequencerState a, SequencerState b, long... prices) {
        long at = ts;
        List<JsonNode> fromA = new ArrayList<>(), fromB = new ArrayList<>();
        for (long price : prices) {
            ts = at;
            fromA.add(mark(a, price));
            seq--;
            ts = at;
            fromB.add(mark(b, price));
            at = ts;
        }
        assertThat(fromB).as("the restored state's replies").isEqualTo(fromA);
        return fromA;
    }

    private static String refusal(JsonNode reply) {
        JsonNode o = reply.path("outcomes").get(0);
        return o.path("accepted").asBoolean() ? null : o.path("reject").asText();
    }

    @Test
    void anArmedStopLeavesByItsOwnersCancelByForceFromL1OrByExpiryAndIsNeverAmended() {
        SequencerState s = opened();
        VerifiedOrder a = order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0);
        VerifiedOrder b = order(bob, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0);
        VerifiedOrder c = order(carol, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, ts + 5);
        for (VerifiedOrder v : List.of(a, b, c)) arm(s, v, 95 * T);

        JsonNode theirs = apply(s, new Command.Cancel(2, ++seq, M.cancel(bob, a.hash())));
        assertThat(refusal(theirs)).as("only its owner cancels it").isEqualTo("NOT_OWNER");
        JsonNode amend = apply(s, new Command.Amend(2, ++seq, M.cancel(alice, a.hash()), order(alice, Side.SELL, 91 * T, 1, TimeInForce.IOC, 0, 0)));
        assertThat(refusal(amend)).isEqualTo("STOP_NOT_AMENDED");
        assertThat(order(s, a).path("status").asText()).isEqualTo("armed");
        JsonNode cancelled = apply(s, new Command.Cancel(2, ++seq, M.cancel(alice, a.hash())));
        assertThat(refusal(cancelled)).isNull();
        assertThat(events(cancelled)).containsExactly("Disarmed:REQUESTED");
        assertThat(order(s, a).path("status").asText()).isEqualTo("cancelled:requested");

        JsonNode forced = apply(s, new Command.L1Op(2, ++seq, new Transition.ForcedCancel(M.traders.size() + 1, 0, bob.address(), b.hash())));
        assertThat(events(forced)).contains("Disarmed:FORCED");
        assertThat(order(s, b).path("status").asText()).isEqualTo("cancelled:forced");

        ts += 10; // the oracle clock passes carol's expiry with a mark that does not reach the trigger
        JsonNode expired = mark(s, 99 * T);
        assertThat(events(expired)).containsExactly("Disarmed:EXPIRED");
        assertThat(order(s, c).path("status").asText()).isEqualTo("expired");
        assertThat(events(mark(s, 80 * T))).as("none left to fire").doesNotContain("Triggered");
        assertThat(LiquidationTest.account(s, alice.address()).path("openOrders")).isEmpty();
    }

    /**
     * A reduce-only stop follows its position as a take-profit does: armed ahead of the position it protects it waits
     * (a fill the other way does not take it off), holds on once the position opens on the side it reduces, and leaves in
     * the command that closes that position; one armed on a held position leaves when it is closed too.
     */
    @Test
    void aReduceOnlyStopWaitsForItsPositionAndLeavesWhenItIsClosed() {
        SequencerState s = opened();
        VerifiedOrder ahead = order(alice, Side.SELL, 90 * T, 2, TimeInForce.IOC, Order.MARKET | Order.REDUCE_ONLY, 0);
        arm(s, ahead, 95 * T); // alice holds nothing yet
        // alice sells one lot first (short): the stop reduces no short, and it was never held: it waits
        place(s, order(bob, Side.BUY, 100 * T, 1, TimeInForce.GTC, 0, 0));
        JsonNode shortFill = place(s, order(alice, Side.SELL, 100 * T, 1, TimeInForce.IOC, 0, 0));
        assertThat(events(shortFill)).doesNotContain("Disarmed:POSITION_CLOSED");
        assertThat(order(s, ahead).path("status").asText()).isEqualTo("armed");
        // alice buys three (long two): the stop now protects a long
        place(s, order(bob, Side.SELL, 100 * T, 3, TimeInForce.GTC, 0, 0));
        place(s, order(alice, Side.BUY, 100 * T, 3, TimeInForce.IOC, 0, 0));
        assertThat(position(s, alice.address())).isEqualTo(2 * LOT);
        VerifiedOrder onHeld = order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, Order.MARKET | Order.REDUCE_ONLY, 0);
        arm(s, onHeld, 94 * T);
        // alice closes the long by hand: both stops leave in that command
        place(s, order(bob, Side.BUY, 100 * T, 2, TimeInForce.GTC, 0, 0));
        JsonNode closed = place(s, order(alice, Side.SELL, 100 * T, 2, TimeInForce.IOC, 0, 0));
        assertThat(position(s, alice.address())).isZero();
        assertThat(events(closed)).containsSubsequence("Filled", "Disarmed:POSITION_CLOSED", "Disarmed:POSITION_CLOSED");
        assertThat(order(s, ahead).path("status").asText()).isEqualTo("cancelled:position_closed");
        assertThat(order(s, onHeld).path("status").asText()).isEqualTo("cancelled:position_closed");
        assertThat(events(mark(s, 90 * T))).as("nothing left to fire").doesNotContain("Triggered");
    }

    @Test
    void aStopTheExchangeRefusesWhenItFiresLeavesSayingWhy() {
        SequencerState s = opened();
        // a reduce-only sell stop of a trader with no position: nothing to reduce when it fires
        VerifiedOrder stop = order(alice, Side.SELL, 90 * T, 1, TimeInForce.IOC, Order.REDUCE_ONLY, 0);
        arm(s, stop, 95 * T);
        JsonNode fired = mark(s, 95 * T);
        assertThat(events(fired)).startsWith("Triggered").contains("Disarmed:REFUSED");
        JsonNode gone = null;
        for (JsonNode e : fired.path("events")) if (e.path("event").asText().equals("Disarmed")) gone = e;
        assertThat(gone.path("reject").asText()).isEqualTo("REDUCE_ONLY_WOULD_INCREASE");
        assertThat(order(s, stop).path("status").asText()).isEqualTo("cancelled:refused");
    }

    @Test
    void armedStopsComeBackFromASnapshotAndFireThereAsTheyWouldHave() throws Exception {
        SequencerState a = opened();
        place(a, order(bob, Side.BUY, 95 * T, 5, TimeInForce.GTC, 0, 0));
        arm(a, order(alice, Side.SELL, 90 * T, 2, TimeInForce.IOC, 0, 0), 97 * T);
        arm(a, order(carol, Side.SELL, 90 * T, 1, TimeInForce.IOC, 0, 0), 96 * T);
        arm(a, order(carol, Side.BUY, 110 * T, 1, TimeInForce.IOC, 0, 0), 103 * T);
        SequencerState b = Snapshot.read(Snapshot.write(a), Market.GENESIS, new NativeSecp256k1Verifier());
        List<JsonNode> fromA = marksOnBoth(a, b, 98 * T, 96 * T, 102 * T);
        assertThat(events(fromA.get(1))).as("both sell stops, the higher trigger first").containsSubsequence("Triggered", "Triggered");
        JsonNode first = null;
        for (JsonNode e : fromA.get(1).path("events")) if (first == null && e.path("event").asText().equals("Triggered")) first = e;
        assertThat(first.path("triggerPrice").asLong()).isEqualTo(97 * T);
        assertThat(b.stateRoot()).isEqualTo(a.stateRoot());
        assertThatFormerFormatRefusesArmedStops(a);
    }

    /**
     * A venue's day with stops armed, fired, cancelled, refused and expired among everything else ({@link VenueSession}):
     * a state restored from a snapshot at a random command answers every later one as the state that never stopped, and
     * ends on the same image.
     */
    @Test
    void aStateRestoredAnywhereInADayOfStopsAnswersAsTheOneThatWroteIt() {
        dev.clearline.testkit.property.Property.forAll(dev.clearline.testkit.property.Gens.seeds(), dev.clearline.testkit.property.Gens.ints(1, 999))
                .tries(3).check((seed, at) -> {
                    List<Command> cs = VenueSession.of(seed);
                    SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
                    SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
                    int cut = (int) ((long) cs.size() * at / 1_000);
                    for (int i = 0; i < cs.size(); i++) {
                        if (i == cut) s = Snapshot.read(Snapshot.write(s), Market.GENESIS, new NativeSecp256k1Verifier());
                        String expected = StateImageTest.reply(straight, cs.get(i), i);
                        assertThat(StateImageTest.reply(s, cs.get(i), i)).as("reply %d (restored at %d)", i, cut).isEqualTo(expected);
                    }
                    assertThat(s.stateRoot()).isEqualTo(straight.stateRoot());
                    assertThat(java.util.Arrays.equals(Snapshot.write(s), Snapshot.write(straight))).as("the same image at the end").isTrue();
                });
    }

    private static void assertThatFormerFormatRefusesArmedStops(SequencerState s) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Snapshot.writeWithoutStops(s, 3))
                .hasMessageContaining("has no place for the 1 armed stop(s)");
    }
}
