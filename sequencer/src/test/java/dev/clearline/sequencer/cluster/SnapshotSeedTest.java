package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.state.Genesis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a member's directory is seeded from the running cluster ({@link SnapshotSeed}), and what a
 * seed leaves when no other member answers. The seed itself, from a live cluster's snapshot, is
 * exercised by {@code LeaderFailoverTest} (a wiped follower starts from the cluster's snapshot).
 */
class SnapshotSeedTest {
    @TempDir
    Path dir;

    private NodeConfig config(int members) throws java.io.IOException {
        List<NodeConfig.Member> list = LoopbackMembers.free(members);
        return NodeConfig.member(dir, Genesis.devnet(Market.ROLLUP), 0, list, Duration.ZERO, TestSecrets.SECRET);
    }

    private static final CatchUpCheck.ArchiveAnswer SILENT = CatchUpCheck.ArchiveAnswer.NONE, EMPTY = new CatchUpCheck.ArchiveAnswer(true, -1),
            WITH_LOG = new CatchUpCheck.ArchiveAnswer(true, 0);

    @Test
    void onlyAnEmptyMemberOfSeveralIsSeeded() throws Exception {
        assertThat(SnapshotSeed.applies(config(1))).as("a single member").isFalse();
        assertThat(SnapshotSeed.applies(config(3))).as("an empty member of three").isTrue();
        Files.createDirectories(dir.resolve("cluster"));
        assertThat(SnapshotSeed.applies(config(3))).as("an empty cluster directory").isTrue();
        Files.writeString(dir.resolve("cluster").resolve("recording.log"), "");
        assertThat(SnapshotSeed.applies(config(3))).as("a member with state of its own").isFalse();
        Files.delete(dir.resolve("cluster").resolve("recording.log"));
        Files.createDirectories(dir.resolve("archive"));
        Files.writeString(dir.resolve("archive").resolve("archive.catalog"), "");
        assertThat(SnapshotSeed.applies(config(3))).as("a member with an archive").isFalse();
    }

    /** No other member runs: the seed gives up after the answer timeout and leaves nothing behind, so the member starts empty. */
    @Test
    void withNoOtherMemberRunningTheMemberStartsEmpty() throws Exception {
        NodeConfig config = config(3);
        assertThat(SnapshotSeed.seed(config, Duration.ofSeconds(30))).isEqualTo(SnapshotSeed.Outcome.NOT_SEEDED);
        assertThat(SnapshotSeed.applies(config)).as("nothing left behind").isTrue();
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).doesNotContain("archive", "cluster", "aeron-seed");
        }
    }

    /**
     * The other member of a new cluster is up with an empty archive (seeding too, or its node waiting for the first
     * election): the seed finds it holds no log, so it does not wait out the answer timeout for a snapshot nobody has,
     * and leaves the directory as it found it. (Two members seeding at the same moment were tried: the first to see the
     * other empty closes its seed archive before the second asks, and the second then waits the 5 s, as it would for
     * any silent member; a real member's node archive answers again moments later.)
     */
    @Test
    void aMemberWhoseOnlyPeerHoldsNoLogStartsAtOnce() throws Exception {
        List<NodeConfig.Member> list = LoopbackMembers.free(2);
        NodeConfig self = NodeConfig.member(dir.resolve("member-0"), Genesis.devnet(Market.ROLLUP), 0, list, Duration.ZERO, TestSecrets.SECRET);
        NodeConfig peer = NodeConfig.member(dir.resolve("member-1"), Genesis.devnet(Market.ROLLUP), 1, list, Duration.ZERO, TestSecrets.SECRET);
        String peerAeron = dir.resolve("member-1-aeron").toString();
        try (var driver = SequencerNode.scratchDriver(peer, peerAeron);
             var archive = io.aeron.archive.Archive.launch(SequencerNode.archiveContext(peer, peerAeron))) {
            assertThat(SnapshotSeed.seed(self, Duration.ofSeconds(30))).isEqualTo(SnapshotSeed.Outcome.NEW_CLUSTER);
        }
        assertThat(SnapshotSeed.applies(self)).as("nothing left behind").isTrue();
    }

    @Test
    void aClusterIsNewOnlyWhenEveryOtherMemberAnsweredWithNoLog() {
        assertThat(SnapshotSeed.newCluster(java.util.Map.of(1, EMPTY, 2, EMPTY), 2)).as("both answered, neither has a log").isTrue();
        assertThat(SnapshotSeed.newCluster(java.util.Map.of(1, EMPTY), 2)).as("one has not answered yet").isFalse();
        assertThat(SnapshotSeed.newCluster(java.util.Map.of(1, EMPTY, 2, SILENT), 2)).as("one silent").isFalse();
        assertThat(SnapshotSeed.newCluster(java.util.Map.of(1, EMPTY, 2, WITH_LOG), 2)).as("one holds a log from position 0").isFalse();
        assertThat(SnapshotSeed.newCluster(java.util.Map.of(), 2)).as("nobody answered").isFalse();
    }
}
