package dev.clearline.sequencer.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.sequencer.cluster.TrimmedLogTest;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members that delete their log behind their snapshots ({@code --keep-log-hours 0}, 64 KiB
 * segments) under a flow of orders. A follower is killed and stays down while the others delete
 * the log past where its own ends: the leader could never replay it what it missed (Aeron retried
 * without end, the follower stayed behind for good and nothing said so). Restarted on its
 * directory, it finds that every other member's log starts after its own ends ({@code CatchUpCheck}),
 * moves its copy aside, starts from the cluster's latest snapshot, and all three agree again; every
 * order acknowledged is in the leader's log. Wiped, and with its copy of the latest snapshot cut
 * short, it refuses to start empty (exit code 70: the others no longer hold the log from genesis),
 * and started again it copies the snapshot and catches up.
 */
class TrimmedLeaderLogTest {
    @TempDir
    Path dir;

    @Test
    void aFollowerDownWhileTheOthersDeletedTheLogItNeedsIsSeededAndCatchesUp() {
        List<String> jvm = Stream.concat(MemberProcesses.TEST_JVM.stream(),
                Stream.of("-Dclearline.log.termBytes=65536", "-Dclearline.log.segmentBytes=65536")).toList();
        Property.forAll(Gens.seeds()).tries(1).check(seed -> {
            try (LeaderFailoverTest.Cluster c = LeaderFailoverTest.Cluster.start(dir, seed, jvm, "--keep-log-hours", "0")) {
                int leader = c.members.awaitLeader(30_000);
                int follower = (leader + 1 + (int) Math.floorMod(seed, 2L)) % 3;
                Thread.sleep(2_000);
                c.members.kill9(follower);
                long followerEnd = TrimmedLogTest.logEnd(c.members.memberDir(follower));
                // the others snapshot every 10 s and then delete whole segments before their older snapshot
                long deadline = System.currentTimeMillis() + 120_000;
                while (TrimmedLogTest.logStart(c.members.memberDir(leader)) <= followerEnd + 65_536) {
                    assertThat(System.currentTimeMillis()).as("the leader trims its log past the follower's").isLessThan(deadline);
                    Thread.sleep(500);
                }
                c.flow.pause();
                c.members.restart(follower);
                long seq = c.members.awaitAgreement(0, 120_000).getFirst().path("seq").asLong();
                c.verifyEveryOrderAnsweredOnceAndInTheLeadersLog();
                System.out.printf("follower %d (log to %d) restarted after the leader's log moved to %d: all three at seq %d; %s%n", follower,
                        followerEnd, TrimmedLogTest.logStart(c.members.memberDir(leader)), seq, c.members.logLines(follower, "member_behind"));
                assertThat(c.members.logLines(follower, "event=member_behind_trimmed_log")).hasSize(1);
                assertThat(c.members.logLines(follower, "seeded_from_cluster")).hasSize(1);
                try (Stream<Path> aside = Files.list(c.members.memberDir(follower))) {
                    assertThat(aside.map(p -> p.getFileName().toString())).anySatisfy(n -> assertThat(n).startsWith("behind-"));
                }
                // and a restart of a member that is not behind changes nothing
                c.members.kill9(follower);
                c.members.restart(follower);
                c.members.awaitAgreement(seq, 60_000);
                assertThat(c.members.logLines(follower, "event=member_behind_trimmed_log")).isEmpty();

                // wiped, and its copy of the latest snapshot cut short: it must not start empty (the log from genesis is gone)
                c.members.kill9(follower);
                LeaderFailoverTest.deleteRecursively(c.members.memberDir(follower));
                int code = c.members.runToExit(follower, List.of("-Dclearline.seed.timeoutSeconds=0"), 120_000);
                assertThat(code).as(c.members.output(follower)).isEqualTo(70);
                assertThat(c.members.output(follower)).contains("did not finish copying the cluster's latest snapshot")
                        .contains("cannot replay from genesis").contains("Start it again");
                c.members.restart(follower); // the copy is retried, and it catches up
                c.members.awaitAgreement(seq, 120_000);
                assertThat(c.members.logLines(follower, "seeded_from_cluster")).hasSize(1);
            }
        });
    }
}
