package dev.clearline.engine.stf;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.PruneOrder;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.MemoryNodeStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PruneOrder (docs/protocol.md sections 3 and 5): deletes an ORDER leaf and nothing else; what the
 * kept ORDER_HASH leaf guards (no second post, no fresh filled size) still holds; the tree after
 * deletions is the canonical tree of the leaves left.
 */
class PruneOrderTest {
    final World w = new World();
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);

    @BeforeEach
    void market() {
        w.ok(w.market(1));
        w.ok(w.deposit(alice.address(), 100_000_000));
        w.ok(w.deposit(bob.address(), 100_000_000));
        w.ok(w.price(1, 10_000, 0, 1));
    }

    @Test
    void aPrunedOrderIsGoneForFillsAndCancelsAndCannotComeBack() {
        Order bid = w.order(alice, 1, Side.BUY, 10_000, 2 * LOT, 100_000);
        Order ask = w.order(bob, 1, Side.SELL, 10_000, 2 * LOT, 100_000);
        w.ok(w.post(alice, bid));
        w.ok(w.post(bob, ask));
        w.ok(w.trade(ask, bid, LOT));
        long bidId = w.id(bid);
        w.ok(new PruneOrder(bidId));

        assertThat(StateReads.order(w.state, bidId)).as("the ORDER leaf").isNull();
        assertThat(StateReads.orderHash(w.state, w.hash(bid))).as("the ORDER_HASH leaf stays").isEqualTo(OrderHashLeaf.posted(bidId, 1, 0));
        assertThat(StateReads.order(w.state, w.id(ask))).as("the other order").isNotNull();
        assertThat(w.apply(new PruneOrder(bidId))).isEqualTo(new Outcome.Rejected(Reject.ORDER_NOT_FOUND));
        assertThat(w.apply(new PruneOrder(99))).as("an id never given").isEqualTo(new Outcome.Rejected(Reject.ORDER_NOT_FOUND));
        assertThat(w.apply(new PruneOrder(0))).isEqualTo(new Outcome.Rejected(Reject.ORDER_NOT_FOUND));
        assertThat(w.apply(w.trade(ask, bid, LOT))).as("a fill naming it").isEqualTo(new Outcome.Rejected(Reject.ORDER_NOT_FOUND));
        assertThat(w.apply(w.post(alice, bid))).as("the same signed order again").isEqualTo(new Outcome.Rejected(Reject.DUPLICATE_ORDER));
        assertThat(w.apply(w.cancel(alice, w.hash(bid)))).as("its trader's cancel").isEqualTo(new Outcome.Rejected(Reject.NOT_OWNER));

        long rejectionsBefore = StateReads.global(w.state).forcedRejections();
        w.ok(w.forcedCancel(alice.address(), w.hash(bid)));
        GlobalLeaf g = StateReads.global(w.state);
        assertThat(g.forcedRejections()).as("a ForcedCancel of it is consumed as a rejection").isEqualTo(rejectionsBefore + 1);
        assertThat(StateReads.order(w.state, bidId)).as("and brings nothing back").isNull();
        assertThat(StateReads.orderHash(w.state, w.hash(bid))).isEqualTo(OrderHashLeaf.posted(bidId, 1, 0));
    }

    @Test
    void aHashBindsOnlyItsOwnerWhetherPostedOrATombstone() {
        Order bid = w.order(alice, 1, Side.BUY, 10_000, LOT, 100_000);
        Order never = w.order(alice, 1, Side.BUY, 9_000, LOT, 0);
        w.ok(w.post(alice, bid));
        w.ok(w.cancel(alice, w.hash(never)));                               // alice's tombstone
        assertThat(w.apply(w.cancel(bob, w.hash(bid)))).as("bob cancels alice's posted order").isEqualTo(new Outcome.Rejected(Reject.NOT_OWNER));
        assertThat(w.apply(w.cancel(bob, w.hash(never)))).as("bob cancels alice's tombstone").isEqualTo(new Outcome.Rejected(Reject.NOT_OWNER));
        assertThat(w.apply(w.cancel(alice, w.hash(never)))).as("alice again").isEqualTo(new Outcome.Rejected(Reject.ORDER_CANCELLED));
        long rejections = StateReads.global(w.state).forcedRejections();
        w.ok(w.forcedCancel(bob.address(), w.hash(never)));
        w.ok(w.forcedCancel(bob.address(), w.hash(bid)));
        assertThat(StateReads.global(w.state).forcedRejections()).as("bob's forced cancels only consume their ops").isEqualTo(rejections + 2);
        assertThat(StateReads.order(w.state, w.id(bid)).cancelled()).isFalse();
    }

    @Test
    void prunesInAnyOrderLeaveTheCanonicalTreeOfTheLeavesLeftAndTouchNothingElse() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 24)).tries(25).check((seed, n) -> {
            World v = new World();
            MemoryLeafStore mirror = new MemoryLeafStore();
            List<Transition> setup = new ArrayList<>(List.of(v.market(1), v.deposit(alice.address(), 100_000_000),
                    v.deposit(bob.address(), 100_000_000), v.price(1, 10_000, 0, 1)));
            for (int i = 0; i < n; i++) {
                Signer s = i % 2 == 0 ? alice : bob;
                setup.add(v.post(s, v.order(s, 1, i % 2 == 0 ? Side.BUY : Side.SELL, 10_000, LOT, 1_000)));
            }
            for (Transition t : setup) {
                v.ok(t);
                assertThat(v.stf.apply(mirror, t).applied()).isTrue();
            }
            List<Long> ids = new ArrayList<>();
            for (long id = 1; id <= n; id++) ids.add(id);
            Random random = new Random(seed);
            Collections.shuffle(ids, random);
            int prunes = 1 + random.nextInt(n);
            for (int i = 0; i < prunes; i++) {
                long id = ids.get(i);
                int leavesBefore = mirror.size();
                PruneOrder p = new PruneOrder(id);
                v.ok(p);
                assertThat(v.stf.apply(mirror, p).applied()).isTrue();
                assertThat(mirror.size()).as("one leaf fewer").isEqualTo(leavesBefore - 1);
                assertThat(mirror.get(StateKeys.orderState(id).toArray())).isNull();
                assertThat(rebuilt(mirror)).as("root after pruning %s (seed %s)", id, seed).isEqualTo(v.state.root().bytes());
            }
            for (int i = prunes; i < n; i++) assertThat(StateReads.order(v.state, ids.get(i))).as("unpruned %s", ids.get(i)).isNotNull();
            assertThat(StateReads.global(v.state).orderCount()).as("ids are never given again").isEqualTo((long) n);
        });
    }

    /** The root of a fresh tree holding exactly the mirror's leaves. */
    static byte[] rebuilt(MemoryLeafStore leaves) {
        SparseMerkleTree fresh = new SparseMerkleTree(new MemoryNodeStore());
        List<byte[][]> all = new ArrayList<>();
        leaves.forEach((k, v) -> all.add(new byte[][] {k, v}));
        all.sort((a, b) -> java.util.Arrays.compareUnsigned(a[0], b[0]));
        byte[][] keys = new byte[all.size()][];
        byte[][] values = new byte[all.size()][];
        for (int i = 0; i < all.size(); i++) {
            keys[i] = all.get(i)[0];
            values[i] = all.get(i)[1];
        }
        fresh.commit(fresh.prepare(keys, values));
        return fresh.root().toArray();
    }
}
