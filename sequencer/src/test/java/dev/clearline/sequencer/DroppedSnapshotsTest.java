package dev.clearline.sequencer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.cluster.ClusterClient;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.RunLock;
import dev.clearline.sequencer.cluster.SequencerClusterTest;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.cluster.SnapshotRetention;
import dev.clearline.sequencer.cluster.SnapshottedMember;
import dev.clearline.sequencer.cluster.TrimmedLogTest;
import dev.clearline.sequencer.cluster.LogTrim;
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

        // not while a node holds the directory (RunLock): nothing is set aside
        try (RunLock running = RunLock.take(dir, 4242, System.currentTimeMillis())) {
            assertThat(SequencerMain.dropLatestSnapshot(dir)).isEqualTo(2);
        }
        assertThat(SnapshotRetention.missingFromNewestValid(dir.resolve("cluster").toFile(), dir.resolve("archive").toFile())).isNotEmpty();

        assertThat(SequencerMain.dropLatestSnapshot(dir)).isZero();
        assertThat(SnapshotRetention.missingFromNewestValid(dir.resolve("cluster").toFile(), dir.resolve("archive").toFile())).isEmpty();
        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(node.config().aeronDir(), node.config().ingress(), in::add, 20_000)) {
                client.send(new Command.Query(CLIENT, 0, Command.QueryKind.STATE, 0, null, null));
                SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                assertThat(in.poll().get("seq").asLong()).isGreaterThanOrEqualTo(member.lastSeq());
            }
        }
    }

    /**
     * A member whose log was trimmed behind its snapshots ({@link LogTrim}) may set aside its latest snapshot (the log
     * after the older one is kept), and older ones while its log reaches back to the one before, but no further: the
     * start after that would replay log it deleted, so {@code --drop-latest-snapshot} refuses, says why, and leaves the
     * recording log as it was; the member then starts at its last command.
     */
    @Test
    void aTrimmedMemberSetsAsideOnlyWhatItsKeptLogCanReplace() throws Exception {
        java.util.List<Command> commands = new java.util.ArrayList<>(TrimmedLogTest.M.opening(TrimmedLogTest.CLIENT));
        commands.addAll(TrimmedLogTest.M.flow(TrimmedLogTest.CLIENT, commands.size() + 1, 1_600, new java.util.Random(48)));
        SnapshottedMember member = SnapshottedMember.trimmedInRounds(dir, commands, 4, TrimmedLogTest.SMALL);
        NodeConfig config = member.config().withSnapshotInterval(java.time.Duration.ZERO); // no more snapshots, no more trims
        // the same commands at the times the log gave them, without any cluster
        dev.clearline.sequencer.state.SequencerState straight = new dev.clearline.sequencer.state.SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < commands.size(); i++) straight.apply(commands.get(i), member.replies().get(i).get("time").asLong());

        assertThat(SequencerMain.dropLatestSnapshot(dir)).as("the log after the older kept snapshot is there").isZero();
        java.nio.file.Path recordingLog = dir.resolve("cluster").resolve(io.aeron.cluster.RecordingLog.RECORDING_LOG_FILE_NAME);
        // set aside one after another: each is allowed while the kept log reaches back to the next, then refused
        String said = "";
        int code = 0, dropped = 1;
        byte[] before = null;
        while (code == 0) {
            before = java.nio.file.Files.readAllBytes(recordingLog);
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            PrintStream was = System.err;
            System.setErr(new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                code = SequencerMain.dropLatestSnapshot(dir);
            } finally {
                System.setErr(was);
            }
            said = err.toString(java.nio.charset.StandardCharsets.UTF_8);
            if (code == 0) {
                dropped++;
                assertThat(LogTrim.unrecoverable(dir.resolve("cluster").toFile(), dir.resolve("archive").toFile())).isNull();
            }
            assertThat(dropped).as("snapshots set aside").isLessThan(20);
        }
        assertThat(code).isEqualTo(1);
        assertThat(said).contains("nothing set aside").contains("cannot rebuild its state").contains("was deleted");
        assertThat(java.nio.file.Files.readAllBytes(recordingLog)).as("the recording log is untouched").isEqualTo(before);

        // it starts from the snapshot left and the log after it, at the last command
        TrimmedLogTest.expectState(config, commands.size(), straight.stateRoot().toString(), commands.getLast());
    }
}
