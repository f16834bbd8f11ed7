package dev.clearline.sequencer.state;

import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.MemoryNodeStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sequencer state taken up from L1 ({@link SequencerState#takeUp}) under random flows: state A runs a random session
 * (orders, cancels, prices, margin moves, time) and seals every batch; B takes up the state A's batches end at and runs
 * another random session of the same traders. Every batch B seals must follow the one before it (the first on L1's tip)
 * and replay, on a watcher's own tree started from L1's leaves, to the root it records, each transition accepted by the
 * STF: what L1 would accept of a node that took up. B must never throw (a command that throws stops every member).
 */
class TakeUpFlowProperties {
    static final Market M = new Market(4);

    /** L1's state as the take-up found it. */
    private static TreeLeafStore watcherAt(SequencerState.L1Start l1) {
        TreeLeafStore store = new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore(), 0), 1 << 12);
        store.putAll(l1.leaves());
        return store;
    }

    @Test
    void everyBatchAStateTakenUpSealsReplaysOnL1sStateToItsRoot() {
        long[] totals = new long[3];
        Property.forAll(Gens.seeds()).tries(8).check(seed -> {
            Random r = new Random(seed);
            SequencerState a = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            List<Command> first = new java.util.ArrayList<>(M.opening(7));
            first.addAll(M.flow(7, first.size() + 1, 60 + r.nextInt(100), r));
            long ms = Market.START * 1000;
            for (Command c : first) a.apply(c, ms += 10);
            // a time past every tick of the flow closes the open batch: everything A did is in sealed batches
            a.apply(new Command.TimeTick(7, first.size() + 1, Market.START + 10_000), ms = (Market.START + 10_000) * 1000);
            SequencerState.L1Start l1 = a.asOnL1(new long[0], 600);
            a.close();

            SequencerState b = SequencerState.takeUp(Market.GENESIS, new NativeSecp256k1Verifier(), CommandHistory.inMemory(), l1);
            TreeLeafStore atTakeUp = watcherAt(l1);
            long postedByA = dev.clearline.engine.stf.StateReads.global(atTakeUp).orderCount();
            long orderLeaves = 0;
            for (long id = 1; id <= postedByA; id++) if (dev.clearline.engine.stf.StateReads.order(atTakeUp, id) != null) orderLeaves++;
            assertThat(b.droppedRestingOrders()).as("the orders resting partly filled on L1, dropped").isEqualTo(orderLeaves);
            totals[2] += orderLeaves;
            List<Command> second = M.flow(8, 1, 60 + r.nextInt(100), r);
            for (Command c : second) b.apply(c, ms += 10);
            b.apply(new Command.TimeTick(8, second.size() + 1, Market.START + 20_000), (Market.START + 20_000) * 1000);

            TreeLeafStore watcher = new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore(), 0), 1 << 12);
            watcher.putAll(l1.leaves());
            watcher.commit();
            Stf stf = new Stf(Market.GENESIS.domain(), new NativeSecp256k1Verifier());
            Hash32 root = l1.tipRoot();
            for (long i = l1.batches(); i < b.sealedBatches(); i++) {
                Batch batch = b.sealedBatch(i);
                assertThat(batch.header().batchIndex()).isEqualTo(i);
                assertThat(batch.header().prevStateRoot()).as("batch %d follows the one before", i).isEqualTo(root);
                for (Transition t : batch.transitions()) {
                    assertThat(stf.apply(watcher, t, i)).as("batch %d: %s", i, t).isInstanceOf(Outcome.Applied.class);
                    if (t instanceof Transition.Trade || t instanceof Transition.TradeAtPrice) totals[1]++;
                }
                watcher.commit();
                assertThat(watcher.root()).as("batch %d's root", i).isEqualTo(batch.header().postStateRoot());
                root = batch.header().postStateRoot();
                totals[0]++;
            }
            assertThat(b.stateRoot()).isEqualTo(root);
            // every order A posted that rested partly filled had its ORDER leaf pruned: no book of B holds it
            for (long id = 1; id <= postedByA; id++) {
                assertThat(dev.clearline.engine.stf.StateReads.order(watcher, id)).as("A's order %d after B's batches", id).isNull();
            }
            b.close();
        });
        System.out.printf("TakeUpFlowProperties: %d batches sealed after take-ups, %d trades in them, %d ORDER leaves taken up and pruned%n",
                totals[0], totals[1], totals[2]);
        if (System.getProperty("clearline.seed", "").isEmpty()) {
            assertThat(totals[1]).as("the flows trade after the take-up").isPositive();
            assertThat(totals[2]).as("orders resting partly filled at a take-up").isPositive();
        }
    }
}
