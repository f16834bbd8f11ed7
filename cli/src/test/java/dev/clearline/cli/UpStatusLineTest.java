package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The line `up` prints when something changed: a stopped poster stays on it, with its reason. */
class UpStatusLineTest {
    @Test
    void aStoppedPosterStaysOnTheStatusLineWithItsReason() {
        assertThat(UpCommand.statusLine(12, 10, 12, 0, 500, Optional.empty()))
                .isEqualTo("batches posted 12, finalized 10, verified honest 12; demo orders 500");
        assertThat(UpCommand.statusLine(12, 10, 11, 1, 500, Optional.empty())).contains("verified honest 11, FRAUD 1;").doesNotContain("HALTED");
        assertThat(UpCommand.statusLine(12, 10, 12, 0, 500, Optional.of("the sequencer's batch 12 holds 300 transitions but the rollup accepts at most 256")))
                .endsWith("; HALTED, posting stopped and the trader API takes no new orders: the sequencer's batch 12 holds 300 transitions but the"
                        + " rollup accepts at most 256");
    }
}
