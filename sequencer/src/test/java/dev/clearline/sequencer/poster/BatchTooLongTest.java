package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.prover.l1.TxSender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A rollup deployed to take at most 4 transitions per batch, and a node that cuts batches of up to
 * 64: the node's first batch (3 priority ops and 2 prices) can never be posted, and batches post in
 * order. The poster says so and stops, naming both limits, instead of retrying it forever.
 */
@WithDevnet(parameters = "rollup.maxTransitions=4")
class BatchTooLongTest {
    @TempDir
    Path dir;

    @Test
    void aBatchLongerThanTheRollupTakesStopsThePosterWithBothLimitsNamed(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            assertThat(w.feed().poll()).isEqualTo(3);
            w.price(10_000);
            w.price(10_100);
            w.seal();
            BatchPoster poster = w.poster(l1.web3j(), l1.key(5), TxSender.FeePolicy.defaults());
            assertThatThrownBy(poster::postAvailable).isInstanceOf(BatchPoster.BatchTooLong.class)
                    .hasMessageContaining("batch 0 holds 5 transitions").hasMessageContaining("accepts at most 4 per batch")
                    .hasMessageContaining("posting stopped");
            assertThat(Rollup.load(w.rollupAddress, l1.web3j(), l1.key(5), L1World.GAS).nextBatchIndex().send().longValueExact()).isZero();
        }
    }

    /** A batch of exactly the rollup's most transitions (3 priority ops and a price) is posted like any other. */
    @Test
    void aBatchOfExactlyTheMostTheRollupTakesIsPosted(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            assertThat(w.feed().poll()).isEqualTo(3);
            w.price(10_000);
            w.seal();
            BatchPoster poster = w.poster(l1.web3j(), l1.key(5), TxSender.FeePolicy.defaults());
            assertThat(poster.postAvailable()).isOne();
            assertThat(Rollup.load(w.rollupAddress, l1.web3j(), l1.key(5), L1World.GAS).nextBatchIndex().send().longValueExact()).isOne();
        }
    }
}
