package dev.clearline.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's and the oracle's keys come from a file (out of the process list), else the option, else the environment. */
class KeyFileTest {
    private static final String KEY = "0x" + "ab".repeat(32);

    @TempDir
    Path dir;

    @Test
    void aKeyFileIsReadAndItsLineEndDropped() throws Exception {
        Path file = Files.writeString(dir.resolve("operator.key"), KEY + "\n");
        assertThat(SequencerMain.key(Map.of("operator-key-file", file.toString()), "operator-key", "CLEARLINE_TEST_UNSET_KEY")).isEqualTo(KEY);
        assertThat(SequencerMain.key(Map.of("oracle-key", KEY), "oracle-key", "CLEARLINE_TEST_UNSET_KEY")).isEqualTo(KEY);
        assertThat(SequencerMain.key(Map.of(), "oracle-key", "CLEARLINE_TEST_UNSET_KEY")).as("none given").isNull();
    }
}
