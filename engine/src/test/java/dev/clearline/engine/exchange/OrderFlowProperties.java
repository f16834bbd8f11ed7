package dev.clearline.engine.exchange;

import dev.clearline.engine.book.FillVerdict;
import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import dev.clearline.engine.transition.Transition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.clearline.engine.testkit.World.LOT;
import static dev.clearline.engine.testkit.World.TICK;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random order flow through the exchange, checked after every command: no order rests after it
 * was refused, expired or cancelled; a fill-or-kill fills completely or not at all; every resting
 * order's terms are its signed terms; a refused fill never removes an order of a third party
 * (only "spoilers", who withdraw the balance their resting orders' margin needs, ever lose an
 * order to a refusal); reservations equal the sum over resting orders; the book never rests an
 * order the oracle clock expired, and is never crossed. Pegged orders (mark and book, any time in
 * force, post-only or not) are part of the flow: a resting peg's price is always its reference
 * plus its offset clamped to its limit (or none while its reference is absent), recomputed here
 * from the oracle's mark and the resting fixed-price orders.
 */
class OrderFlowProperties {
    /** One generated command; the fields are resolved against the current state by {@link Run#step}. */
    record Step(int kind, int trader, boolean buy, int priceOffset, int lots, int style, int pick) {}

    static final Gen<Step> STEP = Gen.of(r -> new Step(r.nextInt(100), r.nextInt(6), r.nextBoolean(), r.nextInt(-6, 7),
            1 + r.nextInt(10), r.nextInt(100), r.nextInt(1 << 20)));

    @Test
    void everyCommandKeepsEverySignedPromise() {
        long[] seen = new long[11];
        Property.forAll(Gens.listOf(STEP, 1, 120)).tries(60).check(steps -> {
            Run run = new Run();
            for (Step s : steps) {
                run.step(s);
                run.checkInvariants();
            }
            for (int i = 0; i < seen.length; i++) seen[i] += run.seen[i];
        });
        // the flow must reach what it checks: refusals, filled and killed FOKs, expiries
        assertThat(java.util.Arrays.stream(seen).boxed().toList())
                .as("refusals, FOKs filled, FOKs killed, expiries, pegged orders, fills of resting pegs, of mark-pegged ones, prunes, hash prunes,"
                        + " nonces forgotten, take-profits placed")
                .allMatch(n -> n > 0);
    }

    static final class Run {
        final Desk d = new Desk();
        final Signer[] traders = new Signer[6];
        /** Traders 4 and 5 rest orders backed by their whole balance, then withdraw it. */
        final Set<Address> spoilers = new HashSet<>();
        final Map<Hash32, Signer> signerOf = new HashMap<>();
        final List<VerifiedOrder> placed = new ArrayList<>();
        final Set<Long> dead = new HashSet<>();
        /** Refusals, FOKs filled, FOKs killed, expiries seen in this run. */
        final long[] seen = new long[11];
        /** Hashes seen posted (with an ORDER_HASH leaf naming an id), and those whose leaf was pruned since. */
        final Set<Hash32> postedHashes = new HashSet<>();

        Run() {
            for (int i = 0; i < 6; i++) {
                boolean spoiler = i >= 4;
                traders[i] = d.trader(10 + i, spoiler ? 400_000 : 1_000_000_000L);
                if (spoiler) spoilers.add(traders[i].address());
            }
        }

        void step(Step s) {
            Signer who = traders[s.trader()];
            boolean spoiler = spoilers.contains(who.address());
            long price = 10_000 + s.priceOffset() * TICK;
            long margin = spoiler ? 400_000 : 400_000;
            int k = s.kind();
            if (k < 40) {
                submit(who, s, price, margin);
            } else if (k < 55) {
                cancel(s);
            } else if (k < 75) {
                amend(s, price, margin);
            } else if (k < 88) {
                d.oracle(9_700 + (s.pick() % 7) * 100, d.ts + 1 + s.pick() % 2);
                record();
            } else {
                Signer sp = traders[4 + (s.pick() & 1)];
                long free = dev.clearline.engine.stf.StateReads.balance(d.ex.state(), sp.address()).free();
                if (free > 0) d.withdraw(sp, free);
                record();
            }
        }

        private void submit(Signer who, Step s, long price, long margin) {
            int st = s.style();
            TimeInForce tif = st < 60 ? TimeInForce.GTC : st < 80 ? TimeInForce.IOC : TimeInForce.FOK;
            int flags = 0;
            long display = 0;
            long expiry = 0;
            boolean buy = s.buy();
            long lots = s.lots();
            long held = dev.clearline.engine.stf.StateReads.position(d.ex.state(), who.address(), Desk.MARKET).size() / LOT;
            if (tif == TimeInForce.GTC && st % 4 == 1 && held != 0) {
                // a take-profit: reduce-only on the side that shrinks the position, at most its size, left to rest
                flags |= Order.REDUCE_ONLY;
                buy = held < 0;
                lots = s.pick() % 3 == 0 ? 1 + s.pick() % Math.abs(held) : Math.abs(held); // mostly all of it: any other trade leaves it larger
                price = 10_000 + (buy ? -1 : 1) * (1 + s.pick() % 2) * TICK; // near the middle, on its own side: it mostly rests, and takers meet it
                seen[10]++;
            }
            if (tif == TimeInForce.GTC) {
                if (st % 7 == 0) flags |= Order.POST_ONLY;
                if (st % 5 == 0 && s.lots() > 2) display = 1 + s.pick() % (s.lots() - 1);
                if (st % 3 == 0) expiry = d.ts + s.pick() % 4;
            } else if (st % 4 == 0) {
                flags |= Order.MARKET;
                price = s.buy() ? 11_000 : 9_000;
            }
            Order o = d.order(who, buy ? Side.BUY : Side.SELL, price, lots, margin, tif, flags, display, expiry);
            if (s.pick() % 4 == 0 && (flags & Order.MARKET) == 0) {
                // pegged: the generated price is its limit; offsets around the reference, both ways
                Peg peg = (s.pick() >> 2) % 2 == 0 ? Peg.MARK : Peg.BOOK;
                int offset = (s.pick() >> 3) % 9 - 4;
                o = new Order(o.trader(), o.marketId(), o.side(), o.price(), o.size(), o.displaySize(), o.timeInForce(),
                        o.flags(), peg, offset, o.expiry(), o.nonce(), o.margin());
                seen[4]++;
            }
            VerifiedOrder v = d.verified(o);
            signerOf.put(v.hash(), who);
            d.submit(v);
            placed.add(v);
            List<ExchangeEvent> events = record();
            if (tif == TimeInForce.FOK) {
                long id = events.stream().filter(e -> e instanceof ExchangeEvent.Accepted a && a.orderHash().equals(v.hash()))
                        .mapToLong(e -> ((ExchangeEvent.Accepted) e).orderId()).findFirst().orElse(-1);
                long filled = events.stream().filter(e -> e instanceof ExchangeEvent.Filled f && f.takerOrderId() == id)
                        .mapToLong(e -> ((ExchangeEvent.Filled) e).size()).sum();
                assertThat(filled).as("a FOK fills all or nothing: %s", o).isIn(0L, o.size());
                seen[filled == 0 ? 2 : 1]++;
            }
            if (d.ex.orderId(v.hash()) > 0) lastKnown.put(d.ex.orderId(v.hash()), o); // the cut below may take it off before the check
            if ((flags & Order.REDUCE_ONLY) != 0 && (s.pick() >> 4) % 2 == 0) {
                // the trader then takes a lot off the position by another order, so the take-profit rests larger than it
                Order cut = d.order(who, buy ? Side.BUY : Side.SELL, buy ? 10_600 : 9_400, 1, margin, TimeInForce.IOC, Order.REDUCE_ONLY, 0, 0);
                VerifiedOrder c = d.verified(cut);
                signerOf.put(c.hash(), who);
                d.submit(c);
                placed.add(c);
                record();
            }
        }

        private VerifiedOrder pickLive(int pick) {
            List<VerifiedOrder> live = placed.stream().filter(v -> d.ex.orderId(v.hash()) > 0).toList();
            return live.isEmpty() ? null : live.get(pick % live.size());
        }

        private void cancel(Step s) {
            VerifiedOrder v = pickLive(s.pick());
            if (v == null) return;
            long id = d.ex.orderId(v.hash());
            assertThat(d.ex.cancel(d.cancelOf(signerOf.get(v.hash()), v))).isNull();
            record();
            assertThat(d.book().isResting(id)).isFalse();
        }

        private void amend(Step s, long price, long margin) {
            VerifiedOrder v = pickLive(s.pick());
            if (v == null) return;
            Signer who = signerOf.get(v.hash());
            Order old = v.order();
            int st = s.style();
            TimeInForce tif = st < 70 ? TimeInForce.GTC : st < 85 ? TimeInForce.IOC : TimeInForce.FOK;
            long display = tif == TimeInForce.GTC && st % 5 == 0 && s.lots() > 2 ? 1 + s.pick() % (s.lots() - 1) : 0;
            long expiry = tif == TimeInForce.GTC && st % 3 == 0 ? d.ts + s.pick() % 4 : 0;
            int flags = tif == TimeInForce.GTC ? old.flags() & Order.POST_ONLY : 0;
            Order o = d.order(who, old.isBuy() ? Side.BUY : Side.SELL, price, s.lots(), margin, tif, flags, display, expiry);
            VerifiedOrder next = d.verified(o);
            signerOf.put(next.hash(), who);
            placed.add(next);
            d.ex.amend(d.cancelOf(who, v), next);
            List<ExchangeEvent> events = record();
            for (ExchangeEvent e : events) {
                if (e instanceof ExchangeEvent.Amended a) {
                    assertThat(a.replacedOrderHash()).as("an amend names the order it replaced").isEqualTo(v.hash());
                    assertThat(a.newOrderHash()).isEqualTo(next.hash());
                }
            }
            if (tif == TimeInForce.FOK) {
                long id = d.ex.orderId(next.hash());
                assertThat(id).as("a FOK never rests").isEqualTo(-1);
                long amendedId = events.stream().filter(e -> e instanceof ExchangeEvent.Amended a && a.newOrderHash().equals(next.hash()))
                        .mapToLong(e -> ((ExchangeEvent.Amended) e).orderId()).findFirst().orElse(-1);
                long filled = events.stream().filter(e -> e instanceof ExchangeEvent.Filled f && f.takerOrderId() == amendedId)
                        .mapToLong(e -> ((ExchangeEvent.Filled) e).size()).sum();
                assertThat(filled).as("an amend to FOK fills all or nothing").isIn(0L, o.size());
            }
        }

        /** Takes the events of the last command and checks what they say about refusals. */
        private List<ExchangeEvent> record() {
            List<ExchangeEvent> events = d.events();
            for (ExchangeEvent e : events) {
                switch (e) {
                    case ExchangeEvent.Cancelled c -> {
                        dead.add(c.orderId());
                        if (c.why() == ExchangeEvent.Why.REFUSED) {
                            seen[0]++;
                            Order o = orderBehind(c.orderId(), events);
                            assertThat(o).as("a refused order is known").isNotNull();
                            if (!(o.reduceOnly() && c.reason() == dev.clearline.engine.stf.Reject.REDUCE_ONLY_WOULD_INCREASE)) {
                                // else a take-profit whose position its own trader closed or turned meanwhile (TakeProfitProperties)
                                assertThat(spoilers).as("only an order whose own trader spoiled it leaves on a refusal: %s", c)
                                        .contains(o.trader());
                            }
                            assertThat(c.reason()).isNotNull();
                        }
                        if (c.why() == ExchangeEvent.Why.POSITION_CLOSED) {
                            Order o = orderBehind(c.orderId(), events);
                            // reached rarely here (the flow's own cuts often find no bid): TakeProfitProperties takes it on purpose
                            assertThat(o.reduceOnly()).as("only a reduce-only order leaves for a closed position: %s", c).isTrue();
                        }
                    }
                    case ExchangeEvent.Expired x -> {
                        dead.add(x.orderId());
                        seen[3]++;
                    }
                    case ExchangeEvent.FillRefused f -> assertThat(f.verdict()).isNotEqualTo(FillVerdict.FILL);
                    case ExchangeEvent.Filled f -> {
                        Order maker = orderBehind(f.makerOrderId(), events);
                        if (maker != null && maker.peg() == Peg.MARK) {
                            // the book's price for a mark-pegged maker is the one the STF prices its Trade at
                            long mark = dev.clearline.engine.stf.StateReads.market(d.ex.state(), Desk.MARKET).markPrice();
                            assertThat(f.price()).as("fill price of mark-pegged %s", maker).isEqualTo(
                                    dev.clearline.engine.risk.PegPrice.markPegged(maker.isBuy(), maker.price(), maker.pegOffset(), mark, TICK));
                            seen[6]++;
                        }
                        if (maker != null && maker.pegged()) seen[5]++;
                        if (maker != null && maker.peg() == Peg.BOOK) {
                            assertThat(maker.isBuy() ? f.price() <= maker.price() : f.price() >= maker.price())
                                    .as("a book-pegged maker fills within its limit").isTrue();
                        }
                    }
                    default -> { }
                }
            }
            return events;
        }

        /** The order a book id stood for when an event named it (it may have left the indexes since). */
        private Order orderBehind(long id, List<ExchangeEvent> events) {
            Order live = d.ex.liveOrder(id);
            if (live != null) return live;
            for (ExchangeEvent e : events) {
                if (e instanceof ExchangeEvent.Accepted a && a.orderId() == id) return order(a.orderHash());
                if (e instanceof ExchangeEvent.Amended a && a.orderId() == id) return order(a.newOrderHash());
            }
            return lastKnown.get(id);
        }

        private Order order(Hash32 hash) {
            for (VerifiedOrder v : placed) if (v.hash().equals(hash)) return v.order();
            return null;
        }

        final Map<Long, Order> lastKnown = new HashMap<>();

        /** The price in ticks a resting peg must have now, from the oracle's mark and the resting fixed-price orders. */
        long expectedPegTicks(Order o, long[] bestFixed) {
            long limit = o.price() / TICK;
            long ref;
            if (o.peg() == Peg.MARK) {
                long mark = dev.clearline.engine.stf.StateReads.market(d.ex.state(), Desk.MARKET).markPrice();
                if (mark == 0) return OrderBook.NO_PRICE;
                ref = o.isBuy() ? mark / TICK : (mark + TICK - 1) / TICK;
            } else {
                ref = bestFixed[o.isBuy() ? 0 : 1];
                if (ref == OrderBook.NO_PRICE) return OrderBook.NO_PRICE;
            }
            long p = o.isBuy() ? Math.min(limit, ref + o.pegOffset()) : Math.max(limit, ref + o.pegOffset());
            return p < 1 ? OrderBook.NO_PRICE : p;
        }

        void checkInvariants() {
            OrderBook book = d.book();
            Map<String, long[]> sums = new HashMap<>();
            long[] bestFixed = {OrderBook.NO_PRICE, OrderBook.NO_PRICE};
            for (Side side : Side.values()) {
                book.forEachResting(side, (id, owner, priceTicks, visible, hidden, expiresAt) -> {
                    Order o = d.ex.liveOrder(id);
                    if (o == null || o.pegged()) return;
                    int i = side == Side.BUY ? 0 : 1;
                    long best = bestFixed[i];
                    if (best == OrderBook.NO_PRICE || (side == Side.BUY ? priceTicks > best : priceTicks < best)) bestFixed[i] = priceTicks;
                });
            }
            for (Side side : Side.values()) {
                book.forEachResting(side, (id, owner, priceTicks, visible, hidden, expiresAt) -> {
                    assertThat(dead).as("order %d rests after it was cancelled, refused or expired", id).doesNotContain(id);
                    Order o = d.ex.liveOrder(id);
                    assertThat(o).as("a resting order is live").isNotNull();
                    lastKnown.put(id, o);
                    assertThat(o.isBuy()).isEqualTo(side == Side.BUY);
                    assertThat(o.timeInForce()).isEqualTo(TimeInForce.GTC);
                    long expectedPrice = o.pegged() ? expectedPegTicks(o, bestFixed) : o.price() / TICK;
                    assertThat(priceTicks).as("price of %s", o).isEqualTo(expectedPrice);
                    assertThat(expiresAt).as("expiry of %s", o).isEqualTo(o.expiry() == 0 ? OrderBook.NEVER_EXPIRES : o.expiry());
                    long display = o.displaySize() == 0 || o.displaySize() == o.size() ? 0 : o.displaySize() / LOT;
                    assertThat(book.displayLots(id)).as("display of %s", o).isEqualTo(display);
                    assertThat(visible + hidden).isLessThanOrEqualTo(o.size() / LOT);
                    if (display > 0) assertThat(visible).isLessThanOrEqualTo(display);
                    assertThat(o.expiry() == 0 || o.expiry() >= d.ts).as("no order rests past its expiry on the oracle clock").isTrue();
                    if (o.reduceOnly()) return; // it can only shrink the position: it reserves nothing
                    long[] sum = sums.computeIfAbsent(o.trader() + "/" + o.isBuy(), x -> new long[2]);
                    long open = (visible + hidden) * LOT;
                    sum[0] += open;
                    sum[1] += Fixed.notional(open, LOT, o.price());
                });
            }
            for (Signer t : traders) {
                for (boolean buy : new boolean[] {true, false}) {
                    long[] expected = sums.getOrDefault(t.address() + "/" + buy, new long[2]);
                    assertThat(d.ex.reserved(t.address(), Desk.MARKET, buy)).as("reservations of %s %s", t.address(), buy)
                            .isEqualTo(expected);
                }
            }
            if (book.bestBidTicks() != OrderBook.NO_PRICE && book.bestAskTicks() != OrderBook.NO_PRICE) {
                assertThat(book.bestBidTicks()).isLessThan(book.bestAskTicks());
            }
            // what left the book leaves the hash table too: it holds the live orders only, however long the flow
            assertThat(d.ex.retainedOrderHashes()).as("hashes retained").isEqualTo(book.restingOrders());
            // and the state: once the command's transitions are taken, only live posted orders keep an ORDER leaf
            List<Transition> taken = d.ex.takeTransitions();
            long pruned = taken.stream().filter(t -> t instanceof Transition.PruneOrder).count();
            seen[7] += pruned;
            long count = dev.clearline.engine.stf.StateReads.global(d.ex.state()).orderCount();
            Set<Long> withLeaf = new HashSet<>();
            for (long id = 1; id <= count; id++) {
                if (dev.clearline.engine.stf.StateReads.order(d.ex.state(), id) != null) withLeaf.add(id);
            }
            assertThat(withLeaf).as("ids with an ORDER leaf").containsExactlyInAnyOrderElementsOf(d.ex.postedLiveIds());
            // a finished order's hash stays exactly until the oracle clock passes its expiry; one without expiry stays for good
            seen[8] += taken.stream().filter(t -> t instanceof Transition.PruneOrderHash).count();
            Set<Long> live = new HashSet<>(d.ex.postedLiveIds());
            for (VerifiedOrder v : placed) {
                dev.clearline.engine.state.OrderHashLeaf h = dev.clearline.engine.stf.StateReads.orderHash(d.ex.state(), v.hash());
                if (h != null && !h.isTombstone()) {
                    postedHashes.add(v.hash());
                    assertThat(h).as("the leaf of %s", v.order()).isEqualTo(dev.clearline.engine.state.OrderHashLeaf.posted(h.orderId(), Desk.MARKET, v.order().expiry()));
                    boolean due = v.order().expiry() != 0 && d.ts > v.order().expiry() && !live.contains(h.orderId());
                    assertThat(due).as("the hash of finished %s kept past its expiry at %s", v.order(), d.ts).isFalse();
                } else if (postedHashes.contains(v.hash())) {
                    assertThat(v.order().expiry() != 0 && d.ts > v.order().expiry()).as("the hash of %s pruned before its expiry at %s", v.order(), d.ts).isTrue();
                }
                // and its nonce: kept while the order is live, forgotten once the clock has passed its expiry (refused as EXPIRED then)
                boolean liveNow = d.ex.orderId(v.hash()) >= 0;
                boolean used = d.ex.nonceUsed(v.order().trader(), v.order().nonce());
                if (liveNow) assertThat(used).as("the nonce of live %s", v.order()).isTrue();
                if (!liveNow && v.order().expiry() != 0 && d.ts > v.order().expiry()) {
                    assertThat(used).as("the nonce of %s kept past its expiry at %s", v.order(), d.ts).isFalse();
                    seen[9]++;
                }
            }
            assertThat(d.ex.noncesWaitingToExpire()).as("nonces waiting for an expiry").isLessThanOrEqualTo(placed.size());
        }
    }
}
