package dev.clearline.prover.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The published report is written only by the run the README quotes; a trial writes its own (git-ignored). */
class ReplayBenchStemTest {
    @Test
    void onlyTheFullRunWritesThePublishedReport() {
        assertThat(ReplayBench.stem(new String[0])).isEqualTo("prover-replay");
        assertThat(ReplayBench.stem(new String[] {"small", "fills"})).isEqualTo("prover-replay-trial");
        assertThat(ReplayBench.stem(new String[] {"--transitions", "400000", "--node-cache", "4194304", "fills"})).isEqualTo("prover-replay-trial");
    }
}
