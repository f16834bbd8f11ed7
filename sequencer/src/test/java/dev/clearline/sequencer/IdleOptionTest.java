package dev.clearline.sequencer;

import dev.clearline.sequencer.cluster.IdleMode;
import dev.clearline.sequencer.state.Genesis;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ./clearline sequencer --idle ...} reaches the node's config, alone or as a cluster member. */
class IdleOptionTest {
    private static final Genesis GENESIS = Genesis.devnet(Market.ROLLUP);
    private static final String THREE = "0=127.0.0.1:9000,1=127.0.0.1:9010,2=127.0.0.1:9020";
    private static final Path SECRET_FILE = dev.clearline.sequencer.cluster.TestSecrets.file();

    private static Map<String, String> opts(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void withoutTheOptionASingleNodeBacksOffAndAClusterMemberSleeps() {
        assertThat(SequencerMain.nodeConfig(opts(), Path.of("d"), GENESIS, 0).idle()).isEqualTo(IdleMode.BACKOFF);
        assertThat(SequencerMain.nodeConfig(opts("cluster-secret-file", SECRET_FILE.toString(), "cluster-members", THREE, "member-id", "1"), Path.of("d"), GENESIS, 0).idle())
                .isEqualTo(IdleMode.LOW_CPU);
    }

    @Test
    void theOptionWinsOverEitherDefault() {
        assertThat(SequencerMain.nodeConfig(opts("idle", "low-cpu"), Path.of("d"), GENESIS, 0).idle()).isEqualTo(IdleMode.LOW_CPU);
        assertThat(SequencerMain.nodeConfig(opts("cluster-secret-file", SECRET_FILE.toString(), "cluster-members", THREE, "member-id", "2", "idle", "backoff"), Path.of("d"), GENESIS, 0).idle())
                .isEqualTo(IdleMode.BACKOFF);
    }

    @Test
    void theOptionReachesASingleNodeAndAClusterMember() {
        for (IdleMode mode : IdleMode.values()) {
            assertThat(SequencerMain.nodeConfig(opts("idle", mode.option()), Path.of("d"), GENESIS, 60).idle()).isEqualTo(mode);
            assertThat(SequencerMain.nodeConfig(opts("idle", mode.option(), "cluster-secret-file", SECRET_FILE.toString(), "cluster-members", THREE, "member-id", "2"), Path.of("d"), GENESIS, 0)
                    .idle()).isEqualTo(mode);
        }
    }

    @Test
    void aWrongValueIsAnArgumentErrorThatNamesTheChoices() {
        // SequencerMain prints an IllegalArgumentException from nodeConfig as one line and exits 2
        assertThatThrownBy(() -> SequencerMain.nodeConfig(opts("idle", "fast"), Path.of("d"), GENESIS, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--idle fast is not a known idle mode; pass one of low-cpu, backoff, spin");
    }
}
