package dev.clearline.engine.stf;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.Trade;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/** A cancel that reaches the tree before its order does binds the order forever (docs/protocol.md 5). */
class CancelBeforePostTest {
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);
    final Signer mallory = World.signer(3);

    private World funded() {
        World w = new World();
        w.ok(w.market(1));
        w.ok(w.deposit(alice.address(), 1_000_000));
        w.ok(w.deposit(bob.address(), 1_000_000));
        w.ok(w.price(1, 10_000, 0, 100));
        return w;
    }

    @Test
    void aCancelledNeverPostedOrderCanNeitherBePostedNorFilled() {
        Property.forAll(Gens.ints(1, 20), Gens.allOf(Gens.booleans(), Gens.booleans())).tries(30).check((lots, flags) -> {
            boolean forced = flags.get(0);
            boolean cancelTheMaker = flags.get(1);
            World w = funded();
            Order ask = w.order(bob, 1, Side.SELL, 10_000, lots * LOT, 5_000);
            Order bid = w.order(alice, 1, Side.BUY, 10_000, lots * LOT, 5_000);
            Order victim = cancelTheMaker ? ask : bid;
            Signer owner = cancelTheMaker ? bob : alice;
            w.ok(forced ? w.forcedCancel(owner.address(), w.hash(victim)) : w.cancel(owner, w.hash(victim)));
            assertThat(StateReads.orderHash(w.state, w.hash(victim)))
                    .isEqualTo(OrderHashLeaf.tombstone(owner.address()));
            assertThat(w.id(victim)).as("a tombstoned hash never gets a short id, so no Trade can name it").isZero();
            Order other = cancelTheMaker ? bid : ask;
            w.ok(w.post(cancelTheMaker ? alice : bob, other));

            rejected(w, w.post(owner, victim), Reject.ORDER_CANCELLED);
            rejected(w, w.trade(ask, bid, LOT), Reject.ORDER_NOT_FOUND);
            rejected(w, w.cancel(owner, w.hash(victim)), Reject.ORDER_CANCELLED);
        });
    }

    @Test
    void someoneElsesTombstoneDoesNotBlockTheOrder() {
        World w = funded();
        Order ask = w.order(bob, 1, Side.SELL, 10_000, LOT, 5_000);
        w.ok(w.forcedCancel(mallory.address(), w.hash(ask)));
        w.ok(w.cancel(mallory, w.hash(w.order(bob, 1, Side.SELL, 10_000, LOT, 0))));
        w.ok(w.post(bob, ask));
        Order bid = w.order(alice, 1, Side.BUY, 10_000, LOT, 5_000);
        w.ok(w.post(alice, bid));
        w.ok(w.trade(ask, bid, LOT));
    }

    @Test
    void aPostedOrderCannotBeCancelledBySomeoneElse() {
        World w = funded();
        Order ask = w.order(bob, 1, Side.SELL, 10_000, LOT, 5_000);
        w.ok(w.post(bob, ask));
        rejected(w, w.cancel(mallory, w.hash(ask)), Reject.NOT_OWNER);
    }

    private static void rejected(World w, Transition t, Reject expected) {
        var before = w.state.root();
        assertThat(w.apply(t)).isEqualTo(new Outcome.Rejected(expected));
        assertThat(w.state.root()).isEqualTo(before);
    }
}
