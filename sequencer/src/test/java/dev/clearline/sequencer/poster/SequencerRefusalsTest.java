package dev.clearline.sequencer.poster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.sequencer.l1.SealedBatch;
import dev.clearline.sequencer.l1.SequencerLink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The L1 side when the sequencer's log says no: a priority op it refuses without consuming stops
 * the feed with what is stuck (the queue cannot move past it), and a batch report it refuses
 * ends the round's reporting there, counting only what it took; the next round tells the rest.
 */
@WithDevnet
class SequencerRefusalsTest {
    @TempDir
    Path dir;

    @Test
    void anOpTheSequencerRefusesWithoutConsumingItStopsTheFeedAndSaysTheQueueIsStuck(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            RefusingLink link = new RefusingLink(w.link);
            link.refuseOp = 1; // Alice's deposit, after the market's listing
            PriorityOpFeed feed = new PriorityOpFeed(new RollupLog(l1.web3j(), w.rollupAddress), link, w.deployBlock, 0);
            assertThatThrownBy(feed::poll).isInstanceOf(IOException.class)
                    .hasMessage("the sequencer refused L1 priority op 1 (refused by the test) and did not consume it: the queue is stuck"
                            + " until an operator looks");
            assertThat(feed.nextIndex()).as("the listing went in; the refused op is next again").isEqualTo(1);

            link.refuseOp = -1;
            assertThat(feed.poll()).as("taken once the log takes it").isEqualTo(2);
            assertThat(w.link.priorityOpsConsumed()).isEqualTo(3);
        }
    }

    @Test
    void aBatchReportTheLogRefusesEndsTheRoundsReportsThereAndCountsOnlyWhatWentIn(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            w.sealFirstBatch();
            w.cross(2);
            w.seal();
            RefusingLink link = new RefusingLink(w.link);
            link.refuseReportsFrom = 0; // the posts' own reports refused: the round's report has both to tell
            BatchPoster poster = new BatchPoster(l1.web3j(), w.rollupAddress,
                    new TxSender(l1.web3j(), l1.key(6), l1.web3j().ethChainId().send().getChainId().longValueExact(),
                            TxSender.FeePolicy.defaults(), TxSender.Time.SYSTEM), link);
            assertThat(poster.postAvailable()).isEqualTo(2);
            assertThat(w.link.l1Progress().posted()).isZero();

            link.refuseReportsFrom = 1;
            assertThat(poster.reportProgress()).as("batch 0 told, batch 1 refused").isOne();
            assertThat(w.link.l1Progress().posted()).isEqualTo(1);

            link.refuseReportsFrom = Long.MAX_VALUE;
            assertThat(poster.reportProgress()).as("the rest next round").isOne();
            assertThat(w.link.l1Progress().posted()).isEqualTo(2);
        }
    }

    /** The sequencer's log, refusing what a test names. */
    private static final class RefusingLink implements SequencerLink {
        private final SequencerLink log;
        volatile long refuseOp = -1;
        volatile long refuseReportsFrom = Long.MAX_VALUE;

        RefusingLink(SequencerLink log) {
            this.log = log;
        }

        @Override
        public Optional<SealedBatch> batch(long index) throws IOException {
            return log.batch(index);
        }

        @Override
        public long priorityOpsConsumed() throws IOException {
            return log.priorityOpsConsumed();
        }

        @Override
        public List<MarketInfo> markets() throws IOException {
            return log.markets();
        }

        @Override
        public Depth depth(int market, long notional) throws IOException {
            return log.depth(market, notional);
        }

        @Override
        public L1Progress l1Progress() throws IOException {
            return log.l1Progress();
        }

        @Override
        public Optional<String> batchPosted(long index, long postedAt, long finalAt) throws IOException {
            if (index >= refuseReportsFrom) return Optional.of("refused by the test");
            return log.batchPosted(index, postedAt, finalAt);
        }

        @Override
        public Optional<String> batchesFinal(long count) throws IOException {
            return log.batchesFinal(count);
        }

        @Override
        public void posting(String why) throws IOException {
            log.posting(why);
        }

        @Override
        public Optional<String> submit(Transition.PriorityOp op) throws IOException {
            if (op.priorityIndex() == refuseOp) return Optional.of("refused by the test");
            return log.submit(op);
        }

        @Override
        public Optional<String> submit(Transition.OraclePrice price) throws IOException {
            return log.submit(price);
        }
    }
}
