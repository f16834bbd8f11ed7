package dev.clearline.sequencer.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.SequencerState;
import io.aeron.cluster.RecordingLog;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real member trims its recorded log behind its snapshots ({@link LogTrim}) and still recovers
 * whole: 64 KiB terms and segment files, a snapshot a second, the log kept only back to the older
 * snapshot. The deleted files are gone from the archive, a restart checks the archive and comes back
 * to the root of the same commands applied without any cluster, and takes more. A member that would
 * need the deleted log (every snapshot set aside) refuses to start and says why.
 */
public class TrimmedLogTest {
    public static final long CLIENT = 47;
    public static final Market M = new Market(2);
    /** 64 KiB terms and segment files, the log kept only back to the older snapshot. */
    public static final LogStorage SMALL = new LogStorage(64 << 10, 64 << 10, Duration.ZERO);

    @TempDir
    Path dir;

    @Test
    void aMemberDeletesTheLogItsSnapshotsCoverAndRecoversToTheSameRoot() throws Exception {
        List<Command> commands = new ArrayList<>(M.opening(CLIENT));
        commands.addAll(M.flow(CLIENT, commands.size() + 1, 1_600, new Random(47)));
        SnapshottedMember member = SnapshottedMember.trimmedInRounds(dir, commands, 4, SMALL);
        NodeConfig config = member.config();
        List<ObjectNode> replies = member.replies();
        long start = logStart(dir);
        assertThat(start).as("the log's first segment file after the trim").isPositive();
        assertThat(logFiles(dir)).allSatisfy(f -> assertThat(SegmentWalk.base(f.getName())).isGreaterThanOrEqualTo(start));
        try (RecordingLog rl = new RecordingLog(dir.resolve("cluster").toFile(), false)) {
            // never past the older of the two snapshots kept
            List<List<RecordingLog.Entry>> snapshots = SnapshotRetention.snapshotsInOrder(rl.entries());
            int older = SnapshotRetention.oldestKept(snapshots, SnapshotRetention.KEEP);
            assertThat(start).isLessThanOrEqualTo(snapshots.get(older).get(0).logPosition);
        }

        SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < commands.size(); i++) straight.apply(commands.get(i), replies.get(i).get("time").asLong());
        ArchiveCheck.Report check = ArchiveCheck.verify(dir, config.memberId());
        assertThat(check.lastSegmentsRead()).isPositive();
        expectState(config, commands.size(), straight.stateRoot().toString(), commands.getLast());

        // every snapshot set aside: the member would have to replay from genesis, and that log is gone
        for (int i = 0; i < 100; i++) {
            try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
                if (!io.aeron.cluster.ClusterTool.invalidateLatestSnapshot(quiet, dir.resolve("cluster").toFile())) break;
            }
        }
        NodeConfig stopped = config;
        assertThatThrownBy(() -> SequencerNode.start(stopped, new NativeSecp256k1Verifier()))
                .hasMessageContaining("cannot rebuild its state").hasMessageContaining("replay from genesis")
                .hasMessageContaining("delete this directory");
    }

    /**
     * What a kill between the two steps of a trim leaves: the catalog's start moved past a segment whose file is still
     * there (Aeron's purge detaches, then deletes). The start-up check passes over it, the member starts and recovers,
     * and the log's start that the checks go by is the catalog's, not the leftover file's.
     */
    @Test
    void aSegmentDetachedButNotDeletedIsNoPartOfTheLog() throws Exception {
        List<Command> commands = new ArrayList<>(M.opening(CLIENT));
        commands.addAll(M.flow(CLIENT, commands.size() + 1, 1_600, new Random(49)));
        SnapshottedMember member = SnapshottedMember.trimmedInRounds(dir, commands, 4, SMALL);
        NodeConfig config = member.config().withSnapshotInterval(Duration.ZERO); // no trim of its own to tidy up after us
        long start = logStart(dir);
        long recording;
        try (RecordingLog rl = new RecordingLog(dir.resolve("cluster").toFile(), false)) {
            recording = LogTrim.logRecording(rl.entries());
        }
        long detachedTo = start + SMALL.segmentBytes();
        assertThat(logEnd(dir)).as("a whole segment after the first").isGreaterThan(detachedTo);
        String aeronDir = dir.resolve("aeron-detach").toString();
        try (io.aeron.driver.MediaDriver driver = io.aeron.driver.MediaDriver.launch(new io.aeron.driver.MediaDriver.Context()
                .aeronDirectoryName(aeronDir).dirDeleteOnStart(true).dirDeleteOnShutdown(true)
                .threadingMode(io.aeron.driver.ThreadingMode.SHARED));
             io.aeron.archive.Archive archive = io.aeron.archive.Archive.launch(SequencerNode.archiveContext(config, aeronDir));
             io.aeron.archive.client.AeronArchive client = io.aeron.archive.client.AeronArchive.connect(new io.aeron.archive.client.AeronArchive.Context()
                     .aeronDirectoryName(aeronDir)
                     .controlRequestChannel(archive.context().localControlChannel())
                     .controlRequestStreamId(archive.context().localControlStreamId())
                     .controlResponseChannel(archive.context().localControlChannel()))) {
            client.detachSegments(recording, detachedTo);
        }
        assertThat(logStart(dir)).as("the detached file is still on disk").isEqualTo(start);
        assertThat(ArchiveCheck.startPosition(dir.resolve("archive").toFile(), recording)).isEqualTo(detachedTo);

        SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < commands.size(); i++) straight.apply(commands.get(i), member.replies().get(i).get("time").asLong());
        expectState(config, commands.size(), straight.stateRoot().toString(), commands.getLast());

        for (int i = 0; i < 100; i++) {
            try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
                if (!io.aeron.cluster.ClusterTool.invalidateLatestSnapshot(quiet, dir.resolve("cluster").toFile())) break;
            }
        }
        assertThat(LogTrim.unrecoverable(dir.resolve("cluster").toFile(), dir.resolve("archive").toFile()))
                .as("goes by the catalog's start").contains("before position " + detachedTo + " ");
    }

    /** The first segment file of the log still on disk (its recording is the newest term's), or -1 without one. */
    public static long logStart(Path memberDir) {
        return logFiles(memberDir).stream().mapToLong(f -> SegmentWalk.base(f.getName())).min().orElse(-1);
    }

    /** The last segment file of the log on disk (where the log ends, to a segment), or -1 without one. */
    public static long logEnd(Path memberDir) {
        return logFiles(memberDir).stream().mapToLong(f -> SegmentWalk.base(f.getName())).max().orElse(-1);
    }

    private static List<File> logFiles(Path memberDir) {
        long recording;
        try (RecordingLog rl = new RecordingLog(memberDir.resolve("cluster").toFile(), false)) {
            recording = LogTrim.logRecording(rl.entries());
        } catch (RuntimeException e) {
            return List.of(); // not written yet
        }
        File[] files = memberDir.resolve("archive").toFile().listFiles((d, n) -> n.startsWith(recording + "-") && n.endsWith(".rec"));
        return files == null ? List.of() : List.of(files);
    }

    /** Starts the member again: its STATE answer has {@code seq} and {@code root}, and a resend of {@code last} is a duplicate. */
    public static void expectState(NodeConfig config, long seq, String root, Command last) throws Exception {
        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                client.send(new Command.Query(CLIENT, 0, Command.QueryKind.STATE, 0, null, null));
                SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                ObjectNode state = in.poll();
                assertThat(state.get("seq").asLong()).isEqualTo(seq);
                assertThat(state.get("stateRoot").asText()).isEqualTo(root);
                client.send(last);
                SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                assertThat(in.poll().get("duplicate").asBoolean()).isTrue();
            }
        }
        assertThat(Files.exists(config.dir().resolve(VerifiedSegments.FILE_NAME))).isTrue();
    }
}
