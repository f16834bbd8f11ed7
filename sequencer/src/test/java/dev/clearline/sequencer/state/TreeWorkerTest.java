package dev.clearline.sequencer.state;

import dev.clearline.engine.batch.BatchPolicy;
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
        SequencerState s = new SequencerState(g, new NativeSecp256k1Verifier());
        if (worker) s.moveTreeToWorker(THREADS);
        try {
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < SESSION.size(); i++) {
                replies.add(new String(ReplyCodec.encode(s.apply(SESSION.get(i), (Market.START + i / 3) * 1000))));
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
}
