package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member killed while its archive records (a snapshot, the log) restarts, and restarts again
 * after a later kill. KillNineTest found the second restart refused with exit 70 ("invalid
 * Catalog checksum": the healthy member called damaged, to be wiped): {@link ArchiveCheck}'s
 * verification had written the recovered stop position of the recording open at the first kill
 * without the catalog entry's checksum, and an unfinished snapshot's entry is never written again.
 * Here the kill is reproduced exactly where it matters: every recording's catalog entry is left as
 * an open recording's is (no stop position, a matching checksum), then the member starts, stops,
 * and its archive is checked again.
 */
class ArchiveResealTest {
    static final long CLIENT = 31;

    @TempDir
    Path dir;

    @Test
    void recordingsOpenAtAKillStayVerifiableAcrossTwoRestarts() throws Exception {
        List<Command> commands = SnapshottedMember.session(new Market(3), CLIENT, 30, 5);
        NodeConfig config = SnapshottedMember.of(dir, commands).config();
        File archive = config.dir().resolve("archive").toFile();
        List<Long> reopened = reopenEveryRecording(archive);
        assertThat(reopened).as("the log and the snapshot's recordings").hasSizeGreaterThanOrEqualTo(2);

        // the first restart after the kill: the check recovers each stop position, the member serves its state
        assertThat(seqAfterStart(config)).isEqualTo(commands.size());
        // the restart after a later kill: the check must still find the archive whole
        ArchiveCheck.verify(config.dir(), config.memberId());
        assertThat(seqAfterStart(config)).isEqualTo(commands.size());
    }

    /** Starts the member, asks for its state, stops it: the seq its recovered state stands at. */
    static long seqAfterStart(NodeConfig config) throws Exception {
        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                client.send(new Command.Query(CLIENT, 0, Command.QueryKind.STATE, 0, null, null));
                SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                return in.poll().get("seq").asLong();
            }
        }
    }

    /**
     * Leaves every recording's catalog entry as the archive keeps it while the recording is open
     * (stop position null, checksum matching): the state a SIGKILL mid-recording leaves on disk.
     * Aeron's catalog is package-private, so it is reached the way {@link ArchiveCheck} reaches it.
     */
    static List<Long> reopenEveryRecording(File archive) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (TestCatalog catalog = TestCatalog.open(archive)) {
            catalog.forEach(d -> ids.add(d.recordingId()));
            for (long id : ids) catalog.stopPosition(id, io.aeron.archive.client.AeronArchive.NULL_POSITION);
        }
        return ids;
    }
}
