package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A cluster's snapshot interval against its client-session timeout: Aeron resets every session's
 * activity time when a snapshot completes, so snapshots more often than the timeout keep the
 * sessions of dead gateways open forever (LeaderFailoverTest found the cluster refusing a
 * restarted member's gateway with "concurrent session limit" after six kills).
 */
class NodeConfigTest {
    static final Genesis GENESIS = Genesis.devnet(Market.ROLLUP);
    static final List<NodeConfig.Member> THREE = NodeConfig.Member.parseList("0=127.0.0.1:9000,1=127.0.0.1:9010,2=127.0.0.1:9020");

    @Test
    void aClusterRefusesSnapshotsMoreOftenThanTwiceTheSessionTimeoutAndSaysWhatToPass() {
        long minimum = NodeConfig.SESSION_TIMEOUT.multipliedBy(2).toSeconds();
        Property.forAll(Gens.longs(0, 3 * minimum)).tries(60).check(seconds -> {
            Duration interval = Duration.ofSeconds(seconds);
            if (seconds == 0 || seconds >= minimum) {
                assertThat(NodeConfig.member(Path.of("m0"), GENESIS, 0, THREE, interval, TestSecrets.SECRET).snapshotInterval()).isEqualTo(interval);
            } else {
                assertThatThrownBy(() -> NodeConfig.member(Path.of("m0"), GENESIS, 0, THREE, interval, TestSecrets.SECRET))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("--snapshot-every " + seconds + " s is too short")
                        .hasMessageContaining("pass --snapshot-every " + minimum + " or more");
            }
        });
    }

    @Test
    void aSingleMemberKeepsAnyInterval() {
        // a single member's dead gateway sessions come only from its own restarts (MAX_CLIENT_SESSIONS covers many)
        assertThat(NodeConfig.ephemeral(Path.of("m0"), GENESIS).withSnapshotInterval(Duration.ofSeconds(1)).snapshotInterval())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(NodeConfig.MAX_CLIENT_SESSIONS).isGreaterThan(10);
    }
}
