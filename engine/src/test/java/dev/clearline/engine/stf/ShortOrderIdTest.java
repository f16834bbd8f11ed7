package dev.clearline.engine.stf;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.Trade;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/** Short order ids (docs/protocol.md section 5): assigned by PostOrder, used by Trade, never reused. */
class ShortOrderIdTest {
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
    void idsCountPostOrdersFromOneAndTombstonesTakeNone() {
        Order a = w.order(alice, 1, Side.BUY, 10_000, LOT, 0);
        Order b = w.order(bob, 1, Side.SELL, 10_000, LOT, 0);
        Order never = w.order(bob, 1, Side.SELL, 10_000, LOT, 0);
        w.ok(w.post(alice, a));
        w.ok(w.cancel(bob, w.hash(never)));
        w.ok(w.post(bob, b));
        assertThat(w.id(a)).isEqualTo(1);
        assertThat(w.id(b)).isEqualTo(2);
        assertThat(w.id(never)).isZero();
        assertThat(StateReads.global(w.state).orderCount()).isEqualTo(2);
        assertThat(StateReads.orderHash(w.state, w.hash(never))).isEqualTo(OrderHashLeaf.tombstone(bob.address()));
        assertThat(StateReads.order(w.state, 2).trader()).isEqualTo(bob.address());
    }

    @Test
    void aHashIsNeverPostedTwiceEvenAfterItFilledOrWasCancelled() {
        Order a = w.order(alice, 1, Side.BUY, 10_000, LOT, 100_000);
        Order b = w.order(bob, 1, Side.SELL, 10_000, LOT, 100_000);
        w.ok(w.post(alice, a));
        w.ok(w.post(bob, b));
        w.ok(w.trade(b, a, LOT));
        rejected(w.post(alice, a), Reject.DUPLICATE_ORDER);
        w.ok(w.cancel(bob, w.hash(b)));
        rejected(w.post(bob, b), Reject.DUPLICATE_ORDER);
        assertThat(StateReads.global(w.state).orderCount()).isEqualTo(2);
    }

    @Test
    void cancelAndForcedCancelByHashStopFillsByIdOfAPostedOrder() {
        Property.forAll(Gens.booleans()).tries(4).check(forced -> {
            World w = new World();
            w.ok(w.market(1));
            w.ok(w.deposit(alice.address(), 100_000_000));
            w.ok(w.deposit(bob.address(), 100_000_000));
            w.ok(w.price(1, 10_000, 0, 1));
            Order a = w.order(alice, 1, Side.BUY, 10_000, 2 * LOT, 100_000);
            Order b = w.order(bob, 1, Side.SELL, 10_000, 2 * LOT, 100_000);
            w.ok(w.post(alice, a));
            w.ok(w.post(bob, b));
            w.ok(forced ? w.forcedCancel(alice.address(), w.hash(a)) : w.cancel(alice, w.hash(a)));
            assertThat(StateReads.order(w.state, w.id(a)).cancelled()).isTrue();
            var before = w.state.root();
            assertThat(w.apply(w.trade(b, a, LOT))).isEqualTo(new Outcome.Rejected(Reject.ORDER_CANCELLED));
            assertThat(w.state.root()).isEqualTo(before);
        });
    }

    @Test
    void idsOfNoOrderAreNotFound() {
        Order a = w.order(alice, 1, Side.BUY, 10_000, LOT, 100_000);
        w.ok(w.post(alice, a));
        rejected(new Trade(0, 1, LOT), Reject.ORDER_NOT_FOUND);
        rejected(new Trade(1, 2, LOT), Reject.ORDER_NOT_FOUND);
        rejected(new Trade(1, (1L << 48) - 1, LOT), Reject.ORDER_NOT_FOUND);
    }

    @Test
    void theLastIdIsTwoToThe48MinusOneAndThenPostingOverflows() {
        GlobalLeaf g = StateReads.global(w.state);
        w.state.putAll(List.of(new LeafStore.Write(StateKeys.global().toArray(),
                g.withOrderCount(GlobalLeaf.MAX_ORDER_ID - 1).encode())));
        Order last = w.order(alice, 1, Side.BUY, 10_000, LOT, 0);
        w.ok(w.post(alice, last));
        assertThat(w.id(last)).isEqualTo((1L << 48) - 1);
        rejected(w.post(alice, w.order(alice, 1, Side.BUY, 10_000, LOT, 0)), Reject.OVERFLOW);
    }

    @Test
    void iocAndFokOrdersFillOnlyInTheBatchThatPostedThem() {
        for (TimeInForce tif : List.of(TimeInForce.IOC, TimeInForce.FOK)) {
            World w = new World();
            w.ok(w.market(1));
            w.ok(w.deposit(alice.address(), 100_000_000));
            w.ok(w.deposit(bob.address(), 100_000_000));
            w.ok(w.price(1, 10_000, 0, 1));
            Order maker = w.order(alice, 1, Side.BUY, 10_000, 4 * LOT, 100_000);
            Order taker = new Order(bob.address(), 1, Side.SELL, 10_000, 4 * LOT, 0, tif, 0, 0, 77, 100_000);
            assertThat(w.stf.apply(w.state, w.post(alice, maker), 6).applied()).isTrue();
            assertThat(w.stf.apply(w.state, w.post(bob, taker), 7).applied()).isTrue();
            assertThat(StateReads.order(w.state, w.id(taker)).batchIndex()).isEqualTo(7);
            assertThat(w.stf.apply(w.state, w.trade(maker, taker, LOT), 7).applied()).isTrue();   // same batch
            var before = w.state.root();
            assertThat(w.stf.apply(w.state, w.trade(maker, taker, LOT), 8)).as(tif + " next batch")
                    .isEqualTo(new Outcome.Rejected(Reject.TIME_IN_FORCE_OVER));
            assertThat(w.stf.apply(w.state, w.trade(maker, taker, LOT), 6)).as(tif + " earlier batch")
                    .isEqualTo(new Outcome.Rejected(Reject.TIME_IN_FORCE_OVER));
            assertThat(w.state.root()).isEqualTo(before);
            // the GTC maker posted in batch 6 still fills in batch 7 (and would in any later one)
            assertThat(StateReads.order(w.state, w.id(maker)).filled()).isEqualTo(LOT);
        }
    }

    void rejected(Transition t, Reject expected) {
        var before = w.state.root();
        assertThat(w.apply(t)).isEqualTo(new Outcome.Rejected(expected));
        assertThat(w.state.root()).isEqualTo(before);
    }
}
