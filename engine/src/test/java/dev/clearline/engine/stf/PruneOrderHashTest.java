package dev.clearline.engine.stf;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.PruneOrder;
import dev.clearline.engine.transition.Transition.PruneOrderHash;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.Bytes32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PruneOrderHash (docs/protocol.md sections 3 and 5): deletes a posted order's ORDER_HASH leaf only
 * once its own market's oracle time has passed its expiry, and from then on the signed order is
 * refused as EXPIRED, as the kept leaf refused it as DUPLICATE_ORDER before.
 */
class PruneOrderHashTest {
    final World w = new World();
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);

    @BeforeEach
    void markets() {
        w.ok(w.market(1));
        w.ok(w.market(2));
        w.ok(w.deposit(alice.address(), 100_000_000));
        w.ok(w.deposit(bob.address(), 100_000_000));
        w.ok(w.price(1, 10_000, 0, 100));
        w.ok(w.price(2, 10_000, 0, 100));
    }

    private Order expiring(Signer s, int market, long expiry) {
        return new Order(s.address(), market, Side.BUY, 10_000, LOT, 0, TimeInForce.GTC, 0, expiry, w.nonceSeq(), 1_000);
    }

    private Outcome prune(Order o) {
        return w.apply(new PruneOrderHash(w.hash(o)));
    }

    @Test
    void theLeafRecordsMarketAndExpiryAndGoesOnlyOnceItsOwnMarketsClockHasPassedTheExpiry() {
        Order o = expiring(alice, 1, 150);
        w.ok(w.post(alice, o));
        long id = w.id(o);
        assertThat(StateReads.orderHash(w.state, w.hash(o))).isEqualTo(OrderHashLeaf.posted(id, 1, 150));
        assertThat(prune(o)).as("before its expiry").isEqualTo(new Outcome.Rejected(Reject.NOT_EXPIRED));
        w.ok(w.price(2, 10_000, 0, 1_000));
        assertThat(prune(o)).as("another market's clock does not count").isEqualTo(new Outcome.Rejected(Reject.NOT_EXPIRED));
        w.ok(w.price(1, 10_000, 0, 150));
        assertThat(prune(o)).as("at its expiry it is not expired yet").isEqualTo(new Outcome.Rejected(Reject.NOT_EXPIRED));
        w.ok(w.price(1, 10_000, 0, 151));
        w.ok(new PruneOrderHash(w.hash(o)));
        assertThat(StateReads.orderHash(w.state, w.hash(o))).as("the leaf").isNull();
        assertThat(StateReads.order(w.state, id)).as("its ORDER leaf is another prune's").isNotNull();
        assertThat(prune(o)).as("pruned twice").isEqualTo(new Outcome.Rejected(Reject.ORDER_NOT_FOUND));
        assertThat(w.apply(w.post(alice, o))).as("the same signed order again").isEqualTo(new Outcome.Rejected(Reject.EXPIRED));
        w.ok(new PruneOrder(id));
        assertThat(w.apply(w.post(alice, o))).as("and after its ORDER leaf went too").isEqualTo(new Outcome.Rejected(Reject.EXPIRED));
    }

    @Test
    void anOrderWithoutExpiryATombstoneAndAnUnknownHashKeepTheirLeafOrHaveNone() {
        Order forever = w.order(alice, 1, Side.BUY, 10_000, LOT, 1_000);
        w.ok(w.post(alice, forever));
        w.ok(w.price(1, 10_000, 0, Long.MAX_VALUE / 2));
        assertThat(prune(forever)).as("no expiry").isEqualTo(new Outcome.Rejected(Reject.NOT_EXPIRED));

        Order never = expiring(bob, 1, 10);
        w.ok(w.cancel(bob, w.hash(never)));
        assertThat(prune(never)).as("a tombstone").isEqualTo(new Outcome.Rejected(Reject.ORDER_NOT_FOUND));
        assertThat(StateReads.orderHash(w.state, w.hash(never))).isEqualTo(OrderHashLeaf.tombstone(bob.address()));
        assertThat(w.apply(new PruneOrderHash(new Hash32(new byte[32])))).as("a hash never seen").isEqualTo(new Outcome.Rejected(Reject.ORDER_NOT_FOUND));

        // a leaf naming a market that does not exist (no STF writes one; a prover meets any state) has no clock that passed
        Hash32 odd = new Hash32(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
        w.state.putAll(List.of(new LeafStore.Write(StateKeys.order(Bytes32.of(odd.bytes())).toArray(), OrderHashLeaf.posted(7, 77, 10).encode())));
        assertThat(w.apply(new PruneOrderHash(odd))).as("an unknown market").isEqualTo(new Outcome.Rejected(Reject.NOT_EXPIRED));
    }

    @Test
    void aPruneDeletesExactlyThatLeafAndTheRootIsTheCanonicalTreeOfTheLeavesLeft() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 20)).tries(20).check((seed, n) -> {
            World v = new World();
            SplittableRandom r = new SplittableRandom(seed);
            v.ok(v.market(1));
            v.ok(v.deposit(alice.address(), 100_000_000));
            v.ok(v.price(1, 10_000, 0, 1));
            List<Order> orders = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long expiry = r.nextInt(4) == 0 ? 0 : 2 + r.nextInt(50);
                Order o = new Order(alice.address(), 1, Side.BUY, 10_000, LOT, 0, TimeInForce.GTC, 0, expiry, v.nonceSeq(), 0);
                v.ok(v.post(alice, o));
                orders.add(o);
            }
            long now = 1 + r.nextInt(60);
            if (now > 1) v.ok(v.price(1, 10_000, 0, now));
            for (Order o : orders) {
                boolean due = o.expiry() != 0 && now > o.expiry();
                Bytes32 key = StateKeys.order(Bytes32.of(v.hash(o).bytes()));
                Transition p = new PruneOrderHash(v.hash(o));
                Outcome out = v.apply(p);
                assertThat(out.applied()).as("expiry %s at time %s (seed %s)", o.expiry(), now, seed).isEqualTo(due);
                if (!due) assertThat(out).isEqualTo(new Outcome.Rejected(Reject.NOT_EXPIRED));
                assertThat(v.state.get(key.toArray()) == null).isEqualTo(due);
                if (due) assertThat(v.apply(v.post(alice, o))).isEqualTo(new Outcome.Rejected(Reject.EXPIRED));
                else assertThat(v.apply(v.post(alice, o))).isEqualTo(new Outcome.Rejected(Reject.DUPLICATE_ORDER));
            }
            MemoryLeafStore replayed = new MemoryLeafStore();
            for (Transition t : v.applied) assertThat(v.stf.apply(replayed, t).applied()).isTrue();
            assertThat(v.state.root().bytes()).as("seed %s", seed).isEqualTo(PruneOrderTest.rebuilt(replayed));
        });
    }
}
