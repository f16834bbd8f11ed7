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

    @Test
    void theL1SideTakesTheKeyFileAndTheFeeLimits() throws Exception {
        Path manifest = Files.writeString(dir.resolve("m.json"), "{\"chainId\": 5, \"blockNumber\": 9, \"contracts\": [{\"name\": \"Rollup\","
                + " \"address\": \"0x5fc8d32690cc91d4c39d9d3abcbd16989f875707\"}]}");
        Path file = Files.writeString(dir.resolve("operator.key"), KEY + "\n");
        var s = SequencerMain.l1Settings(Map.of("l1-rpc", "http://127.0.0.1:1", "manifest", manifest.toString(), "operator-key-file", file.toString(),
                "min-tip-gwei", "2", "max-fee-gwei", "30", "resend-after-ms", "2500"));
        assertThat(s.operator().getEcKeyPair().getPrivateKey().toString(16)).isEqualTo("ab".repeat(32));
        assertThat(s.fees().minTipWei()).isEqualTo(java.math.BigInteger.valueOf(2_000_000_000L));
        assertThat(s.fees().maxFeeCapWei()).isEqualTo(java.math.BigInteger.valueOf(30_000_000_000L));
        assertThat(s.fees().resendAfterMillis()).isEqualTo(2_500);
        var defaults = SequencerMain.l1Settings(Map.of("l1-rpc", "http://127.0.0.1:1", "manifest", manifest.toString(), "operator-key", KEY));
        assertThat(defaults.fees()).isEqualTo(dev.clearline.prover.l1.TxSender.FeePolicy.defaults());
    }
}
