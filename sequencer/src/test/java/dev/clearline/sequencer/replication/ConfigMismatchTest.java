package dev.clearline.sequencer.replication;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.sequencer.cluster.ClusterSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member started with another cluster secret than the others' stops at start, the leader having refused its
 * gateway's session. A member started with another chain id than the running cluster, on an empty directory (no
 * snapshot to refuse): it joins, replays the log, meets the leader's configuration fingerprint
 * before the first command and stops, naming the field and both values; the other two keep
 * serving (one leader, same seq and root, the seq still moving). Then {@code --stop} on the pair's follower is refused and
 * on its leader stops both members, each with exit code 0 after the same snapshot.
 *
 * <p>The cluster starts whole and a follower is then killed and wiped, as an operator replacing a
 * member's disk would: a cluster started with a member missing waits out the seed's answer and the
 * start-up canvass (22 s in CI), one started whole is new to every member and starts at once.
 */
class ConfigMismatchTest {
    @TempDir
    Path dir;

    @Test
    void aMemberWithAnotherChainIdStopsWithTheFieldNamedAndTheOthersKeepServing() throws Exception {
        try (MemberProcesses members = MemberProcesses.start(dir, 3,
                "--dev-setup", "2", "--snapshot-every", "0", "--rate-per-key", "1000000", "--leader-timeout-ms", "2000")) {
            int leader = members.awaitLeader(60_000);
            // the option reaches the node (followers give the leader 2 s: this loaded machine's stalls do not elect)
            assertThat(members.output(leader)).contains("leader_timeout_ms=2000");
            int wrong = (leader + 1) % 3;
            int[] others = {Math.min(leader, 3 - leader - wrong), Math.max(leader, 3 - leader - wrong)};
            members.kill9(wrong);
            LeaderFailoverTest.deleteRecursively(members.memberDir(wrong));
            long before = members.awaitAgreement(1, 60_000).getFirst().path("seq").asLong();

            // a member given another secret than the others': the leader refuses its gateway's session, so it stops at start
            // and says why (its directory is wiped again after: the chain id case below needs an empty one)
            Path otherSecret = dir.resolve("other.secret");
            ClusterSecret.parse("5e".repeat(ClusterSecret.BYTES)).writeTo(otherSecret);
            Process stranger = members.launch(wrong, "--cluster-secret-file", otherSecret.toString());
            assertThat(stranger.waitFor(120, TimeUnit.SECONDS)).as("the member with another secret stops by itself").isTrue();
            String strangerSaid = members.output(wrong);
            assertThat(stranger.exitValue()).as("exit code; output:%n%s", strangerSaid).isEqualTo(1);
            assertThat(strangerSaid).contains("the cluster refused this client's secret (fingerprint "
                    + ClusterSecret.parse("5e".repeat(ClusterSecret.BYTES)).fingerprint() + ")").contains("--cluster-secret-file");
            assertThat(members.logLines(members.awaitLeader(30_000), "event=cluster_session_refused")).as("the leader says it refused one").isNotEmpty();
            LeaderFailoverTest.deleteRecursively(members.memberDir(wrong));

            Process odd = members.launch(wrong, "--chain-id", "1");
            assertThat(odd.waitFor(120, TimeUnit.SECONDS)).as("the misconfigured member stops by itself").isTrue();
            String out = members.output(wrong);
            assertThat(odd.exitValue()).as("exit code; output:%n%s", out).isEqualTo(3);
            assertThat(out).contains("member " + wrong + " stopped")
                    .contains("chainId: the cluster's log has 31337 (from leader member")
                    .contains("this member has 1")
                    .contains("wipe its directory");
            assertThat(out).doesNotContain("rollup:");

            // the others go on: one of them leads (usually still the first leader, but a stall of this
            // loaded machine past the heartbeat timeout may elect the other), the two agree,
            // and time ticks keep being sequenced
            assertThat(members.awaitLeader(30_000)).as("the leader after member %d stopped (first leader: %d)", wrong, leader)
                    .isIn(others[0], others[1]);
            List<JsonNode> two = members.awaitAgreement(before + 1, 60_000);
            assertThat(two).hasSize(2);
            System.out.println("member " + wrong + " with chain id 1 stopped: " + out.lines().filter(l -> l.contains("stopped")).findFirst().orElse("")
                    + "; members " + others[0] + " and " + others[1] + " at seq " + two.getFirst().path("seq").asLong() + " (was " + before + ")");

            // --stop, as an operator moving the cluster to new rules runs it (docs/replication.md, "Upgrading to new rules"):
            // refused on a follower, which keeps serving; on the leader, both members snapshot at the same position and exit 0
            int now = members.awaitLeader(30_000);
            int follower = now == others[0] ? others[1] : others[0];
            MemberProcesses.ToolRun refused = members.stopCluster(follower, 60_000);
            assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
            assertThat(refused.output()).contains("is not the cluster's leader");
            assertThat(members.isRunning(follower)).isTrue();
            MemberProcesses.ToolRun stopped = members.stopCluster(now, 150_000);
            assertThat(stopped.exitCode()).as(stopped.output()).isZero();
            assertThat(stopped.output()).contains("took a snapshot at log position");
            for (int m : others) {
                assertThat(members.awaitExit(m, 60_000)).as("member %d's exit code; output:%n%s", m, members.output(m)).isZero();
                assertThat(members.output(m)).contains("stopped with the cluster, after a snapshot at the end of the log");
            }
            System.out.println("--stop on leader " + now + ": " + stopped.output().strip());
        }
    }
}
