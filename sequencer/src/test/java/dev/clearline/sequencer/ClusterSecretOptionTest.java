package dev.clearline.sequencer;

import dev.clearline.sequencer.cluster.ClusterSecret;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.TestSecrets;
import dev.clearline.sequencer.state.Genesis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --cluster-secret-file}: required of a cluster's member, optional for a single node, which otherwise makes its own. */
class ClusterSecretOptionTest {
    private static final Genesis GENESIS = Genesis.devnet(Market.ROLLUP);
    private static final String THREE = "0=127.0.0.1:9000,1=127.0.0.1:9010,2=127.0.0.1:9020";

    @TempDir
    Path dir;

    private static Map<String, String> opts(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    private static boolean holds(NodeConfig c, ClusterSecret s) {
        return c.secret().matches(s.credentials().encodedCredentials());
    }

    @Test
    void aMemberOfAClusterNeedsTheFileAndTakesItsSecret() {
        assertThatThrownBy(() -> SequencerMain.nodeConfig(opts("cluster-members", THREE, "member-id", "1"), dir, GENESIS, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--cluster-members needs --cluster-secret-file")
                .hasMessageContaining("openssl rand -hex 32 > cluster.secret")
                .hasMessageContaining("every member the same file");
        Path file = TestSecrets.file();
        NodeConfig member = SequencerMain.nodeConfig(opts("cluster-members", THREE, "member-id", "1", "cluster-secret-file", file.toString()), dir, GENESIS, 0);
        assertThat(holds(member, TestSecrets.SECRET)).isTrue();
        assertThat(member.ingress().secret()).isSameAs(member.secret());
        assertThat(member.ingress().endpoints()).isEqualTo("0=127.0.0.1:9000,1=127.0.0.1:9010,2=127.0.0.1:9020");
    }

    @Test
    void aFileThatIsNotASecretStopsTheStartWithTheFileNamed() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.secret"), "not a secret\n");
        for (Map<String, String> o : new Map[]{opts("cluster-members", THREE, "member-id", "0", "cluster-secret-file", bad.toString()),
                opts("cluster-secret-file", bad.toString())}) {
            assertThatThrownBy(() -> SequencerMain.nodeConfig(o, dir, GENESIS, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the cluster secret file " + bad).hasMessageContaining("openssl rand -hex 32");
        }
        Path missing = dir.resolve("missing.secret");
        assertThatThrownBy(() -> SequencerMain.nodeConfig(opts("cluster-secret-file", missing.toString()), dir, GENESIS, 0))
                .hasMessageContaining(missing + " does not exist");
    }

    @Test
    void aSingleNodeTakesTheFileWhenGivenAndOtherwiseMakesASecretOfItsOwn() {
        NodeConfig given = SequencerMain.nodeConfig(opts("cluster-secret-file", TestSecrets.file().toString()), dir, GENESIS, 0);
        assertThat(holds(given, TestSecrets.SECRET)).isTrue();
        NodeConfig a = SequencerMain.nodeConfig(opts(), dir, GENESIS, 0), b = SequencerMain.nodeConfig(opts(), dir, GENESIS, 0);
        assertThat(holds(a, TestSecrets.SECRET)).isFalse();
        assertThat(holds(a, b.secret())).as("two starts, two secrets").isFalse();
        // a config's other settings keep its secret
        NodeConfig changed = given.withSnapshotInterval(java.time.Duration.ofSeconds(5)).withIdle(dev.clearline.sequencer.cluster.IdleMode.SPIN)
                .withMaxReply(1_000).withRules(given.rules()).withTiming(NodeConfig.Timing.FAST_FAILOVER)
                .withLogStorage(given.logStorage());
        assertThat(holds(changed, TestSecrets.SECRET)).isTrue();
    }
}
