package dev.clearline.prover.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.engine.order.Hash32;
import dev.clearline.prover.store.BatchRecord;
import dev.clearline.prover.store.ReplayStore;
import dev.clearline.prover.store.StoreMismatchException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persistent watcher against a scripted L1: a restart resumes where the last run stopped, a
 * reorg of unfinalised blocks is followed from the fork point, and an L1 that does not answer is
 * reported once and retried.
 */
class ReplayerTest {
    private static final String DEPLOYMENT = "chain=31337 rollup=0x5fbdb2315678afecb367f032d93f642f64180aa3";
    private static final Hash32 LIE = Hash32.fromHex("0x" + "5e".repeat(32));

    @TempDir
    Path dir;

    private final List<String> events = new ArrayList<>();

    private final ReplayListener recording = new ReplayListener() {
        @Override
        public void judged(BatchRecord b) {
            events.add("judged " + b.batchIndex() + " " + (b.honest() ? "honest" : "fraud"));
        }

        @Override
        public void reorg(long lostBlock, long forkBlock) {
            events.add("reorg lost=" + lostBlock + " fork=" + forkBlock);
        }

        @Override
        public void unreachable(String why, long retryMillis) {
            events.add("unreachable " + why);
        }

        @Override
        public void reachable(int failures) {
            events.add("reachable after " + failures);
        }

        @Override
        public void progress(long block, long head, long batches) {
            progress.add(block + "/" + head);
        }
    };

    private final List<String> progress = new ArrayList<>();

    private Replayer replayer(ScriptedL1 l1, ReplayStore store, long chunk) {
        return new Replayer(l1, store, TestBatches.stf(), new Replayer.Settings(0, chunk, 64), recording);
    }

    @Test
    void aRestartedWatcherReplaysOnlyTheBatchesPostedSinceItStopped() throws Exception {
        List<PostedBatch> batches = TestBatches.honest(7, 3, 1);
        ScriptedL1 l1 = new ScriptedL1();
        for (int i = 0; i < 5; i++) l1.mine(batches.get(i));
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            Replayer.Poll first = replayer(l1, store, 2).poll();
            assertThat(first.batchesJudged()).isEqualTo(5);
            assertThat(first.fraud()).isZero();
        }
        l1.mine();
        l1.mine(batches.get(5), batches.get(6));
        events.clear();
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            Replayer watcher = replayer(l1, store, 2);
            assertThat(watcher.verifier().verifiedRoot()).isEqualTo(batches.get(4).header().postStateRoot());
            Replayer.Poll resumed = watcher.poll();
            assertThat(resumed.batchesJudged()).as("batches replayed after the restart").isEqualTo(2);
            assertThat(events).containsExactly("judged 5 honest", "judged 6 honest");
            assertThat(watcher.verifier().verifiedRoot()).isEqualTo(batches.get(6).header().postStateRoot());
            assertThat(store.batches()).extracting(BatchRecord::batchIndex).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(watcher.poll().batchesJudged()).as("nothing new on L1").isZero();
        }
        // restarted where L1 stands (a chain that stopped): it says where it is once, then only when a block comes
        progress.clear();
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            Replayer idle = replayer(l1, store, 2);
            idle.poll();
            assertThat(progress).as("said at the first poll").containsExactly(l1.head() + "/" + l1.head());
            idle.poll();
            idle.poll();
            assertThat(progress).as("and not again").containsExactly(l1.head() + "/" + l1.head());
        }
    }

    @Test
    void aTreeVersionCommittedButNotRecordedIsRolledBackOnOpenAndTheBatchIsJudgedAgain() throws Exception {
        List<PostedBatch> batches = TestBatches.honest(2, 2, 2);
        ScriptedL1 l1 = new ScriptedL1();
        l1.mine(batches.get(0));
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            replayer(l1, store, 10).poll();
            // A process killed after the tree committed batch 1 but before the progress said so.
            assertThat(new BatchVerifier(TestBatches.stf(), store.nodes()).verify(batches.get(1)).honest()).isTrue();
        }
        l1.mine(batches.get(1));
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            Replayer watcher = replayer(l1, store, 10);
            assertThat(watcher.verifier().verifiedRoot()).isEqualTo(batches.get(0).header().postStateRoot());
            assertThat(watcher.poll().fraud()).isZero();
            assertThat(watcher.verifier().verifiedRoot()).isEqualTo(batches.get(1).header().postStateRoot());
        }
    }

    @Test
    void aReorgThatReplacesABadBatchWithAGoodOneIsFollowedFromTheForkPoint() throws Exception {
        List<PostedBatch> batches = TestBatches.honest(4, 2, 3);
        ScriptedL1 l1 = new ScriptedL1();
        l1.mine(batches.get(0));
        l1.mine(batches.get(1));
        l1.mine();
        long lostBlock = l1.mine(TestBatches.withPostRoot(batches.get(2), LIE));
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            Replayer watcher = replayer(l1, store, 1);
            assertThat(watcher.poll().fraud()).isEqualTo(1);
            assertThat(store.batch(2).orElseThrow().honest()).isFalse();

            l1.reorgFrom(3);
            l1.mine(batches.get(2));
            l1.mine(batches.get(3));
            events.clear();
            Replayer.Poll poll = watcher.poll();
            assertThat(poll.forkBlock()).contains(2L);
            assertThat(events).containsExactly("reorg lost=" + lostBlock + " fork=2", "judged 2 honest", "judged 3 honest");
            assertThat(store.batches()).extracting(BatchRecord::honest).containsExactly(true, true, true, true);
            assertThat(watcher.verifier().verifiedRoot()).isEqualTo(batches.get(3).header().postStateRoot());
        }
        // The rewound state is what a restart finds too.
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            assertThat(replayer(l1, store, 1).verifier().verifiedRoot()).isEqualTo(batches.get(3).header().postStateRoot());
        }
    }

    @Test
    void aReorgDeeperThanEveryKeptMarkReplaysFromTheStart() throws Exception {
        List<PostedBatch> batches = TestBatches.honest(2, 2, 4);
        ScriptedL1 l1 = new ScriptedL1();
        l1.mine(batches.get(0));
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            Replayer watcher = replayer(l1, store, 100);
            watcher.poll();
            l1.reorgFrom(0);
            l1.mine();
            l1.mine(batches.get(0), batches.get(1));
            assertThat(watcher.poll().forkBlock()).contains(-1L);
            assertThat(store.batches()).hasSize(2);
            assertThat(watcher.verifier().verifiedRoot()).isEqualTo(batches.get(1).header().postStateRoot());
        }
    }

    @Test
    void anUnreachableL1IsReportedOnceAndRetriedUntilItAnswers() throws Exception {
        List<PostedBatch> batches = TestBatches.honest(1, 2, 5);
        ScriptedL1 l1 = new ScriptedL1();
        l1.mine(batches.get(0));
        l1.failNext(4);
        List<Long> pauses = new ArrayList<>();
        AtomicInteger rounds = new AtomicInteger();
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            replayer(l1, store, 10).follow(() -> rounds.incrementAndGet() <= 6, pauses::add, 100);
        }
        assertThat(events).containsExactly("unreachable Failed to connect to /127.0.0.1:1", "judged 0 honest", "reachable after 4");
        assertThat(pauses).containsExactly(200L, 400L, 800L, 1_600L, 100L, 100L);
    }

    /**
     * A load-balanced RPC's log query answered by a node a block behind leaves out the newest
     * postings with no error. Before the check the block was marked read and its batch was never
     * judged; now the poll refuses the answer and the next one judges the batch.
     */
    @Test
    void aLogAnswerThatLeftOutTheNewestPostingsIsReadAgainNotMarkedRead() throws Exception {
        List<PostedBatch> batches = TestBatches.honest(5, 2, 5);
        ScriptedL1 l1 = new ScriptedL1();
        l1.mine(batches.get(0));
        l1.mine();
        l1.mine(batches.get(1), batches.get(2));
        List<Long> pauses = new ArrayList<>();
        AtomicInteger rounds = new AtomicInteger();
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            Replayer replayer = replayer(l1, store, 10);
            // behind by one block: the count at the head tells the two postings of block 3 are missing
            l1.lagLogs(1, 1);
            assertThatThrownBy(replayer::poll).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("end at batch submission 1 but the rollup counts 3 at block 3");
            assertThat(store.lastMark()).isEmpty();
            l1.mine(batches.get(3));
            assertThat(replayer.poll().batchesJudged()).isEqualTo(4);
            l1.mine();
            l1.mine(batches.get(4));
            // two answers in a row from the node behind: the follow loop says so once and reads again until one is whole
            l1.lagLogs(2, 1);
            replayer.follow(() -> rounds.incrementAndGet() <= 3, pauses::add, 100);
            assertThat(store.lastMark().orElseThrow().batchesJudged()).isEqualTo(5);
        }
        assertThat(events).containsExactly("judged 0 honest", "judged 1 honest", "judged 2 honest", "judged 3 honest",
                "unreachable the node's logs of blocks 5..6 end at batch submission 4 but the rollup counts 5 at block 6: a node behind the"
                        + " others answered the log query; reading them again",
                "judged 4 honest", "reachable after 2");
        assertThat(pauses).containsExactly(200L, 400L, 100L);
    }

    /**
     * The rollup's count is checked for chunks ending within 32 blocks of the head (older blocks are past any
     * lagging node): a chunk ending exactly 32 blocks below the head, answered without its posting, is read
     * again, not marked read (a chunk marked read is never read again, and its batch never judged).
     */
    @Test
    void aLogAnswerMissingAPostingExactly32BlocksBelowTheHeadIsReadAgain() throws Exception {
        PostedBatch batch = TestBatches.honest(1, 2, 1).getFirst();
        ScriptedL1 l1 = new ScriptedL1();
        for (int i = 0; i < 4; i++) l1.mine();
        long posted = l1.mine(batch);
        for (int i = 0; i < Replayer.RECENT_BLOCKS; i++) l1.mine();
        assertThat(l1.head() - posted).isEqualTo(Replayer.RECENT_BLOCKS);
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            Replayer replayer = replayer(l1, store, 1);
            l1.lagLogs(1_000, (int) Replayer.RECENT_BLOCKS + 1); // every answer from a node that has not seen the batch's block
            assertThatThrownBy(replayer::poll).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("blocks " + posted + ".." + posted + " end at batch submission 0 but the rollup counts 1");
            l1.lagLogs(0, 0);
            assertThat(replayer.poll().batchesJudged()).isEqualTo(1);
        }
    }

    /**
     * A node that reports a head it has no block for (mid-reorg, or its head ahead of its state): the poll fails and says
     * so, nothing of that range is marked read, and the next poll, once the node has the block, judges the batch.
     */
    @Test
    void aHeadTheNodeHasNoBlockForFailsThePollAndNothingIsMarkedRead() throws Exception {
        PostedBatch batch = TestBatches.honest(1, 2, 1).getFirst();
        ScriptedL1 l1 = new ScriptedL1();
        long posted = l1.mine(batch);
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            Replayer replayer = replayer(l1, store, 100);
            l1.headAhead = 1;
            assertThatThrownBy(replayer::poll).isInstanceOf(java.io.IOException.class)
                    .hasMessage("L1 reports head " + (posted + 1) + " but has no block " + (posted + 1));
            assertThat(store.lastMark()).as("nothing marked read").isEmpty();
            assertThat(events).isEmpty();
            l1.headAhead = 0;
            assertThat(replayer.poll().batchesJudged()).isEqualTo(1);
            assertThat(events).containsExactly("judged 0 honest");
        }
    }

    /** A source that cannot tell the rollup's submission count (the interface's default) is replayed all the same, unchecked. */
    @Test
    void aSourceWithoutTheSubmissionCountIsReplayedUnchecked() throws Exception {
        List<PostedBatch> batches = TestBatches.honest(3, 2, 1);
        ScriptedL1 scripted = new ScriptedL1();
        for (PostedBatch b : batches) scripted.mine(b);
        L1Source countless = new L1Source() {
            @Override
            public long head() throws java.io.IOException {
                return scripted.head();
            }

            @Override
            public java.util.Optional<String> blockHash(long block) throws java.io.IOException {
                return scripted.blockHash(block);
            }

            @Override
            public List<dev.clearline.prover.l1.RollupLog.Posted> batches(long from, long to) throws java.io.IOException {
                return scripted.batches(from, to);
            }
        };
        assertThat(countless.submissionsAt(scripted.head())).isEmpty();
        try (ReplayStore store = ReplayStore.open(dir, DEPLOYMENT)) {
            Replayer replayer = new Replayer(countless, store, TestBatches.stf(), new Replayer.Settings(0, 1, 64), recording);
            assertThat(replayer.poll().batchesJudged()).isEqualTo(3);
            assertThat(replayer.verifier().verifiedRoot()).isEqualTo(batches.getLast().header().postStateRoot());
        }
    }

    @Test
    void aStoreWrittenForAnotherDeploymentIsRefusedWithWhatToDo() {
        ReplayStore.open(dir, DEPLOYMENT).close();
        assertThatThrownBy(() -> ReplayStore.open(dir, "chain=1 rollup=0x00"))
                .isInstanceOf(StoreMismatchException.class)
                .hasMessageContaining("chain=31337").hasMessageContaining("--data-dir");
    }
}
