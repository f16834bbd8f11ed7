package dev.clearline.sequencer.poster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A node whose batches seal so slowly that an op could wait half the rollup's force delay in it is
 * refused at start (another proposer could then post ahead of it, and it would halt); from a quarter
 * it is warned of. Before, nothing compared the two.
 */
class ForceDelayFitTest {
    @Test
    void batchesSealingWithinAQuarterOfTheForceDelayPassSilently() {
        L1Side.Found deployment = new L1Side.Found(1_800, 1, 0, null);
        assertThat(deployment.tooSlow(2, 1_000, false)).isEmpty();
        assertThat(deployment.tooSlow(2, 1_000, true)).isEmpty();
        assertThat(deployment.tooSlow(448, 1_000, false)).as("449 s < 450").isEmpty();
    }

    @Test
    void aQuarterIsWarnedOfAndHalfIsRefusedWithTheLongestBatchThatFits() {
        L1Side.Found deployment = new L1Side.Found(1_800, 1, 0, null);
        assertThat(deployment.tooSlow(449, 1_000, false)).hasValueSatisfying(why -> assertThat(why)
                .contains("up to 450 L1 second(s)", "--batch-seconds 449", "over a quarter of the rollup's force delay of 1800 s", "waited 900 s",
                        "could halt it; --batch-seconds 448 or less keeps a margin")
                .doesNotContain("pass --batch-seconds"));
        assertThat(deployment.tooSlow(449, 1_000, true)).as("not yet half").isEmpty();
        assertThat(deployment.tooSlow(899, 1_000, true)).hasValueSatisfying(why -> assertThat(why)
                .contains("up to 900 L1 second(s)", "force delay is 1800 s", "waited 900 s, and the node then halts",
                        "pass --batch-seconds 898 or less (448 or less keeps a margin)"));
        // what the messages offer is exact: the longest accepted is refused one second later, the margin's warned one second later
        assertThat(deployment.tooSlow(898, 1_000, true)).isEmpty();
        assertThat(deployment.tooSlow(448, 1_000, false)).isEmpty();
        assertThat(deployment.tooSlow(898, 999, true)).isEmpty();
    }

    @Test
    void aDevnetRunningFastCountsItsL1Seconds() {
        // up's devnet: L1 time 20x, so 30 real seconds are 600 L1 seconds of the op's wait
        L1Side.Found fast = new L1Side.Found(1_800, 20, 0, null);
        assertThat(fast.tooSlow(2, 1_000, false)).as("60 L1 s").isEmpty();
        assertThat(fast.tooSlow(45, 0, true)).hasValueSatisfying(why -> assertThat(why).contains("900 L1 second(s)", "running 20x",
                "pass --batch-seconds 44 or less (22 or less keeps a margin)"));
        assertThat(fast.tooSlow(44, 0, true)).isEmpty();
        assertThat(fast.tooSlow(22, 0, false)).isEmpty();
        assertThat(fast.tooSlow(23, 0, false)).isPresent();
    }
}
