package dev.clearline.sequencer.replication;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member started with another chain id than the running cluster, on an empty directory (no
 * snapshot to refuse): it joins, replays the log, meets the leader's configuration fingerprint
 * before the first command and stops, naming the field and both values; the other two keep
 * serving (one leader, same seq and root, the seq still moving). Then {@code --stop} on the pair's follower is refused and
 * on its leader stops both members, each with exit code 0 after the same snapshot.
 */
class ConfigMismatchTest {
    @TempDir
    Path dir;

    @Test
    void aMemberWithAnotherChainIdStopsWithTheFieldNamedAndTheOthersKeepServing() throws Exception {
        try (MemberProcesses members = MemberProcesses.startFirst(dir, 3, 2, MemberProcesses.TEST_JVM,
                "--dev-setup", "2", "--snapshot-every", "0", "--rate-per-key", "1000000", "--leader-timeout-ms", "2000")) {
            int leader = members.awaitLeader(60_000);
            // the option reaches the node (followers give the leader 2 s: this loaded machine's stalls do not elect)
            assertThat(members.output(leader)).contains("leader_timeout_ms=2000");
            long before = members.awaitAgreement(1, 60_000).getFirst().path("seq").asLong();

            Process odd = members.launch(2, "--chain-id", "1");
            assertThat(odd.waitFor(120, TimeUnit.SECONDS)).as("the misconfigured member stops by itself").isTrue();
            String out = members.output(2);
            assertThat(odd.exitValue()).as("exit code; output:%n%s", out).isEqualTo(3);
            assertThat(out).contains("member 2 stopped")
                    .contains("chainId: the cluster's log has 31337 (from leader member")
                    .contains("this member has 1")
                    .contains("wipe its directory");
            assertThat(out).doesNotContain("rollup:");

            // the others go on: one of them leads (usually still the first leader, but a stall of this
            // loaded machine past the heartbeat timeout may elect the other), the two agree,
            // and time ticks keep being sequenced
            assertThat(members.awaitLeader(30_000)).as("the leader after member 2 stopped (first leader: %d)", leader).isIn(0, 1);
            List<JsonNode> two = members.awaitAgreement(before + 1, 60_000);
            assertThat(two).hasSize(2);
            System.out.println("member 2 with chain id 1 stopped: " + out.lines().filter(l -> l.contains("stopped")).findFirst().orElse("")
                    + "; members 0 and 1 at seq " + two.getFirst().path("seq").asLong() + " (was " + before + ")");

            // --stop, as an operator moving the cluster to new rules runs it (docs/replication.md, "Upgrading to new rules"):
            // refused on a follower, which keeps serving; on the leader, both members snapshot at the same position and exit 0
            int now = members.awaitLeader(30_000);
            int follower = 1 - now;
            MemberProcesses.ToolRun refused = members.stopCluster(follower, 60_000);
            assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
            assertThat(refused.output()).contains("is not the cluster's leader");
            assertThat(members.isRunning(follower)).isTrue();
            MemberProcesses.ToolRun stopped = members.stopCluster(now, 150_000);
            assertThat(stopped.exitCode()).as(stopped.output()).isZero();
            assertThat(stopped.output()).contains("took a snapshot at log position");
            for (int m : new int[] {0, 1}) {
                assertThat(members.awaitExit(m, 60_000)).as("member %d's exit code; output:%n%s", m, members.output(m)).isZero();
                assertThat(members.output(m)).contains("stopped with the cluster, after a snapshot at the end of the log");
            }
            System.out.println("--stop on leader " + now + ": " + stopped.output().strip());
        }
    }
}
