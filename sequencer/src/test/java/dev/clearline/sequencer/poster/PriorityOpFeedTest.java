package dev.clearline.sequencer.poster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.LaggingLogs;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.prover.l1.RollupLog;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;

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
}
