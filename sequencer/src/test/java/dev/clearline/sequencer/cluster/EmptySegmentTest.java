package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The archive opens a recording's segment file in two steps: it creates the file, then sizes it
 * to the segment length. A kill -9 between the two leaves an empty file for a recording the
 * catalog still holds open (a snapshot being started, the log rolling into its next segment).
 * KillNineTest met it once: Aeron's verification reads a frame header at offset 0 of that file,
 * gets nothing, reports "failed to read fragment header", and the healthy member was refused as
 * damaged (exit 70, wipe). Nothing was ever written there, so the check accepts it for a recording
 * open at the kill, and only for one: a closed recording whose data is gone is still damage.
 */
class EmptySegmentTest {
    static final long CLIENT = 31;

    @TempDir
    Path dir;

    NodeConfig config;
    int commands;

    @BeforeEach
    void aMemberWithASnapshot() throws Exception {
        List<Command> sent = SnapshottedMember.session(new Market(3), CLIENT, 30, 7);
        commands = sent.size();
        config = SnapshottedMember.of(dir, sent).config();
    }

    @Test
    void aSnapshotRecordingKilledBeforeItsFileWasSizedDoesNotStopTheMember() throws Exception {
        File archive = config.dir().resolve("archive").toFile();
        long id = startRecordingKilledAtItsFirstFile(archive, false);
        assertThat(new File(archive, id + "-0.rec")).exists().isEmpty();

        ArchiveCheck.verify(config.dir(), config.memberId());
        assertThat(new File(archive, id + "-0.rec")).as("sized as the archive would have, zeros: no frame").hasSize(new File(archive, "0-0.rec").length());

        assertThat(seqAfterStart()).as("the member recovers its state from the last whole snapshot and the log").isEqualTo(commands);
        // and after the next kill, the same directory is still a healthy member
        ArchiveResealTest.reopenEveryRecording(archive);
        ArchiveCheck.verify(config.dir(), config.memberId());
        assertThat(seqAfterStart()).isEqualTo(commands);
    }

    @Test
    void aClosedRecordingWhoseFileIsEmptyIsStillDamage() throws Exception {
        File archive = config.dir().resolve("archive").toFile();
        startRecordingKilledAtItsFirstFile(archive, true);

        assertThatThrownBy(() -> ArchiveCheck.verify(config.dir(), config.memberId()))
                .isInstanceOf(ArchiveCheck.DamagedArchiveException.class)
                .hasMessageContaining("failed to read fragment header")
                .hasMessageContaining("Delete this member's directory");
    }

    @Test
    void anEmptySegmentWithALaterSegmentAfterItIsStillDamage() throws Exception {
        File archive = config.dir().resolve("archive").toFile();
        long id = startRecordingKilledAtItsFirstFile(archive, false);
        long segmentLength = new File(archive, "0-0.rec").length(); // every segment file is preallocated to it
        Files.createFile(archive.toPath().resolve(id + "-" + segmentLength + ".rec"));

        assertThatThrownBy(() -> ArchiveCheck.verify(config.dir(), config.memberId()))
                .isInstanceOf(ArchiveCheck.DamagedArchiveException.class)
                .hasMessageContaining(id + "-0.rec) is empty and later segments follow it");
    }

    private long seqAfterStart() throws Exception {
        return ArchiveResealTest.seqAfterStart(config);
    }

    /**
     * What the archive leaves when it is killed as it starts recording a snapshot: a new catalog entry
     * like the last snapshot's, open (no stop position), and its first segment file created but empty.
     * With {@code closed}, the entry says 1,024 bytes were recorded, which that empty file contradicts.
     */
    private static long startRecordingKilledAtItsFirstFile(File archive, boolean closed) throws Exception {
        try (TestCatalog catalog = TestCatalog.open(archive)) {
            Object[] last = new Object[11];
            catalog.forEach(d -> {
                Object[] fields = {0L, d.startTimestamp(), d.initialTermId(), d.segmentFileLength(), d.termBufferLength(),
                    d.mtuLength(), d.sessionId(), d.streamId(), d.strippedChannel(), d.originalChannel(), d.sourceIdentity()};
                System.arraycopy(fields, 0, last, 0, fields.length);
            });
            long id = catalog.addNewRecording(last);
            if (closed) catalog.stopPosition(id, 1_024L);
            Files.createFile(archive.toPath().resolve(id + "-0.rec"));
            return id;
        }
    }
}
