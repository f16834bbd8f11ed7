package dev.clearline.engine.exchange;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static dev.clearline.engine.testkit.World.LOT;
import static dev.clearline.engine.testkit.World.TICK;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resting reduce-only orders (take-profits) of one trader, Alice, while her position moves under them: she opens and
 * cuts positions against a market maker's deep quotes, rests take-profits on the side that shrinks her position, and a
 * taker lifts or hits them with random sizes, also fill-or-kill; some take-profits are icebergs, some pegged to the mark. Checked at every step: a take-profit never opens,
 * grows or flips her position (a taker's command never moves it away from zero, and never past it); a take-profit
 * never fills past its signed size, and once closed its fills and its cancelled rest add up to that size; a FOK fills
 * all or nothing; every exchange refusal of a take-profit is its own (REDUCE_ONLY_WOULD_INCREASE); after every command each
 * resting take-profit has a position to reduce (one whose position another fill closed or turned is taken off in that
 * command) and shows no more open lots than that position holds (one larger is trimmed to it in that command), its
 * fills, trims and cancelled rest adding up to its signed size. Reached on purpose
 * (the test fails when a campaign stops reaching them): fills capped by the position (POSITION_CLOSED), take-profits
 * whose position closed otherwise leaving at the next taker (REFUSED), and take-profits trimmed (Trimmed).
 */
class TakeProfitProperties {
    /** One step: what, how many lots, which side or order, at which offset in ticks from the middle. */
    record Step(int kind, int lots, int pick, int offset) {}

    static final Gen<Step> STEP = Gen.of(r -> new Step(r.nextInt(100), 1 + r.nextInt(8), r.nextInt(1 << 16), r.nextInt(1, 6)));

    @Test
    void takeProfitsNeverOpenGrowOrFlipAPositionAndAccountForEveryLot() {
        long[] reached = new long[7];
        Property.forAll(Gens.listOf(STEP, 1, 80)).tries(150).check(steps -> {
            Run run = new Run();
            for (Step s : steps) {
                run.step(s);
                run.checkResting();
            }
            run.closeOut();
            for (int i = 0; i < reached.length; i++) reached[i] += run.reached[i];
        });
        assertThat(java.util.Arrays.stream(reached).boxed().toList())
                .as("take-profits filled, capped by their position then closed, met by a taker after another take-profit closed the position"
                        + " (REFUSED), taken off once another fill closed or turned their position, trimmed to a position that shrank,"
                        + " trims of pegged and of iceberg take-profits")
                .allMatch(n -> n > 0);
    }

    static final class Run {
        final Desk d = new Desk();
        final Signer alice = d.trader(21, 1_000_000_000L);
        final Signer maker = d.trader(22, 1_000_000_000_000L);
        final Signer taker = d.trader(23, 1_000_000_000_000L);
        /** Alice's take-profits by book id: the signed order, lots filled, and whether a closing event came. */
        final Map<Long, Order> tps = new HashMap<>();
        final Map<Long, Long> filled = new HashMap<>();
        final Map<Long, Long> closedWith = new HashMap<>();
        final Map<Long, Long> trimmed = new HashMap<>();
        final long[] reached = new long[7];
        /** Nonces of the pegged take-profits, signed here (the desk's counter is its own): far above the desk's. */
        long pegNonce = 1L << 40;

        Run() {
            // deep quotes 5 ticks either side of the middle, refreshed when used up
            d.place(d.gtc(maker, Side.BUY, 10_000 - 5 * TICK, 10_000, 1_000_000_000L));
            d.place(d.gtc(maker, Side.SELL, 10_000 + 5 * TICK, 10_000, 1_000_000_000L));
            d.events();
        }

        long position() {
            return StateReads.position(d.ex.state(), alice.address(), Desk.MARKET).size() / LOT;
        }

        void step(Step s) {
            long held = position();
            int k = s.kind();
            if (k < 15) {
                // Alice trades against the quotes: opens, grows, cuts or flips her position
                boolean buy = (s.pick() & 1) == 0;
                submit(alice, d.order(alice, buy ? Side.BUY : Side.SELL, buy ? 10_000 + 5 * TICK : 10_000 - 5 * TICK, s.lots(),
                        10_000_000, TimeInForce.IOC, 0, 0, 0));
            } else if (k < 25 && held != 0) {
                // Alice cuts her position by a reduce-only IOC (or closes it)
                long lots = (s.pick() & 3) == 0 ? Math.abs(held) : Math.min(s.lots(), Math.abs(held));
                boolean buy = held < 0;
                submit(alice, d.order(alice, buy ? Side.BUY : Side.SELL, buy ? 10_000 + 5 * TICK : 10_000 - 5 * TICK, lots, 0,
                        TimeInForce.IOC, Order.REDUCE_ONLY, 0, 0));
            } else if (k < 50 && held != 0) {
                // a take-profit, resting between the middle and the quotes, at most the position (mostly all of it)
                boolean buy = held < 0;
                long lots = (s.pick() & 1) == 0 ? Math.abs(held) : 1 + s.pick() % Math.abs(held);
                long price = 10_000 + (buy ? -1 : 1) * Math.min(s.offset(), 4) * TICK;
                int flags = Order.REDUCE_ONLY | ((s.pick() >> 3) % 3 == 0 ? Order.POST_ONLY : 0);
                Order o = d.order(alice, buy ? Side.BUY : Side.SELL, price, lots, 0, TimeInForce.GTC, flags, 0, 0);
                int kind = (s.pick() >> 6) % 6;
                if (kind == 0 && lots > 1) {
                    // an iceberg take-profit: one lot shown, the rest hidden (a trim cuts hidden lots first)
                    o = d.order(alice, buy ? Side.BUY : Side.SELL, price, lots, 0, TimeInForce.GTC, flags, 1, 0);
                } else if (kind == 1) {
                    // pegged to the mark, 1 to 4 ticks on its side of it, never past its signed price (the middle)
                    long limit = 10_000 + (buy ? -1 : 1) * TICK;
                    o = new Order(alice.address(), Desk.MARKET, buy ? dev.clearline.engine.order.Side.BUY : dev.clearline.engine.order.Side.SELL,
                            limit, lots * LOT, 0, TimeInForce.GTC, flags, dev.clearline.engine.order.Peg.MARK,
                            (buy ? -1 : 1) * Math.min(s.offset(), 4), 0, pegNonce++, 0);
                }
                VerifiedOrder v = d.verified(o);
                Reject r = d.submit(v);
                assertThat(r).as("a take-profit within the position rests or fills: %s", o).isIn(null, Reject.POST_ONLY_WOULD_TAKE);
                long id = d.ex.orderId(v.hash());
                List<ExchangeEvent> events = d.events();
                if (r == null) {
                    long acceptedId = events.stream().filter(e -> e instanceof ExchangeEvent.Accepted a && a.orderHash().equals(v.hash()))
                            .mapToLong(e -> ((ExchangeEvent.Accepted) e).orderId()).findFirst().orElseThrow();
                    tps.put(acceptedId, o);
                    if (id < 0) assertThat(acceptedId).isPositive();
                }
                account(events, held);
            } else if (k < 60 && held != 0) {
                // larger than the position: refused when it may rest
                boolean buy = held < 0;
                Order o = d.order(alice, buy ? Side.BUY : Side.SELL, 10_000, Math.abs(held) + s.lots(), 0, TimeInForce.GTC, Order.REDUCE_ONLY, 0, 0);
                assertThat(d.submit(d.verified(o))).isEqualTo(Reject.REDUCE_ONLY_WOULD_INCREASE);
                assertThat(d.events()).noneMatch(e -> e instanceof ExchangeEvent.Filled);
            } else if (k < 92) {
                // the taker lifts or hits whatever rests within 4 ticks of the middle, any size, IOC or FOK
                boolean buy = (s.pick() & 1) == 0;
                TimeInForce tif = (s.pick() >> 1) % 4 == 0 ? TimeInForce.FOK : TimeInForce.IOC;
                long lots = s.lots() + (s.pick() >> 4) % 8;
                Order o = d.order(taker, buy ? Side.BUY : Side.SELL, buy ? 10_000 + 4 * TICK : 10_000 - 4 * TICK, lots, 10_000_000_000L, tif, 0, 0, 0);
                VerifiedOrder v = d.verified(o);
                d.submit(v);
                List<ExchangeEvent> events = d.events();
                long after = position();
                assertThat(held == 0 ? after == 0 : Long.signum(after) != -Long.signum(held) && Math.abs(after) <= Math.abs(held))
                        .as("the taker met only take-profits of Alice: her position %d went to %d", held, after).isTrue();
                if (tif == TimeInForce.FOK) {
                    long takerFilled = events.stream().filter(e -> e instanceof ExchangeEvent.Filled f && takerIs(f, v, events))
                            .mapToLong(e -> ((ExchangeEvent.Filled) e).size()).sum();
                    assertThat(takerFilled).as("a FOK fills all or nothing").isIn(0L, o.size());
                }
                account(events, held);
                return;
            } else if (!tps.isEmpty()) {
                // Alice cancels one of her take-profits
                Long id = tps.keySet().stream().sorted().skip(s.pick() % tps.size()).findFirst().orElseThrow();
                Order o = tps.get(id);
                if (d.ex.liveOrder(id) != null) {
                    assertThat(d.ex.cancel(new VerifiedCancel(alice.address(), d.w.domain.orderDigest(o), Desk.UNSIGNED))).isNull();
                }
            }
            account(d.events(), held);
        }

        /**
         * After every command: each of Alice's resting take-profits has something to reduce and offers no more than it
         * (the exchange tidies and trims the rest), its open lots being what its events left of it.
         */
        void checkResting() {
            long held = position();
            for (var t : tps.entrySet()) {
                if (d.ex.liveOrder(t.getKey()) == null) continue;
                assertThat(held != 0 && (held > 0) != t.getValue().isBuy())
                        .as("take-profit %s rests while Alice holds %d lots", t.getValue(), held).isTrue();
                long open = d.book().openLots(t.getKey());
                assertThat(open).as("take-profit %s open while Alice holds %d lots", t.getValue(), held).isLessThanOrEqualTo(Math.abs(held));
                assertThat(open * LOT).as("its open size is its signed size less its fills and trims")
                        .isEqualTo(t.getValue().size() - filled.getOrDefault(t.getKey(), 0L) - trimmed.getOrDefault(t.getKey(), 0L));
            }
        }

        private boolean takerIs(ExchangeEvent.Filled f, VerifiedOrder v, List<ExchangeEvent> events) {
            return events.stream().anyMatch(e -> e instanceof ExchangeEvent.Accepted a && a.orderHash().equals(v.hash()) && a.orderId() == f.takerOrderId());
        }

        private void submit(Signer s, Order o) {
            d.submit(d.verified(o));
            account(d.events(), Long.MIN_VALUE);
        }

        /** Books the events' fills and closings of Alice's take-profits. */
        private void account(List<ExchangeEvent> events, long heldBefore) {
            for (ExchangeEvent e : events) {
                switch (e) {
                    case ExchangeEvent.Filled f -> {
                        for (long id : new long[] {f.makerOrderId(), f.takerOrderId()}) {
                            Order o = tps.get(id);
                            if (o == null) continue;
                            long total = filled.merge(id, f.size(), Long::sum);
                            assertThat(total).as("a take-profit fills at most its signed size").isLessThanOrEqualTo(o.size());
                            if (id == f.makerOrderId()) reached[0]++;
                        }
                    }
                    case ExchangeEvent.Cancelled c -> {
                        Order o = tps.get(c.orderId());
                        if (o == null) continue;
                        assertThat(closedWith).as("one closing event").doesNotContainKey(c.orderId());
                        closedWith.put(c.orderId(), c.remaining());
                        assertThat(filled.getOrDefault(c.orderId(), 0L) + trimmed.getOrDefault(c.orderId(), 0L) + c.remaining())
                                .as("filled, trimmed and cancelled add up to the signed size").isEqualTo(o.size());
                        if (c.why() == ExchangeEvent.Why.POSITION_CLOSED) {
                            // capped: the fill just before it was its own; tidied: another fill of the command closed or turned the position
                            boolean capped = events.indexOf(e) > 0 && events.get(events.indexOf(e) - 1) instanceof ExchangeEvent.Filled f
                                    && f.makerOrderId() == c.orderId();
                            reached[capped ? 1 : 3]++;
                        }
                        if (c.why() == ExchangeEvent.Why.REFUSED) {
                            assertThat(c.reason()).as("a take-profit is refused only for its own position").isEqualTo(Reject.REDUCE_ONLY_WOULD_INCREASE);
                            reached[2]++;
                        }
                    }
                    case ExchangeEvent.Trimmed t -> {
                        Order o = tps.get(t.orderId());
                        assertThat(o).as("only a take-profit is trimmed").isNotNull();
                        long cut = trimmed.merge(t.orderId(), t.removed(), Long::sum);
                        assertThat(t.removed()).isPositive();
                        assertThat(t.openSize()).as("what a trim leaves").isEqualTo(o.size() - filled.getOrDefault(t.orderId(), 0L) - cut)
                                .isPositive();
                        reached[4]++;
                        if (o.pegged()) reached[5]++;
                        if (o.displaySize() != 0) reached[6]++;
                    }
                    default -> { }
                }
            }
        }

        /** At the end: every take-profit off the book is fully accounted for. */
        void closeOut() {
            for (var t : tps.entrySet()) {
                if (d.ex.liveOrder(t.getKey()) != null) continue;
                long done = filled.getOrDefault(t.getKey(), 0L) + trimmed.getOrDefault(t.getKey(), 0L) + closedWith.getOrDefault(t.getKey(), 0L);
                assertThat(done).as("take-profit %d off the book: its lots all filled, trimmed or cancelled", t.getKey()).isEqualTo(t.getValue().size());
            }
        }
    }
}
