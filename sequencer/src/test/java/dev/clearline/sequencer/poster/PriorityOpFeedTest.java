package dev.clearline.sequencer.poster;

import dev.clearline.engine.transition.Transition;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.ForwardingTransport;
import dev.clearline.devnet.junit.LaggingLogs;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.Replayer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterNumber;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

/**
 * The feed carries every queued op into the sequencer exactly once, even when a load-balanced RPC
 * answers its log query from a node a block behind: that node returns no logs for the newest
 * block and no error. Before the check the range counted as read and the op in that block was
 * never sequenced (the next op then arrived out of order and the queue stalled until a freeze).
 */
@WithDevnet
class PriorityOpFeedTest {
    @TempDir
    Path dir;

    @Test
    void anOpLeftOutOfALaggingLogAnswerIsReadAgainNotSkipped(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            // the market listing and the two deposits are three ops in three blocks; the first answer lacks the newest
            LaggingLogs lagging = new LaggingLogs(l1.service(), 1, null);
            PriorityOpFeed feed = new PriorityOpFeed(new RollupLog(Web3j.build(lagging), w.rollupAddress), w.link, w.deployBlock, 0);
            assertThatThrownBy(feed::poll).isInstanceOf(IOException.class)
                    .hasMessageContaining("hold 2 priority op(s) but the rollup's queue holds 3 there");
            assertThat(feed.nextIndex()).as("the two ops it did see were sequenced, in order").isEqualTo(2);
            assertThat(feed.poll()).as("the op the lagging node left out").isOne();
            assertThat(feed.nextIndex()).isEqualTo(3);
            assertThat(feed.poll()).isZero();
        }
    }

    @Test
    void aFeedExactlyTheRecentWindowBackStillChecksALaggingLogAnswerAgainstTheQueue(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            int confirmations = (int) Replayer.RECENT_BLOCKS; // the deepest range a node behind may still answer short
            l1.time().mineBlocks(confirmations, 12);
            LaggingLogs lagging = new LaggingLogs(l1.service(), 1, null);
            PriorityOpFeed feed = new PriorityOpFeed(new RollupLog(Web3j.build(lagging), w.rollupAddress), w.link, w.deployBlock, confirmations);
            assertThatThrownBy(feed::poll).isInstanceOf(IOException.class)
                    .hasMessageContaining("hold 2 priority op(s) but the rollup's queue holds 3 there");
            assertThat(feed.poll()).as("the op the lagging node left out").isOne();
            assertThat(feed.nextIndex()).isEqualTo(3);
        }
    }

    @Test
    void aFeedManyConfirmationsBackReadsSettledRangesWithoutAskingForStateAFullNodeHasPruned(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            int confirmations = (int) Replayer.RECENT_BLOCKS + 8;
            l1.time().mineBlocks(confirmations, 12);
            // a full node keeps the state of its recent blocks only: a call at an older one is refused
            ForwardingTransport pruned = new ForwardingTransport(l1.service()) {
                @Override
                @SuppressWarnings({"rawtypes", "unchecked"})
                public <T extends Response> T send(Request request, Class<T> type) throws IOException {
                    if ("eth_call".equals(request.getMethod()) && request.getParams().size() > 1
                            && request.getParams().get(1) instanceof DefaultBlockParameterNumber at
                            && at.getBlockNumber().longValueExact() < l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact() - 16) {
                        throw new IOException("missing trie node (state of block " + at.getBlockNumber() + " is pruned)");
                    }
                    return super.send(request, type);
                }

                @Override
                public void close() {
                    // the node is the test's
                }
            };
            PriorityOpFeed feed = new PriorityOpFeed(new RollupLog(Web3j.build(pruned), w.rollupAddress), w.link, w.deployBlock, confirmations);
            assertThat(feed.poll()).as("the listing and both deposits, settled long ago").isEqualTo(3);
            assertThat(feed.nextIndex()).isEqualTo(3);
        }
    }

    /**
     * Confirmations keep an op out of the sequencer until that many blocks follow it: a deposit credited from a block L1
     * then reorganises away would leave the sequencer's batches building on money L1 never queued.
     */
    @Test
    void anOpWaitsForItsConfirmationsBeforeTheSequencerSeesIt(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            // the world's last transaction is Bob's deposit, the third op, alone in the newest block
            dev.clearline.devnet.junit.CallWatch calls = new dev.clearline.devnet.junit.CallWatch(l1.service());
            PriorityOpFeed feed = new PriorityOpFeed(new RollupLog(Web3j.build(calls), w.rollupAddress), w.link, w.deployBlock, 1);
            assertThat(feed.poll()).as("the listing and Alice's deposit, a block or more deep").isEqualTo(2);
            long queries = calls.callsOf("eth_getLogs");
            assertThat(feed.poll()).as("no block since").isZero();
            // each block's logs are read once: a round on an idle chain asks for the head and nothing more
            assertThat(calls.callsOf("eth_getLogs")).as("no log query with no new block").isEqualTo(queries);
            assertThat(feed.nextIndex()).isEqualTo(2);
            l1.time().mine();
            assertThat(feed.poll()).as("Bob's deposit, one block deep now").isOne();
            assertThat(feed.nextIndex()).isEqualTo(3);
        }
    }

    /**
     * The age the poster's deadline watch reads is that of the oldest op L1 has not seen consumed: once a batch consumes
     * it, the next one's, and none once all are (an age that stayed would keep the freeze alert firing).
     */
    @Test
    void theOldestUnconsumedOpIsTheFirstPastWhatL1Consumed(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            PriorityOpFeed feed = w.feed();
            assertThat(feed.poll()).isEqualTo(3);
            RollupLog log = new RollupLog(l1.web3j(), w.rollupAddress);
            List<Long> enqueued = log.priorityOps(w.deployBlock, log.latestBlock()).stream()
                    .map(t -> ((Transition.PriorityOp) t).enqueueTime()).toList();
            assertThat(feed.oldestUnconsumed(0)).contains(enqueued.get(0));
            assertThat(feed.oldestUnconsumed(2)).contains(enqueued.get(2));
            assertThat(feed.oldestUnconsumed(3)).as("all three consumed").isEmpty();
            assertThat(feed.oldestUnconsumed(0)).as("what L1 consumed stays consumed").isEmpty();
        }
    }
}
