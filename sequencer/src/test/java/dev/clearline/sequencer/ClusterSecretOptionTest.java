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
                .hasMessageContaining("./clearline sequencer --new-cluster-secret cluster.secret")
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
    void newClusterSecretWritesAFileOnlyItsOwnerReadsAndNeverOverwritesOne() throws Exception {
        Path file = dir.resolve("cluster.secret");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(), err = new java.io.ByteArrayOutputStream();
        assertThat(SequencerMain.newClusterSecret(file, new java.security.SecureRandom(), new java.io.PrintStream(out, true), new java.io.PrintStream(err, true)))
                .isZero();
        ClusterSecret made = ClusterSecret.read(file);
        assertThat(Files.getPosixFilePermissions(file)).extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        assertThat(out.toString()).contains("wrote a new cluster secret to " + file, "fingerprint " + made.fingerprint(), "--cluster-secret-file " + file);
        assertThat(err.toString()).isEmpty();
        // the members started with it take it
        NodeConfig member = SequencerMain.nodeConfig(opts("cluster-members", THREE, "member-id", "2", "cluster-secret-file", file.toString()), dir, GENESIS, 0);
        assertThat(holds(member, made)).isTrue();

        String before = Files.readString(file);
        java.io.ByteArrayOutputStream refused = new java.io.ByteArrayOutputStream();
        assertThat(SequencerMain.newClusterSecret(file, new java.security.SecureRandom(), new java.io.PrintStream(out, true), new java.io.PrintStream(refused, true)))
                .isEqualTo(2);
        assertThat(Files.readString(file)).as("the secret in use is left as it was").isEqualTo(before);
        assertThat(refused.toString()).contains(file + " exists", "never overwritten", "Changing the cluster's secret");
        java.io.ByteArrayOutputStream nowhere = new java.io.ByteArrayOutputStream();
        assertThat(SequencerMain.newClusterSecret(dir.resolve("no-such-dir").resolve("s"), new java.security.SecureRandom(), new java.io.PrintStream(out, true),
                new java.io.PrintStream(nowhere, true))).isEqualTo(2);
        assertThat(nowhere.toString()).contains("cannot write the cluster secret", "a directory you may write");
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
