package dev.clearline.engine.bench.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each benchmark command writes the report the README names beside it; a trial never overwrites a published one. */
class CoreStreamOptionsTest {
    private static String stem(String... args) {
        return CoreStreamBenchmark.Options.parse(args).stem();
    }

    @Test
    void theReadmesCommandsWriteTheFilesItNames() {
        assertThat(stem("--resting", "1m", "--book-only")).isEqualTo("engine-core-1m-book-only");
        assertThat(stem("--resting", "1k")).isEqualTo("engine-core");
        assertThat(stem()).isEqualTo("engine-core");
        assertThat(stem("latency")).isEqualTo("engine-latency");
    }

    @Test
    void aTrialWritesItsOwnReport() {
        assertThat(stem("--resting", "1m", "--book-only", "--commands", "100000")).isEqualTo("engine-core-1m-book-only-trial");
        assertThat(stem("--commands", "100000")).isEqualTo("engine-core-trial");
        assertThat(stem("--book-only")).isEqualTo("engine-core-book-only");
    }
}
