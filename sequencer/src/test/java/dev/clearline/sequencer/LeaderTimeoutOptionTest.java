package dev.clearline.sequencer;

import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.state.Genesis;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code --leader-timeout-ms}: a cluster member's failure detection, longer on a machine whose CPU can starve. It scales
 * the whole timing (heartbeats ten to a timeout, election rounds of half), reaches only a cluster member, and a value
 * out of range is refused with the option's name before anything starts.
 */
class LeaderTimeoutOptionTest {
    private static final Genesis GENESIS = Genesis.devnet(Market.ROLLUP);
    private static final String THREE = "0=127.0.0.1:9000,1=127.0.0.1:9010,2=127.0.0.1:9020";
    private static final Path SECRET_FILE = dev.clearline.sequencer.cluster.TestSecrets.file();

    private static Map<String, String> opts(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    private static NodeConfig member(String... kv) {
        Map<String, String> o = opts(kv);
        o.put("cluster-members", THREE);
        o.put("member-id", "1");
        o.put("cluster-secret-file", SECRET_FILE.toString());
        return SequencerMain.nodeConfig(o, Path.of("d"), GENESIS, 0);
    }

    @Test
    void withoutItAMemberFailsOverFastAndWithItTheWholeTimingScales() {
        assertThat(member().timing()).isEqualTo(NodeConfig.Timing.FAST_FAILOVER);
        assertThat(NodeConfig.Timing.FAST_FAILOVER).as("the default is the timing measured in docs/replication.md")
                .isEqualTo(new NodeConfig.Timing(Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofMillis(250), Duration.ofSeconds(10)));
        assertThat(member("leader-timeout-ms", "3000").timing())
                .isEqualTo(new NodeConfig.Timing(Duration.ofSeconds(3), Duration.ofMillis(300), Duration.ofMillis(1500), Duration.ofSeconds(10)));
        assertThat(member("leader-timeout-ms", "100").timing().leaderHeartbeatInterval()).isEqualTo(Duration.ofMillis(10));
        assertThat(member("leader-timeout-ms", "60000").timing().electionTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aValueOutOfRangeOrOnASingleNodeIsRefusedWithWhatToDo() {
        for (String bad : new String[] {"99", "60001", "0", "-5", "1s", ""}) {
            assertThatThrownBy(() -> member("leader-timeout-ms", bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--leader-timeout-ms takes milliseconds from 100 to 60000");
        }
        assertThatThrownBy(() -> SequencerMain.nodeConfig(opts("leader-timeout-ms", "2000"), Path.of("d"), GENESIS, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--leader-timeout-ms is for a member of a cluster (--cluster-members)");
        assertThat(SequencerOptions.withValue()).as("--help explains it").contains("leader-timeout-ms");
    }
}
