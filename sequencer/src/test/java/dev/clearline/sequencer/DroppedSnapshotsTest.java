package dev.clearline.sequencer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.cluster.ClusterClient;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerClusterTest;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.cluster.SnapshotRetention;
import dev.clearline.sequencer.cluster.SnapshottedMember;
import dev.clearline.sequencer.command.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A member keeps only its newest two snapshots. Setting both aside by hand leaves the recording log
 * naming an older one whose recordings are gone, which Aeron would try to load without end: the
 * member refuses to start and says to run {@code --drop-latest-snapshot}, which sets aside every
 * such snapshot, and the next start replays the log to where the member stopped.
 */
class DroppedSnapshotsTest {
    private static final long CLIENT = 43;

    @TempDir
    Path dir;

    @Test
    void aMemberWhoseRemainingSnapshotsWereSetAsideSaysSoAndStartsAgainAfterDropLatestSnapshot() throws Exception {
        SnapshottedMember.Stopped member = SnapshottedMember.snapshottingEverySecond(dir, SnapshottedMember.session(new Market(2), CLIENT, 20, 11), 5);
        NodeConfig config = member.config();
        // both kept snapshots set aside with Aeron's own tool (what --drop-latest-snapshot did before it knew of the retention)
        for (int i = 0; i < 3; i++) {
            try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
                io.aeron.cluster.ClusterTool.invalidateLatestSnapshot(quiet, dir.resolve("cluster").toFile());
            }
        }
        assertThat(SnapshotRetention.missingFromNewestValid(dir.resolve("cluster").toFile(), dir.resolve("archive").toFile())).isNotEmpty();
        NodeConfig stopped = config;
        assertThatThrownBy(() -> SequencerNode.start(stopped, new NativeSecp256k1Verifier()))
                .hasMessageContaining("has no recordings left").hasMessageContaining("--drop-latest-snapshot");

        assertThat(SequencerMain.dropLatestSnapshot(dir)).isZero();
        assertThat(SnapshotRetention.missingFromNewestValid(dir.resolve("cluster").toFile(), dir.resolve("archive").toFile())).isEmpty();
        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(node.config().aeronDir(), node.config().ingressEndpoints(), in::add, 20_000)) {
                client.send(new Command.Query(CLIENT, 0, Command.QueryKind.STATE, 0, null, null));
                SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                assertThat(in.poll().get("seq").asLong()).isGreaterThanOrEqualTo(member.lastSeq());
            }
        }
    }
}
