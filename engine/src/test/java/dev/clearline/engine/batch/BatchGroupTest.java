package dev.clearline.engine.batch;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.tree.store.MemoryNodeStore;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/** An IOC order's PostOrder and its fills stay in one batch, and replay with the batch's index. */
class BatchGroupTest {
    final World w = new World();
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);

    @Test
    void aGroupThatWouldNotFitSealsTheOpenBatchFirstAndItsIocFillsApply() {
        BatchBuilder b = new BatchBuilder(w.stf, new MemoryNodeStore(), new BatchPolicy(3, 1_000));
        b.appendAll(List.of(w.market(1), w.deposit(alice.address(), 10_000_000), w.deposit(bob.address(), 10_000_000)), 1);
        b.append(w.price(1, 10_000, 0, 1), 1);
        b.append(w.price(1, 10_000, 0, 2), 1);                          // batch 0 sealed at 3; batch 1 holds 2
        Order maker = w.order(alice, 1, Side.BUY, 10_000, LOT, 100_000);
        Order taker = new Order(bob.address(), 1, Side.SELL, 10_000, LOT, 0, TimeInForce.IOC, 0, 0, 9, 100_000);
        Transition postMaker = w.post(alice, maker);
        Transition postTaker = w.post(bob, taker);
        // ids 1 and 2: the first two PostOrders of this world
        List<Outcome> out = b.appendAll(List.of(postMaker, postTaker, new Transition.Trade(1, 2, LOT)), 2);
        assertThat(out).allMatch(Outcome::applied);
        b.seal();
        List<Batch> sealed = b.takeSealed();
        assertThat(sealed).hasSize(3);
        assertThat(sealed.get(1).transitions()).hasSize(2);             // sealed early rather than split the group
        Batch last = sealed.get(2);
        assertThat(last.header().batchIndex()).isEqualTo(2);
        assertThat(last.transitions()).hasSize(3);
        assertThat(b.rootAfterPrefix(last, 3)).isEqualTo(last.header().postStateRoot());
    }

    @Test
    void aGroupLongerThanABatchIsCutBetweenRunsButNeverInsideAnIocOrdersRun() {
        BatchBuilder b = new BatchBuilder(w.stf, new MemoryNodeStore(), new BatchPolicy(3, 1_000));
        b.appendAll(List.of(w.market(1), w.deposit(alice.address(), 10_000_000), w.deposit(bob.address(), 10_000_000)), 1);
        Order maker = w.order(alice, 1, Side.BUY, 10_000, LOT, 100_000);
        Order taker = new Order(bob.address(), 1, Side.SELL, 10_000, LOT, 0, TimeInForce.IOC, 0, 0, 9, 100_000);
        // six transitions for batches of three: the IOC's PostOrder (id 2) and its Trade are one run, everything else its own
        List<Transition> group = List.of(w.price(1, 10_000, 0, 1), w.price(1, 10_000, 0, 2), w.post(alice, maker), w.post(bob, taker),
                new Transition.Trade(1, 2, LOT), w.price(1, 10_000, 0, 3));
        assertThat(OrderRuns.lengths(group, 1)).containsExactly(1, 1, 1, 2, 1);
        List<Outcome> out = b.appendAll(group, 2);
        assertThat(out).allMatch(Outcome::applied);
        List<Batch> sealed = b.takeSealed();
        assertThat(sealed).extracting(x -> x.transitions().size()).containsExactly(3, 3, 3);
        assertThat(sealed.get(2).transitions()).containsExactly(group.get(3), group.get(4), group.get(5));
        for (Batch x : sealed) assertThat(b.rootAfterPrefix(x, x.transitions().size())).isEqualTo(x.header().postStateRoot());
    }
}
