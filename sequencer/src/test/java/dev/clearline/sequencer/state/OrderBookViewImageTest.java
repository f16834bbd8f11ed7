package dev.clearline.sequencer.state;

import dev.clearline.engine.exchange.Exchange;
import dev.clearline.engine.exchange.ExchangeEvent;
import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.Market;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The order book view through a state image: a real exchange trades a generated flow (orders of
 * every kind, cancels, amends, forced cancels, expiries, liquidations, withdrawals, batches sealed,
 * posted and finalized), and the view is fed its events as {@code SequencerState.apply} feeds it.
 * At a generated point the view is imaged and restored; from there the original and the restored
 * view get the same calls, and every answer of both (events, depth deltas, order, account and depth
 * queries, counts) must be the same, with the same value types; at the end both image to the same
 * bytes.
 */
class OrderBookViewImageTest {
    static final long TICK = 100, LOT = 1_000;
    static final int[] TRADED = {1, 2};
    /** Listed by an operation mid-flow, so the view's market list changes after a restore too. */
    static final int LATE_MARKET = 3;
    static final int TRADERS = 4;
    static final Address ORACLE = address(99);
    static final long START = 1_700_000_000L;

    /**
     * Recovers as the signer the address written into a signature's first 20 bytes: the oracle's
     * prices pass the mirror's check without elliptic curves (orders and cancels come in verified).
     */
    static final SignatureVerifier FAKE = (digest, sig) -> new Address(Arrays.copyOf(sig.encoded(), 20));

    static Address address(int i) {
        byte[] b = new byte[20];
        b[0] = 0x11;
        b[19] = (byte) (i + 1);
        return new Address(b);
    }

    static Signature by(Address a) {
        return new Signature(Arrays.copyOf(a.bytes(), Signature.LENGTH));
    }

    // ---- the flow ----

    sealed interface Op {}
    record Place(int trader, int market, boolean buy, int ticks, int lots, int tif, boolean iceberg, int expiresIn,
                 int margin, boolean postOnly, int peg) implements Op {}
    record Cancel(int pick) implements Op {}
    record Amend(int pick, int ticks, int lots, boolean ioc) implements Op {}
    record ForcedCancel(int pick) implements Op {}
    record Oracle(int market, int ticks) implements Op {}
    record Withdraw(int trader, long amount) implements Op {}
    record ListLate() implements Op {}
    record Seal() implements Op {}
    record Post() implements Op {}
    record Finalize() implements Op {}

    static Gen<Op> ops() {
        Gen<Integer> trader = Gens.ints(0, TRADERS - 1);
        Gen<Integer> pick = Gens.ints(0, 1_000);
        Gen<Op> place = Gens.<Object>allOf(trader, Gens.ints(0, TRADED.length - 1), Gens.booleans(), Gens.ints(95, 105), Gens.ints(1, 5),
                Gens.frequency(6, Gens.constant(0), 2, Gens.constant(1), 1, Gens.constant(2)), Gens.frequency(5, Gens.constant(false), 1, Gens.constant(true)),
                Gens.frequency(5, Gens.constant(0), 2, Gens.ints(1, 4)), Gens.ints(0, 2), Gens.frequency(8, Gens.constant(false), 1, Gens.constant(true)),
                Gens.frequency(10, Gens.constant(0), 1, Gens.ints(-2, 2)))
                .map(v -> new Place((Integer) v.get(0), TRADED[(Integer) v.get(1)], (Boolean) v.get(2), (Integer) v.get(3), (Integer) v.get(4),
                        (Integer) v.get(5), (Boolean) v.get(6), (Integer) v.get(7), (Integer) v.get(8), (Boolean) v.get(9), (Integer) v.get(10)));
        return Gens.frequency(
                30, place,
                6, pick.map(Cancel::new),
                5, Gens.<Object>allOf(pick, Gens.ints(95, 105), Gens.ints(1, 5), Gens.booleans())
                        .map(v -> (Op) new Amend((Integer) v.get(0), (Integer) v.get(1), (Integer) v.get(2), (Boolean) v.get(3))),
                1, pick.map(ForcedCancel::new),
                4, Gens.allOf(Gens.ints(0, TRADED.length - 1), Gens.ints(88, 112)).map(v -> (Op) new Oracle(TRADED[v.get(0)], v.get(1))),
                2, Gens.<Object>allOf(trader, Gens.longs(1, 5_000_000)).map(v -> (Op) new Withdraw((Integer) v.get(0), (Long) v.get(1))),
                1, Gens.constant(new ListLate()),
                4, Gens.constant(new Seal()),
                3, Gens.constant(new Post()),
                2, Gens.constant(new Finalize()));
    }

    /**
     * One exchange and the views fed from it, with the calls in {@code SequencerState.apply}'s
     * order. Each view's answers after every command go into its own log, as text that names
     * every value's type.
     */
    static final class Driver {
        final Exchange ex = new Exchange(Market.GENESIS.domain(), FAKE, Market.GENESIS.books());
        final LeafReads reads = new LeafReads(ex.state());
        final L1Finality l1 = new L1Finality();
        final List<OrderBookView> views = new ArrayList<>(List.of(new OrderBookView()));
        final List<VerifiedOrder> submitted = new ArrayList<>();
        final Coverage seen;
        long seq;
        long ts = START;
        long sealed;
        long nonce = 1;

        Driver(Coverage seen) {
            this.seen = seen;
            for (int m : TRADED) listMarket(m);
            for (int i = 0; i < TRADERS; i++) {
                Address a = address(i);
                command(() -> assertThat(ex.apply(new Transition.Deposit(priority(), 0, a, 1_000_000_000_000L))).isNull());
            }
            for (int m : TRADED) apply(new Oracle(m, 100));
        }

        long priority() {
            return StateReads.global(ex.state()).priorityOpsConsumed();
        }

        void listMarket(int m) {
            command(() -> {
                if (ex.apply(new Transition.MarketConfig(priority(), 0, m, TICK, LOT, 100_000, 50_000, 200, 500, ORACLE)) == null) {
                    for (OrderBookView v : views) v.listMarket(m);
                }
            });
        }

        VerifiedOrder picked(int pick) {
            return submitted.isEmpty() ? null : submitted.get(pick % submitted.size());
        }

        /** One state-changing command: the op's own calls, then the events, depth deltas and landing every command gets. */
        List<String> command(Runnable op) {
            seq++;
            for (OrderBookView v : views) v.openBatch(sealed);
            op.run();
            List<ExchangeEvent> events = ex.takeEvents();
            seen.count(events);
            List<String> out = new ArrayList<>();
            for (OrderBookView v : views) out.add(typed(v.record(events, seq)));
            for (int i = 0; i < views.size(); i++) out.set(i, out.get(i) + typed(views.get(i).depthDeltas(ex, reads)));
            if (!ex.takeTransitions().isEmpty()) for (OrderBookView v : views) v.landed(sealed);
            return out;
        }

        List<String> apply(Op op) {
            return command(() -> {
                switch (op) {
                    case Place p -> place(p);
                    case Cancel c -> {
                        VerifiedOrder o = picked(c.pick());
                        if (o != null) ex.cancel(new VerifiedCancel(o.order().trader(), o.hash(), by(o.order().trader())));
                    }
                    case Amend a -> amend(a);
                    case ForcedCancel f -> {
                        VerifiedOrder o = picked(f.pick());
                        if (o != null) ex.apply(new Transition.ForcedCancel(priority(), 0, o.order().trader(), o.hash()));
                    }
                    case Oracle o -> oracle(o);
                    case Withdraw w -> withdraw(w);
                    case ListLate l -> {
                        if (ex.apply(new Transition.MarketConfig(priority(), 0, LATE_MARKET, TICK, LOT, 100_000, 50_000, 200, 500, ORACLE)) == null) {
                            for (OrderBookView v : views) v.listMarket(LATE_MARKET);
                        }
                    }
                    case Seal s -> sealed++; // a batch cut: later transitions land in the next batch
                    case Post p -> {
                        if (l1.posted() < sealed) l1.posted(l1.posted(), ts, ts + 7, sealed);
                    }
                    case Finalize f -> {
                        int before = views.getFirst().ordersKept();
                        l1.finalized(l1.posted());
                        for (OrderBookView v : views) v.forgetFinal(l1.finalized());
                        if (views.getFirst().ordersKept() < before) seen.after(() -> seen.forgotten++);
                    }
                }
            });
        }

        void place(Place p) {
            Address a = address(p.trader());
            TimeInForce tif = TimeInForce.fromCode(p.tif());
            // a GTC fixed-price order with margin to spare against the trader's own position is its take-profit (reduce-only, at most
            // that position), so that later fills and liquidations trim and close resting ones
            long held = StateReads.position(ex.state(), a, p.market()).size();
            boolean takeProfit = tif == TimeInForce.GTC && p.margin() >= 1 && p.peg() == 0 && held != 0 && (held > 0) != p.buy();
            long size = takeProfit ? Math.min(p.lots() * LOT, Math.abs(held)) : p.lots() * LOT;
            long margin = takeProfit ? 0 : switch (p.margin()) {
                case 0 -> 1_200L * p.lots(); // thin: a 10 % move liquidates it
                case 1 -> 3_000L * p.lots();
                default -> 1_000_000L;
            };
            Order o = new Order(a, p.market(), p.buy() ? Side.BUY : Side.SELL, p.ticks() * TICK, size,
                    p.iceberg() && p.lots() > 1 ? LOT : 0, tif, (p.postOnly() ? Order.POST_ONLY : 0) | (takeProfit ? Order.REDUCE_ONLY : 0),
                    p.peg() == 0 ? Peg.NONE : Peg.MARK, p.peg(), p.expiresIn() == 0 ? 0 : ts + p.expiresIn(), nonce++, margin);
            VerifiedOrder v = new VerifiedOrder(o, Market.GENESIS.domain().orderDigest(o), by(a));
            submitted.add(v);
            if (ex.submit(v) == null) for (OrderBookView view : views) view.placed(v, seq);
        }

        void amend(Amend am) {
            VerifiedOrder old = picked(am.pick());
            if (old == null) return;
            Order p = old.order();
            Order o = new Order(p.trader(), p.marketId(), p.side(), am.ticks() * TICK, am.lots() * LOT, 0,
                    am.ioc() ? TimeInForce.IOC : TimeInForce.GTC, p.flags(), p.expiry(), nonce++, p.margin());
            VerifiedOrder v = new VerifiedOrder(o, Market.GENESIS.domain().orderDigest(o), by(p.trader()));
            submitted.add(v);
            Reject r = ex.amend(new VerifiedCancel(p.trader(), old.hash(), by(p.trader())), v);
            if (r == null) {
                seen.after(() -> seen.amends++);
                for (OrderBookView view : views) view.amended(old.hash(), v, seq);
            }
        }

        /** A new mark, then every position below maintenance to the insurance fund, as the sequencer's liquidation does (in address order). */
        void oracle(Oracle o) {
            ts++;
            Reject r = ex.apply(new Transition.OraclePrice(o.market(), o.ticks() * TICK, 0, ts, by(ORACLE)));
            if (r != null) return;
            for (int i = 0; i < TRADERS; i++) {
                Address a = address(i);
                if (!LiquidationIndex.liquidatable(StateReads.position(ex.state(), a, o.market()), StateReads.market(ex.state(), o.market()))) continue;
                if (ex.apply(new Transition.Liquidate(a, o.market())) != null) continue;
                seen.after(() -> seen.liquidations++);
                for (OrderBookView v : views) v.holds(Address.INSURANCE_FUND, o.market());
            }
        }

        void withdraw(Withdraw w) {
            Address owner = address(w.trader());
            long before = StateReads.global(ex.state()).nextWithdrawalId();
            ex.apply(new Transition.ForcedWithdrawal(priority(), 0, owner, w.amount()));
            for (long id = before; id < StateReads.global(ex.state()).nextWithdrawalId(); id++) {
                var leaf = StateReads.withdrawal(ex.state(), id);
                if (leaf == null) continue;
                seen.after(() -> seen.withdrawals++);
                for (OrderBookView v : views) v.withdrawal(owner, id, leaf.recipient(), leaf.amount(), seq);
            }
        }

        /** Everything a trader or the sequencer can read from a view, as text naming each value's type. */
        /** Every order the first view reads as open rests on the exchange's book, and every resting one reads as open. */
        void openMeansResting() {
            OrderBookView v = views.getFirst();
            for (VerifiedOrder o : submitted) {
                Map<String, Object> read = v.order(o.hash());
                if (!Boolean.TRUE.equals(read.get("known"))) continue;
                long id = ex.orderId(o.hash());
                boolean resting = id >= 0 && ex.book(o.order().marketId()).isResting(id);
                assertThat(read.get("status").equals("open")).as("order %s reads %s", read, read.get("status")).isEqualTo(resting);
            }
        }

        String queries(OrderBookView v) {
            StringBuilder sb = new StringBuilder();
            for (VerifiedOrder o : submitted) sb.append(v.hashHex(o.hash())).append(typed(v.order(o.hash())));
            for (int i = 0; i < TRADERS; i++) sb.append(typed(v.account(address(i), ex.state(), l1)));
            sb.append(typed(v.account(Address.INSURANCE_FUND, ex.state(), l1)));
            for (int m : new int[] {1, 2, LATE_MARKET, 9}) sb.append(typed(v.depth(m, ex, 50))).append(typed(v.depth(m, ex, 2)));
            sb.append(typed(v.markets()));
            sb.append(v.ordersKept()).append(' ').append(v.bookIdsKept()).append(' ').append(v.tradersKept()).append(' ').append(v.levelsKept());
            return sb.toString();
        }
    }

    /** What the flows did after a restore, over all tries: the test fails if a path it is meant to cover never ran. */
    static final class Coverage {
        int fills, cancels, expiries, amends, forgotten, liquidations, withdrawals, trims;
        /** Restores of a view holding closed records whose batch is not final yet (records in {@code orders} without a book id). */
        int restoredWithClosed;
        /** Restores of a view holding a trimmed take-profit. */
        int restoredWithTrims;
        boolean afterCut;

        void after(Runnable count) {
            if (afterCut) count.run();
        }

        void count(List<ExchangeEvent> events) {
            if (!afterCut) return;
            for (ExchangeEvent e : events) {
                switch (e) {
                    case ExchangeEvent.Filled f -> fills++;
                    case ExchangeEvent.Cancelled c -> cancels++;
                    case ExchangeEvent.Expired x -> expiries++;
                    case ExchangeEvent.Trimmed t -> trims++;
                    default -> { }
                }
            }
        }
    }

    static byte[] image(OrderBookView v) {
        ImageWriter out = new ImageWriter(64);
        v.writeImage(out);
        return out.toByteArray();
    }

    static OrderBookView restore(byte[] image) {
        ImageReader in = new ImageReader(image);
        OrderBookView v = OrderBookView.readImage(in);
        in.expectEnd();
        return v;
    }

    @Test
    void aRestoredViewAnswersEveryLaterCallAsTheOriginalDoes() {
        Coverage seen = new Coverage();
        Property.forAll(Gens.listOf(ops(), 0, 120), Gens.ints(0, 120)).tries(60).check((ops, cutAt) -> {
            seen.afterCut = false;
            Driver d = new Driver(seen);
            int cut = Math.min(cutAt, ops.size());
            for (int i = 0; i < ops.size(); i++) {
                if (i == cut) cut(d, seen);
                List<String> answers = d.apply(ops.get(i));
                d.openMeansResting();
                for (int v = 1; v < d.views.size(); v++) {
                    assertThat(answers.get(v)).as("events and depth deltas of op %d, %s", i, ops.get(i)).isEqualTo(answers.getFirst());
                    assertThat(d.queries(d.views.get(v))).as("queries after op %d, %s", i, ops.get(i)).isEqualTo(d.queries(d.views.getFirst()));
                }
            }
            if (cut == ops.size()) cut(d, seen);
            assertThat(image(d.views.get(1))).as("the images at the end").isEqualTo(image(d.views.getFirst()));
        });
        assertThat(seen).satisfies(
                s -> assertThat(s.fills).as("fills after a restore").isPositive(),
                s -> assertThat(s.cancels).as("cancels after a restore").isPositive(),
                s -> assertThat(s.expiries).as("expiries after a restore").isPositive(),
                s -> assertThat(s.amends).as("amends after a restore").isPositive(),
                s -> assertThat(s.forgotten).as("records forgotten on finality after a restore").isPositive(),
                s -> assertThat(s.liquidations).as("liquidations after a restore").isPositive(),
                s -> assertThat(s.withdrawals).as("withdrawals after a restore").isPositive(),
                s -> assertThat(s.trims).as("take-profits trimmed after a restore").isPositive(),
                s -> assertThat(s.restoredWithTrims).as("restores of a view with a trimmed take-profit").isPositive(),
                s -> assertThat(s.restoredWithClosed).as("restores of a view with closed records not yet final").isPositive());
    }

    /** Images the first view, checks the image restores to one that images the same, and adds the restored view beside it. */
    static void cut(Driver d, Coverage seen) {
        OrderBookView original = d.views.getFirst();
        byte[] image = image(original);
        OrderBookView restored = restore(image);
        assertThat(image(restored)).as("the restored view images to the same bytes").isEqualTo(image);
        assertThat(d.queries(restored)).isEqualTo(d.queries(original));
        // the fields of a signed order no answer shows (time in force, flags, peg, expiry, nonce, margin) must come back too:
        // compared here, record by record, since both images above come from the same writer
        Map<Hash32, OrderBookView.OrderRecord> before = records(original), after = records(restored);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (var e : before.entrySet()) {
            OrderBookView.OrderRecord r = e.getValue(), back = after.get(e.getKey());
            assertThat(back.order).isEqualTo(r.order);
            assertThat(List.of(back.hashHex, back.traderHex, back.ackSeq, back.filled, back.trimmed, back.bookId, back.status, back.shownSize, back.shownPrice))
                    .isEqualTo(List.of(r.hashHex, r.traderHex, r.ackSeq, r.filled, r.trimmed, r.bookId, r.status, r.shownSize, r.shownPrice));
        }
        if (original.ordersKept() > original.bookIdsKept()) seen.restoredWithClosed++;
        if (before.values().stream().anyMatch(r -> r.trimmed != 0)) seen.restoredWithTrims++;
        d.views.add(restored);
        seen.afterCut = true;
    }

    /** The view's records by order hash (a private field: the test reads it to compare what no answer shows). */
    @SuppressWarnings("unchecked")
    static Map<Hash32, OrderBookView.OrderRecord> records(OrderBookView v) {
        try {
            var f = OrderBookView.class.getDeclaredField("orders");
            f.setAccessible(true);
            return (Map<Hash32, OrderBookView.OrderRecord>) f.get(v);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aViewIsNotImagedInTheMiddleOfACommand() {
        Driver d = new Driver(new Coverage());
        OrderBookView v = d.views.getFirst();
        d.apply(new Place(0, 1, false, 100, 2, 0, false, 0, 2, false, 0));
        image(v); // between commands: fine
        Address buyer = address(1);
        Order o = new Order(buyer, 1, Side.BUY, 100 * TICK, LOT, 0, TimeInForce.GTC, 0, 0, 10_000, 1_000_000);
        VerifiedOrder vo = new VerifiedOrder(o, Market.GENESIS.domain().orderDigest(o), by(buyer));
        assertThat(d.ex.submit(vo)).isNull();
        v.placed(vo, 99);
        v.record(d.ex.takeEvents(), 99); // a fill: waits for its batch, and two orders for their depth deltas
        assertThatThrownBy(() -> image(v)).isInstanceOf(IllegalStateException.class).hasMessageContaining("middle of a command");
        v.depthDeltas(d.ex, d.reads);
        assertThatThrownBy(() -> image(v)).isInstanceOf(IllegalStateException.class).hasMessageContaining("1 fill");
        v.landed(0);
        assertThat(restore(image(v)).ordersKept()).isEqualTo(v.ordersKept());
    }

    @Test
    void aDamagedViewImageIsRefusedAsAFormatErrorOrReadAsSomeView() {
        Driver d = new Driver(new Coverage());
        List<Op> flow = Gens.listOf(ops(), 80, 80).next(new java.util.SplittableRandom(7));
        for (Op op : flow) d.apply(op);
        byte[] image = image(d.views.getFirst());
        assertThatThrownBy(() -> restore(Arrays.copyOf(image, image.length - 1))).isInstanceOf(ImageFormatException.class);
        byte[] badMark = image.clone();
        badMark[0] ^= 1;
        assertThatThrownBy(() -> restore(badMark)).isInstanceOf(ImageFormatException.class).hasMessageContaining("mark");
        Property.forAll(Gens.ints(0, image.length - 1), Gens.ints(0, 7)).tries(300).check((at, bit) -> {
            byte[] bad = image.clone();
            bad[at] ^= (byte) (1 << bit);
            try {
                restore(bad);
            } catch (ImageFormatException expected) {
                // refused with a reason; anything else (an index out of bounds, a class cast) is a reader bug
            }
        });
    }

    // ---- answers as text that names each value's type: an Integer where a Long was is a difference ----

    static String typed(Object v) {
        StringBuilder sb = new StringBuilder();
        typed(v, sb);
        return sb.toString();
    }

    private static void typed(Object v, StringBuilder sb) {
        switch (v) {
            case null -> sb.append("null");
            case Integer i -> sb.append("i").append(i);
            case Long l -> sb.append("l").append(l);
            case Double x -> sb.append("d").append(Double.doubleToRawLongBits(x));
            case Boolean b -> sb.append(b);
            case String s -> sb.append('"').append(s).append('"');
            case long[] a -> sb.append("L").append(Arrays.toString(a));
            case Map<?, ?> m -> {
                sb.append('{');
                for (var e : m.entrySet()) {
                    sb.append(e.getKey()).append('=');
                    typed(e.getValue(), sb);
                    sb.append(',');
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (Object o : l) {
                    typed(o, sb);
                    sb.append(',');
                }
                sb.append(']');
            }
            default -> sb.append(v.getClass().getName()).append(':').append(v);
        }
    }
}
