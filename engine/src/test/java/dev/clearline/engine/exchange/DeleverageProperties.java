package dev.clearline.engine.exchange;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.MemoryLeafStore;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.clearline.engine.testkit.World.LOT;
import static dev.clearline.engine.testkit.World.TICK;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random trading with thin margins, violent marks and eager liquidations, checked after every
 * command against an independent replica: every transition the exchange emits, each Deleverage
 * among them, applies on a separate STF; the insurance fund's worth (free balance plus its equity
 * at the mark) is never negative unless the exchange reports exactly that shortfall, and then no
 * opposite position could take even one lot; each deleveraged counterparty is the next one in the
 * profit-and-leverage ranking (recomputed here from the fills, with the entries followed by this
 * test), every higher-ranked position passed over being one that could not take a single lot. Traders also rest
 * take-profits far from the mark: after every command each one still resting has a position to reduce and offers no
 * more than it holds, deleverages included (they trim or close them in the same command).
 */
class DeleverageProperties {
    static final int TRADERS = 6;

    record Step(int kind, int maker, int taker, boolean buy, int ticks, int lots, int makerMargin, int takerMargin, int move) {}

    static final Gen<Step> STEP = Gen.of(r -> new Step(r.nextInt(100), r.nextInt(TRADERS), r.nextInt(TRADERS), r.nextBoolean(),
            r.nextInt(-3, 4), 1 + r.nextInt(12), r.nextInt(150), r.nextInt(150), r.nextInt(-25, 26)));

    @Test
    void theFundIsNeverNegativeUnnoticedAndDeleveragesFollowTheRanking() {
        long[] seen = new long[4];
        Property.forAll(Gens.elements(0, 0, 20_000, 50_000), Gens.listOf(STEP, 1, 300)).tries(40).check((fee, steps) -> {
            Run run = new Run(fee);
            for (Step s : steps) {
                run.step(s);
                run.check();
            }
            for (int i = 0; i < seen.length; i++) seen[i] += run.seen[i];
        });
        assertThat(seen[0]).as("liquidations").isPositive();
        assertThat(seen[1]).as("deleverages").isPositive();
        if (System.getProperty("clearline.seed", "").isEmpty()) {
            // the fixed seeds reach the shortfall path (new thin counterparties after the fund carried bad debt)
            assertThat(seen[2]).as("commands that ended with a reported shortfall").isPositive();
            assertThat(seen[3]).as("take-profits trimmed or closed by a deleverage").isPositive();
        }
        System.out.printf("DeleverageProperties: %d liquidations, %d deleverages, %d commands ended with a reported shortfall,"
                + " %d take-profits trimmed or closed by a deleverage%n", seen[0], seen[1], seen[2], seen[3]);
    }

    static final class Run {
        final Desk d = new Desk();
        final Signer[] traders = new Signer[TRADERS];
        final Map<Hash32, Address> signerOfDigest = new HashMap<>();
        final Map<Long, VerifiedOrder> orderOfId = new HashMap<>();
        final List<Address> accountOrder = new ArrayList<>();
        /** The replica: every emitted transition applied again on its own STF. */
        final MemoryLeafStore replica = new MemoryLeafStore();
        final Stf stf;
        /** This test's own entry bookkeeping: signed size and entry value per trader. */
        final Map<Address, long[]> entries = new HashMap<>();
        long mark = 10_000;
        long reportedShortfall;
        final long[] seen = new long[4];
        /** Resting take-profits by book id; the trades' own orders never stay on the book between steps. */
        final Map<Long, VerifiedOrder> takeProfits = new HashMap<>();

        Run(int liquidationFee) {
            BouncyCastleVerifier real = new BouncyCastleVerifier();
            stf = new Stf(d.w.domain, (digest, sig) -> sig == Desk.UNSIGNED ? signerOfDigest.get(digest) : real.recover(digest, sig));
            for (int i = 0; i < TRADERS; i++) traders[i] = d.trader(20 + i, 400_000);
            long priority = StateReads.global(d.ex.state()).priorityOpsConsumed();
            Desk.ok(d.ex.apply(new Transition.MarketConfig(priority, 0, Desk.MARKET, TICK, LOT, World.IMF, World.MMF,
                    World.MAKER_FEE, World.TAKER_FEE, liquidationFee, d.w.oracle.address())));
            d.oracle(mark, d.ts + 1);
            d.events();
            replay();
        }

        void step(Step s) {
            int k = s.kind();
            if (k < 44) {
                trade(s);
            } else if (k < 50) {
                takeProfit(s);
            } else if (k < 75) {
                mark = Math.max(10 * TICK, (mark + mark * s.move() / 100) / TICK * TICK);
                d.oracle(mark, d.ts + 1);
            } else {
                for (Signer t : traders) {
                    if (d.ex.apply(new Transition.Liquidate(t.address(), Desk.MARKET)) == null) {
                        seen[0]++;
                        entries.remove(t.address());
                    }
                }
            }
        }

        /** A trader with a position rests a reduce-only order of part or all of it at half or twice the mark: out of the trades' reach. */
        private void takeProfit(Step s) {
            Signer t = traders[s.maker()];
            long held = StateReads.position(d.ex.state(), t.address(), Desk.MARKET).size() / LOT;
            if (held == 0) return;
            boolean buy = held < 0;
            long price = Math.max(TICK, (buy ? mark / 2 : mark * 2) / TICK * TICK);
            long lots = 1 + (s.lots() - 1) % Math.abs(held);
            submit(t, d.order(t, buy ? Side.BUY : Side.SELL, price, lots, 0, TimeInForce.GTC, Order.REDUCE_ONLY, 0, 0));
            orderOfId.entrySet().removeIf(e -> {
                boolean tp = e.getValue().order().reduceOnly();
                if (tp) takeProfits.put(e.getKey(), e.getValue());
                return tp;
            });
        }

        private void trade(Step s) {
            if (s.maker() == s.taker()) return;
            long price = Math.max(TICK, mark + s.ticks() * TICK);
            long notional = price * s.lots();
            // margins from none to 1.5 times the initial margin: many positions are thin, so marks of +-25% bankrupt them
            long makerMargin = notional * s.makerMargin() / 1000;
            long takerMargin = notional * s.takerMargin() / 1000;
            Side side = s.buy() ? Side.BUY : Side.SELL;
            Side other = s.buy() ? Side.SELL : Side.BUY;
            submit(traders[s.maker()], d.order(traders[s.maker()], side, price, s.lots(), makerMargin, TimeInForce.GTC, 0, 0, 0));
            submit(traders[s.taker()], d.order(traders[s.taker()], other, price, s.lots(), takerMargin, TimeInForce.IOC, 0, 0, 0));
            // the maker's remainder leaves: the book holds nothing between steps
            for (Map.Entry<Long, VerifiedOrder> e : orderOfId.entrySet()) {
                if (d.book().isResting(e.getKey())) {
                    VerifiedOrder v = e.getValue();
                    assertThat(d.ex.cancel(new VerifiedCancel(v.order().trader(), v.hash(), Desk.UNSIGNED))).isNull();
                }
            }
        }

        private void submit(Signer who, Order o) {
            VerifiedOrder v = d.verified(o);
            signerOfDigest.put(v.hash(), who.address());
            signerOfDigest.put(d.w.domain.cancelDigest(who.address(), v.hash()), who.address());
            if (!accountOrder.contains(who.address())) accountOrder.add(who.address());
            d.ex.submit(v);
            List<ExchangeEvent> events = d.ex.takeEvents();
            pending.addAll(events);
            for (ExchangeEvent e : events) {
                if (e instanceof ExchangeEvent.Accepted a && a.orderHash().equals(v.hash())) orderOfId.put(a.orderId(), v);
            }
        }

        final List<ExchangeEvent> pending = new ArrayList<>();

        void check() {
            pending.addAll(d.ex.takeEvents());
            for (ExchangeEvent e : pending) {
                if (e instanceof ExchangeEvent.InsuranceShortfall s) reportedShortfall = s.amount();
            }
            replay();
            if (pending.stream().anyMatch(e -> e instanceof ExchangeEvent.Deleveraged)) {
                seen[3] += pending.stream().filter(e -> e instanceof ExchangeEvent.Trimmed
                        || e instanceof ExchangeEvent.Cancelled c && c.why() == ExchangeEvent.Why.POSITION_CLOSED).count();
            }
            pending.clear();
            takeProfits.keySet().removeIf(id -> !d.book().isResting(id));
            for (var e : takeProfits.entrySet()) {
                Order o = e.getValue().order();
                long held = StateReads.position(d.ex.state(), o.trader(), Desk.MARKET).size() / LOT;
                assertThat(held != 0 && (held > 0) != o.isBuy()).as("take-profit %s rests while its trader holds %d lots", o, held).isTrue();
                assertThat(d.book().openLots(e.getKey())).as("take-profit %s offers no more than the %d lots held", o, held)
                        .isLessThanOrEqualTo(Math.abs(held));
            }
            // the fund's worth, from the replica
            MarketLeaf m = StateReads.market(replica, Desk.MARKET);
            BigInteger worth = BigInteger.valueOf(StateReads.balance(replica, Address.INSURANCE_FUND).free())
                    .add(equity(StateReads.position(replica, Address.INSURANCE_FUND, Desk.MARKET), m));
            long expected = worth.signum() < 0 ? worth.negate().longValueExact() : 0;
            assertThat(d.ex.insuranceShortfall()).as("the shortfall the exchange states is the fund's negative worth").isEqualTo(expected);
            assertThat(reportedShortfall).as("the last InsuranceShortfall event says it").isEqualTo(expected);
            if (expected > 0) {
                seen[2]++;
                for (Address a : accountOrder) {
                    assertThat(acceptsOneLot(a)).as("a shortfall is left only when no opposite position can take a lot: %s", a).isFalse();
                }
            }
        }

        /** Applies the emitted transitions on the replica, checking each Deleverage against this test's ranking. */
        private void replay() {
            List<Transition> ts = d.ex.takeTransitions();
            List<ExchangeEvent.Deleveraged> events = pending.stream().filter(e -> e instanceof ExchangeEvent.Deleveraged)
                    .map(e -> (ExchangeEvent.Deleveraged) e).toList();
            // fills update this test's entries in event order, interleaved correctly with deleverages (a command has either)
            for (ExchangeEvent e : pending) if (e instanceof ExchangeEvent.Filled f) fill(f);
            List<Address> ranking = null;
            int next = 0;
            int dl = 0;
            for (Transition t : ts) {
                if (t instanceof Transition.Deleverage x) {
                    if (ranking == null) ranking = ranking(x);
                    int at = ranking.indexOf(x.counterparty());
                    assertThat(at).as("a deleveraged counterparty is an opposite position: %s", x).isGreaterThanOrEqualTo(next);
                    for (int i = next; i < at; i++) {
                        assertThat(acceptsOneLot(ranking.get(i))).as("passed over: rank %d could take nothing", i + 1).isFalse();
                    }
                    assertThat(events.get(dl).rank()).as("the stated rank").isEqualTo(at + 1);
                    assertThat(events.get(dl).counterparty()).isEqualTo(x.counterparty());
                    dl++;
                    next = at + 1;
                    PositionLeaf before = StateReads.position(replica, x.counterparty(), Desk.MARKET);
                    mustApply(t);
                    reduce(x.counterparty(), before.size(), StateReads.position(replica, x.counterparty(), Desk.MARKET).size());
                    seen[1]++;
                } else {
                    // a round of deleveraging follows the liquidation or price that caused it: a new ranking each time
                    ranking = null;
                    next = 0;
                    mustApply(t);
                }
            }
            assertThat(dl).as("one Deleveraged event per Deleverage").isEqualTo(events.size());
        }

        private void mustApply(Transition t) {
            Outcome o = stf.apply(replica, t);
            assertThat(o.applied()).as("the STF accepts what the exchange emitted: %s -> %s", t, o).isTrue();
        }

        private boolean acceptsOneLot(Address a) {
            return stf.apply(new OverlayStore(replica), new Transition.Deleverage(Desk.MARKET, a, LOT)).applied();
        }

        /** The opposite positions to the fund's, highest (profit% x leverage, or profit% / leverage on a loss) first, ties by account age. */
        private List<Address> ranking(Transition.Deleverage x) {
            MarketLeaf m = StateReads.market(replica, Desk.MARKET);
            long fundSize = StateReads.position(replica, Address.INSURANCE_FUND, Desk.MARKET).size();
            MathContext mc = new MathContext(80);
            List<Address> out = new ArrayList<>();
            Map<Address, BigDecimal> score = new HashMap<>();
            for (Address a : accountOrder) {
                PositionLeaf p = StateReads.position(replica, a, Desk.MARKET);
                if (p.size() == 0 || Long.signum(p.size()) == Long.signum(fundSize)) continue;
                BigInteger e = equity(p, m);
                if (e.signum() <= 0) continue;
                BigDecimal n = BigDecimal.valueOf(Math.abs(p.size()) / LOT).multiply(BigDecimal.valueOf(m.markPrice()));
                long[] en = entries.get(a);
                BigDecimal v = en != null && en[0] == p.size() && en[1] > 0 ? BigDecimal.valueOf(en[1]) : n;
                BigDecimal u = p.size() > 0 ? n.subtract(v) : v.subtract(n);
                BigDecimal pct = v.signum() == 0 ? BigDecimal.ZERO : u.divide(v, mc);
                BigDecimal lev = n.divide(new BigDecimal(e), mc);
                score.put(a, u.signum() >= 0 ? pct.multiply(lev, mc) : lev.signum() == 0 ? BigDecimal.ZERO : pct.divide(lev, mc));
                out.add(a);
            }
            out.sort(Comparator.comparing((Address a) -> score.get(a)).reversed().thenComparingInt(accountOrder::indexOf));
            return out;
        }

        /** Equity at the mark after settling funding, exactly. */
        private static BigInteger equity(PositionLeaf p, MarketLeaf m) {
            BigInteger lots = BigInteger.valueOf(p.size() / LOT);
            BigInteger quote = BigInteger.valueOf(p.quote())
                    .subtract(lots.multiply(BigInteger.valueOf(m.fundingIndex()).subtract(BigInteger.valueOf(p.fundingIndex()))));
            return p.size() == 0 ? BigInteger.valueOf(p.quote()) : quote.add(lots.multiply(BigInteger.valueOf(m.markPrice())));
        }

        /** An order of this run by book id: a trade's, or a take-profit's (a take-profit far out may still fill after a violent mark). */
        private Order orderOf(long id) {
            VerifiedOrder v = orderOfId.get(id);
            return (v != null ? v : takeProfits.get(id)).order();
        }

        private void fill(ExchangeEvent.Filled f) {
            Order maker = orderOf(f.makerOrderId());
            Order taker = orderOf(f.takerOrderId());
            if (maker != null) follow(maker.trader(), maker.isBuy() ? f.size() : -f.size(), f.price());
            if (taker != null) follow(taker.trader(), taker.isBuy() ? f.size() : -f.size(), f.price());
        }

        private void follow(Address a, long signed, long price) {
            long[] en = entries.computeIfAbsent(a, k -> new long[2]);
            long before = en[0];
            long after = before + signed;
            BigInteger value = BigInteger.valueOf(Math.abs(signed) / LOT).multiply(BigInteger.valueOf(price));
            if (before == 0 || Long.signum(before) == Long.signum(signed)) {
                en[1] = BigInteger.valueOf(en[1]).add(value).longValueExact();
            } else if (after == 0 || Long.signum(after) == Long.signum(before)) {
                en[1] = BigInteger.valueOf(en[1]).multiply(BigInteger.valueOf(Math.abs(after))).divide(BigInteger.valueOf(Math.abs(before))).longValueExact();
            } else {
                en[1] = BigInteger.valueOf(Math.abs(after) / LOT).multiply(BigInteger.valueOf(price)).longValueExact();
            }
            en[0] = after;
        }

        private void reduce(Address a, long before, long after) {
            long[] en = entries.computeIfAbsent(a, k -> new long[2]);
            en[1] = before == 0 ? 0 : BigInteger.valueOf(en[1]).multiply(BigInteger.valueOf(Math.abs(after)))
                    .divide(BigInteger.valueOf(Math.abs(before))).longValueExact();
            en[0] = after;
        }
    }
}
