package dev.clearline.sequencer.state;

import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The tree on its own thread changes who spends the CPU, never an output: with any batch policy,
 * and state roots, snapshots and batch reads asked for at any moment, every reply, batch and root
 * equals the run with the tree on the state machine's thread.
 */
class TreeWorkerTest {
    private static final List<Command> SESSION = SequencerStateTest.SESSION;
    private static final ThreadFactory THREADS = Thread.ofPlatform().name("test-tree").daemon().factory();

    private record Run(List<String> replies, String root, long sealed, long onWorker) {}

    private static Run run(Genesis g, boolean worker, List<Integer> probes) throws Exception {
        return run(g, worker, probes, List.of(), TreeWorker.SETTLE_AFTER);
    }

    /**
     * @param pauses commands after which the caller stops long enough for an idle worker to fall asleep
     * @param settleAfter transitions after which a worker that runs dry settles them into a tree version
     */
    private static Run run(Genesis g, boolean worker, List<Integer> probes, List<Integer> pauses, int settleAfter) throws Exception {
        SequencerState s = new SequencerState(g, new NativeSecp256k1Verifier());
        if (worker) s.moveTreeToWorker(THREADS, settleAfter);
        try {
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < SESSION.size(); i++) {
                replies.add(new String(ReplyCodec.encode(s.apply(SESSION.get(i), (Market.START + i / 3) * 1000))));
                if (pauses.contains(i)) Thread.sleep(5); // the worker drains what it was woken for and sleeps
                if (probes.contains(i)) {
                    // what a reader sees mid-run: the root, a snapshot of it, the last sealed batch
                    replies.add("root " + s.stateRoot());
                    replies.add("snapshot " + Snapshot.read(Snapshot.write(s), g, new NativeSecp256k1Verifier()).stateRoot());
                    replies.add(new String(ReplyCodec.encode(s.apply(new Command.Query(1, 0, Command.QueryKind.STATE, 0, null, null), 0))));
                }
            }
            return new Run(replies, s.stateRoot().toString(), s.sealedBatches(), s.groupsOnWorker());
        } finally {
            s.close();
        }
    }

    @Test
    void theTreeOnAWorkerGivesTheSameRepliesBatchesAndRootsAsOnTheStateMachinesThread() {
        Property.forAll(Gens.ints(1, 40), Gens.ints(0, 3)).tries(10).check((maxTransitions, maxAge) -> {
            Genesis g = new Genesis(31337, Market.ROLLUP, Market.GENESIS.books(), new BatchPolicy(maxTransitions, maxAge));
            List<Integer> probes = List.of(maxTransitions * 3 % SESSION.size(), SESSION.size() / 2, SESSION.size() - 1);
            Run alone = run(g, false, probes);
            Run behind = run(g, true, probes);
            assertThat(behind.replies()).isEqualTo(alone.replies());
            assertThat(behind.root()).isEqualTo(alone.root());
            assertThat(behind.sealed()).isEqualTo(alone.sealed()).isPositive();
            assertThat(alone.onWorker()).isZero();
            if (maxTransitions > 4 && maxAge > 0) assertThat(behind.onWorker()).as("groups the worker applied while replies went out").isPositive();
        });
    }

    @Test
    void aWorkerThatFellAsleepBetweenCommandsStillAppliesEveryGroupInOrder() throws Exception {
        // a quiet node: the worker sleeps with fewer groups waiting than wake it, until a backlog or a sync does
        Genesis g = new Genesis(31337, Market.ROLLUP, Market.GENESIS.books(), new BatchPolicy(30, 3));
        List<Integer> pauses = List.of(5, 17, 18, SESSION.size() / 2, SESSION.size() - 2);
        List<Integer> probes = List.of(18, SESSION.size() - 1);
        Run alone = run(g, false, probes);
        Run behind = run(g, true, probes, pauses, TreeWorker.SETTLE_AFTER);
        assertThat(behind.replies()).isEqualTo(alone.replies());
        assertThat(behind.root()).isEqualTo(alone.root());
        assertThat(behind.onWorker()).isPositive();
    }

    @Test
    void aWorkerThatSettlesWhenItRunsDryChangesNoReplyBatchOrRoot() {
        // settling after 1-8 transitions: many tree versions inside each batch, at moments only the scheduler decides
        Property.forAll(Gens.ints(1, 40), Gens.ints(0, 3 * 8 + 7)).tries(10).check((maxTransitions, ageAndSettle) -> {
            int maxAge = ageAndSettle / 8;
            int settleAfter = 1 + ageAndSettle % 8;
            Genesis g = new Genesis(31337, Market.ROLLUP, Market.GENESIS.books(), new BatchPolicy(maxTransitions, maxAge));
            List<Integer> probes = List.of(maxTransitions * 5 % SESSION.size(), SESSION.size() - 1);
            List<Integer> pauses = List.of(3, maxTransitions % SESSION.size(), SESSION.size() / 3, SESSION.size() / 2);
            Run alone = run(g, false, probes);
            Run behind = run(g, true, probes, pauses, settleAfter);
            assertThat(behind.replies()).isEqualTo(alone.replies());
            assertThat(behind.root()).isEqualTo(alone.root());
            assertThat(behind.sealed()).isEqualTo(alone.sealed());
        });
    }

    @Test
    void aWorkerThatRunsDryHashesWhatItAppliedSoTheSealHasLessToDo() {
        Address owner = Address.fromHex("0x00000000000000000000000000000000000000cc");
        BatchBuilder builder = new BatchBuilder(new Stf(Market.GENESIS.domain(), new NativeSecp256k1Verifier()), new MemoryNodeStore(),
                new BatchPolicy(1_000, 3_600));
        TreeWorker worker = new TreeWorker(builder, THREADS, 3);
        try {
            long now = Market.START;
            worker.submit(List.of(new Transition.Deposit(0, now, owner, 5), new Transition.Deposit(1, now, owner, 5)), now);
            worker.sync();
            assertThat(builder.state().hasPending()).as("two transitions: under the threshold, nothing settled").isTrue();
            worker.submit(List.of(new Transition.Deposit(2, now, owner, 5)), now);
            worker.sync();
            assertThat(builder.state().hasPending()).as("three: settled before the group counted as applied").isFalse();
            assertThat(builder.openTransitions()).as("settling seals nothing").isEqualTo(3);
            assertThat(builder.takeSealed()).isEmpty();
        } finally {
            worker.close();
        }
    }

    @Test
    void aGroupTheTreeRefusesStopsTheWorkerAndTheNextSyncOrSubmitSaysWhy() {
        Address owner = Address.fromHex("0x00000000000000000000000000000000000000aa");
        BatchBuilder builder = new BatchBuilder(new Stf(Market.GENESIS.domain(), new NativeSecp256k1Verifier()), new MemoryNodeStore(),
                new BatchPolicy(1_000, 3_600));
        TreeWorker worker = new TreeWorker(builder, THREADS);
        try {
            long now = Market.START;
            worker.submit(List.of(new Transition.Deposit(0, now, owner, 5)), now);
            worker.submit(List.of(new Transition.Deposit(1, now, owner, 5)), now);
            worker.sync();
            assertThat(builder.openTransitions()).isEqualTo(2);
            // the next priority op is 2: a deposit numbered 7 is refused by the tree (what the mirror would have accepted is a bug)
            worker.submit(List.of(new Transition.Deposit(7, now, owner, 5)), now);
            assertThatThrownBy(worker::sync).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the tree worker stopped").hasMessageContaining("determinism bug");
            assertThatThrownBy(() -> worker.submit(List.of(new Transition.Deposit(2, now, owner, 5)), now))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("the tree worker stopped");
        } finally {
            worker.close();
        }
    }

    @Test
    void moreGroupsThanTheRingHoldsWaitForRoomAndAllArrive() {
        Address owner = Address.fromHex("0x00000000000000000000000000000000000000bb");
        BatchBuilder builder = new BatchBuilder(new Stf(Market.GENESIS.domain(), new NativeSecp256k1Verifier()), new MemoryNodeStore(),
                new BatchPolicy(100_000, 3_600));
        TreeWorker worker = new TreeWorker(builder, THREADS);
        try {
            int groups = 10_000; // more than the ring's slots, submitted without a pause
            for (int i = 0; i < groups; i++) worker.submit(List.of(new Transition.Deposit(i, Market.START, owner, 1)), Market.START);
            worker.sync();
            assertThat(builder.openTransitions()).isEqualTo(groups);
        } finally {
            worker.close();
        }
    }
}
