package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.MemoryLeafStore;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.clearline.engine.exchange.ExchangeImageProperties.STEP;
import static dev.clearline.engine.exchange.ExchangeImageProperties.SIZES;
import static dev.clearline.engine.exchange.ExchangeImageProperties.UNSIGNED;
import static dev.clearline.engine.exchange.ExchangeImageProperties.VERIFIER;
import static dev.clearline.engine.testkit.World.TICK;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An exchange taking up a state it did not build ({@link Exchange#takeUp}): what a sequencer
 * started from a state rebuilt from L1 runs on. A random flow (ExchangeImageProperties' steps:
 * every order type, amends, cancels, prices that expire and bankrupt, liquidations, deleverages,
 * collateral moves, forced operations, a market appearing) runs on exchange A; at a random point B
 * takes up A's leaves with A's traders and markets, and the rest of the flow runs on B. Every
 * transition B emits must be one a second STF, run on its own copy of the leaves A left, accepts in
 * that order, and the two stores must hold the same leaves after every command: B's own copy of
 * the state never drifts from what L1 would compute from its batches. Cuts after the take-up also
 * check that a taken-up exchange's image restores to one that behaves the same.
 */
class TakeUpProperties {
    @Test
    void anExchangeTakenUpFromAStateEmitsOnlyWhatTheStfAcceptsOnThatState() {
        Map<String, Long> seen = new TreeMap<>();
        Property.forAll(Gens.listOf(STEP, 2, 300)).tries(60).check(steps -> {
            ExchangeImageProperties.Run run = new ExchangeImageProperties.Run(SIZES);
            int at = steps.size() / 2;
            for (ExchangeImageProperties.Step s : steps.subList(0, at)) if (s.kind() < 95) run.step(s);
            Exchange before = run.a;
            // half the runs name every order A took, as a reader of L1 names those its batches posted (a superset of them)
            boolean named = steps.size() % 2 == 0;
            List<VerifiedOrder> ofA = List.copyOf(run.orders);
            Exchange taken = Exchange.takeUp(run.w.domain, VERIFIER, SIZES, leaves(before), before.traders(), before.markets(),
                    named ? ofA.stream().map(VerifiedOrder::hash).toList() : List.of());
            assertThat(taken.traders()).as("every account, by owner id").isEqualTo(before.traders());
            assertThat(taken.markets()).isEqualTo(before.markets());
            assertThat(ExchangeImageProperties.Run.leaves(taken)).as("the state taken up").isEqualTo(ExchangeImageProperties.Run.leaves(before));
            assertThat(taken.insuranceShortfall()).as("the shortfall counts as reported").isEqualTo(before.insuranceShortfall());
            assertThat(taken.takeEvents()).as("taking up emits nothing").isEmpty();
            for (int m : taken.markets()) assertThat(taken.book(m).restingOrders()).as("books start empty").isZero();
            for (VerifiedOrder v : run.orders) assertThat(taken.orderId(v.hash())).as("no order carries over").isEqualTo(-1);
            // what rested in A partly filled left its ORDER leaf: the first take prunes each one, ascending
            List<Transition> orphans = new ArrayList<>();
            for (VerifiedOrder v : run.orders) {
                var h = StateReads.orderHash(before.state(), v.hash());
                if (h != null && !h.isTombstone() && StateReads.order(before.state(), h.orderId()) != null) orphans.add(new Transition.PruneOrder(h.orderId()));
            }
            orphans.sort(java.util.Comparator.comparingLong(t -> ((Transition.PruneOrder) t).orderId()));
            SecondStf check = new SecondStf(run, before);
            List<Transition> first = taken.takeTransitions();
            assertThat(first).as("the ORDER leaves no book holds, pruned").isEqualTo(orphans.subList(0, Math.min(orphans.size(), StfMirror.ORPHANS_PER_TAKE)));
            check.apply(first);
            if (!orphans.isEmpty()) seen.merge("orphans pruned", (long) orphans.size(), Long::sum);
            run.a = taken;
            run.b = null;
            run.onEmitted = check::apply;
            run.seen.clear();
            for (ExchangeImageProperties.Step s : steps.subList(at, steps.size())) {
                run.step(s);
                if (run.b != null) check.sameLeavesAs(run.b, "the image of the taken-up exchange, restored"); // a cut's B
            }
            check.sameLeavesAs(taken, "at the end");
            // and the state holds an ORDER leaf only for an order this exchange holds
            for (VerifiedOrder v : run.orders) {
                var h = StateReads.orderHash(taken.state(), v.hash());
                if (h != null && !h.isTombstone() && StateReads.order(taken.state(), h.orderId()) != null) {
                    assertThat(taken.orderId(v.hash())).as("order %d's leaf is of a live order", h.orderId()).isNotNegative();
                }
            }
            // an expiring order of A's whose expiry its market's clock passed: its hash leaf is gone when its digest was named
            for (VerifiedOrder v : ofA) {
                var had = StateReads.orderHash(before.state(), v.hash());
                var h = StateReads.orderHash(taken.state(), v.hash());
                if (named && had != null && !had.isTombstone() && had.expiry() != 0 && h == null) seen.merge("A's expiring hash leaves pruned, named", 1L, Long::sum);
                if (h == null || h.isTombstone() || h.expiry() == 0) continue;
                var market = StateReads.market(taken.state(), h.marketId());
                boolean due = market != null && market.lastOracleTs() > h.expiry();
                if (named) assertThat(due).as("A's expired order %d's hash leaf, named", h.orderId()).isFalse();
                else if (due) seen.merge("expired hash leaves kept, unnamed", 1L, Long::sum);
            }
            run.finish();
            run.seen.forEach((k, v) -> seen.merge("after the take-up: " + k, v, Long::sum));
        });
        System.out.println("TakeUpProperties: " + seen);
        if (System.getProperty("clearline.seed", "").isEmpty()) {
            assertThat(seen).as("what the flows reached after the take-up").containsKeys("orphans pruned","after the take-up: Filled",
                    "after the take-up: Rested", "after the take-up: emitted Trade", "after the take-up: emitted Liquidate",
                    "after the take-up: emitted Deleverage", "after the take-up: emitted Withdraw",
                    "after the take-up: emitted PruneOrder", "after the take-up: Rejected:DUPLICATE_ORDER", "after the take-up: cut",
                    "A's expiring hash leaves pruned, named", "expired hash leaves kept, unnamed");
        }
    }

    /** An order posted before the take-up is refused for good afterwards; a new one gets the next short id L1 gives. */
    @Test
    void aPostedOrderIsRefusedAfterTheTakeUpAndNewOnesTakeTheNextShortId() {
        ExchangeImageProperties.Run run = new ExchangeImageProperties.Run(SIZES);
        int m = 1;
        VerifiedOrder resting = run.order(1, m, Side.SELL, 10_000, 4, 20_000);
        run.submit(resting);
        run.submit(run.order(2, m, Side.BUY, 10_000, 1, 5_000)); // fills one lot: the resting order is posted
        long posted = StateReads.global(run.a.state()).orderCount();
        assertThat(posted).as("orders posted before the take-up").isEqualTo(2);
        assertThat(run.a.orderId(resting.hash())).as("still resting in A").isNotNegative();

        Exchange b = Exchange.takeUp(run.w.domain, VERIFIER, SIZES, leaves(run.a), run.a.traders(), run.a.markets());
        assertThat(b.submit(resting)).as("the same signed order again").isNotNull();
        assertThat(b.takeEvents()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ExchangeEvent.Rejected.class,
                r -> assertThat(r.reason()).hasToString("DUPLICATE_ORDER")));
        b.takeTransitions();

        VerifiedOrder sell = run.order(1, m, Side.SELL, 10_000, 2, 10_000);
        VerifiedOrder buy = run.order(3, m, Side.BUY, 10_000, 2, 10_000);
        assertThat(b.submit(sell)).isNull();
        assertThat(b.submit(buy)).isNull();
        List<Transition> ts = b.takeTransitions();
        List<Long> postedIds = new ArrayList<>();
        for (Transition t : ts) if (t instanceof Transition.Trade trade) postedIds.add(trade.makerId());
        assertThat(postedIds).as("the maker's short id follows L1's count").containsExactly(posted + 1);
        assertThat(StateReads.global(b.state()).orderCount()).isEqualTo(posted + 2);
    }

    /**
     * More partly filled orders than one command prunes: the taken-up exchange prunes their ORDER leaves a slice at a
     * time, ascending, each slice at the end of one command's transitions, and an image written before the first command
     * (the take-up file a node starts from) or between two slices restores to the same pruning.
     */
    @Test
    void manyOrphanedOrderLeavesArePrunedASliceAtATimeThroughImages() {
        ExchangeImageProperties.Run run = new ExchangeImageProperties.Run(SIZES);
        int m = 1;
        int n = StfMirror.ORPHANS_PER_TAKE + 44;
        for (int t : new int[] {2, 5}) {
            Address owner = run.traders[t].address();
            run.command("deposit", x -> x.apply(new Transition.Deposit(run.priority(), 0, owner, 1_000_000_000L)));
        }
        // each sell rests as the new best ask, at the mark; a lot of it is taken at once (posting it), the rest stays
        for (int i = 0; i < n; i++) {
            long price = (600 - i) * TICK;
            run.price(m, price);
            run.submit(run.order(2, m, Side.SELL, price, 2, price));
            run.submit(run.order(5, m, Side.BUY, price, 1, price));
        }
        long held = 0;
        for (VerifiedOrder v : run.orders) {
            var h = StateReads.orderHash(run.a.state(), v.hash());
            if (h != null && !h.isTombstone() && StateReads.order(run.a.state(), h.orderId()) != null) held++;
        }
        assertThat(held).as("ORDER leaves of orders resting partly filled").isEqualTo(n);

        Exchange b = Exchange.takeUp(run.w.domain, VERIFIER, SIZES, leaves(run.a), run.a.traders(), run.a.markets());
        Exchange c = ExchangeImageProperties.restore(ExchangeImageProperties.image(b), run.w, SIZES);
        for (Exchange x : List.of(b, c)) {
            List<Transition> first = x.takeTransitions();
            assertThat(first).as("the first slice").hasSize(StfMirror.ORPHANS_PER_TAKE)
                    .allSatisfy(t -> assertThat(t).isInstanceOf(Transition.PruneOrder.class));
            assertThat(first).isSortedAccordingTo(java.util.Comparator.comparingLong(t -> ((Transition.PruneOrder) t).orderId()));
        }
        Exchange d = ExchangeImageProperties.restore(ExchangeImageProperties.image(b), run.w, SIZES); // between two slices
        for (Exchange x : List.of(b, c, d)) {
            assertThat(x.takeTransitions()).as("the rest").hasSize(n - StfMirror.ORPHANS_PER_TAKE);
            assertThat(x.takeTransitions()).as("then nothing").isEmpty();
            assertThat(ExchangeImageProperties.Run.leaves(x)).isEqualTo(ExchangeImageProperties.Run.leaves(b));
        }
        for (VerifiedOrder v : run.orders) {
            var h = StateReads.orderHash(b.state(), v.hash());
            if (h != null && !h.isTombstone()) assertThat(StateReads.order(b.state(), h.orderId())).as("order %d", h.orderId()).isNull();
        }
    }

    /** The second market's id is left out when the state has no MARKET leaf for it. */
    @Test
    void aMarketWithoutItsLeafGetsNoBook() {
        ExchangeImageProperties.Run run = new ExchangeImageProperties.Run(SIZES);
        Exchange b = Exchange.takeUp(run.w.domain, VERIFIER, SIZES, leaves(run.a), run.a.traders(), List.of(2, 7, 1, 1));
        assertThat(b.markets()).containsExactly(1, 2);
        assertThat(b.book(7)).isNull();
    }

    static List<LeafStore.Write> leaves(Exchange x) {
        List<LeafStore.Write> out = new ArrayList<>();
        x.state().forEach((k, v) -> out.add(new LeafStore.Write(k.clone(), v.clone())));
        return out;
    }

    /**
     * A second STF on its own copy of the state: the orders of the flow enter unsigned (their
     * signer is known), so it reads an unsigned order's signer from the flow's orders by digest and
     * recovers every other signature.
     */
    static final class SecondStf {
        private final MemoryLeafStore store = new MemoryLeafStore();
        private final Stf stf;

        SecondStf(ExchangeImageProperties.Run run, Exchange from) {
            store.putAll(leaves(from));
            Map<Hash32, Address> signers = new HashMap<>();
            SignatureVerifier byDigest = (Hash32 digest, Signature sig) -> {
                if (sig != UNSIGNED) return VERIFIER.recover(digest, sig);
                if (signers.size() != 2 * run.orders.size()) {
                    for (VerifiedOrder v : run.orders) {
                        Address trader = v.order().trader();
                        signers.put(v.hash(), trader);
                        signers.put(run.w.domain.cancelDigest(trader, v.hash()), trader); // its cancel, which the exchange emits only from its trader
                    }
                }
                return signers.get(digest);
            };
            stf = new Stf(run.w.domain, byDigest);
        }

        void apply(List<Transition> ts) {
            for (Transition t : ts) {
                Outcome o = stf.apply(store, t);
                assertThat(o).as("%s on the state taken up", t).isInstanceOf(Outcome.Applied.class);
            }
        }

        void sameLeavesAs(Exchange x, String when) {
            Map<String, String> mine = new TreeMap<>();
            java.util.HexFormat hex = java.util.HexFormat.of();
            store.forEach((k, v) -> mine.put(hex.formatHex(k), hex.formatHex(v)));
            assertThat(ExchangeImageProperties.Run.leaves(x)).as("%s: the exchange's leaves and the second STF's", when).isEqualTo(mine);
        }
    }

}
