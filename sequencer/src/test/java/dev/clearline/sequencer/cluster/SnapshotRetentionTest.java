package dev.clearline.sequencer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.sequencer.Market;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import io.aeron.cluster.RecordingLog;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member deletes its snapshots older than the newest two valid ones, which the archive would
 * otherwise keep for good (a new set of recordings per snapshot, one a minute by default).
 */
class SnapshotRetentionTest {
    private static final long CLIENT = 41;

    /**
     * Random recording logs (snapshots of the service and the consensus module at growing positions,
     * some invalidated as {@code --drop-latest-snapshot} does), written with Aeron's own RecordingLog:
     * the newest two valid snapshots and everything after them are never expired, everything before
     * them always is, and with fewer than two valid nothing is.
     */
    @Test
    void onlySnapshotsOlderThanTheNewestTwoValidOnesExpire() {
        // each element: true appends a snapshot, false invalidates the newest valid one
        Property.forAll(Gens.listOf(Gens.<Boolean>frequency(3, Gens.constant(true), 1, Gens.constant(false)), 0, 14)).tries(200).check(ops -> {
            Path dir = Files.createTempDirectory("recording-log");
            List<long[]> snapshots = new ArrayList<>(); // {service recording, consensus recording, valid}
            long nextRecording = 1;
            try (RecordingLog rl = new RecordingLog(dir.toFile(), true)) {
                rl.appendTerm(0, 0, 0, 1);
                for (boolean append : ops) {
                    if (append) {
                        long position = 1_000L * (snapshots.size() + 1);
                        long service = nextRecording++, consensus = nextRecording++;
                        rl.appendSnapshot(service, 0, 0, position, 2, 0);
                        rl.appendSnapshot(consensus, 0, 0, position, 2, -1); // the consensus module's own
                        snapshots.add(new long[] {service, consensus, 1});
                    } else if (rl.invalidateLatestSnapshot()) {
                        for (int i = snapshots.size() - 1; i >= 0; i--) {
                            if (snapshots.get(i)[2] == 1) {
                                snapshots.get(i)[2] = 0;
                                break;
                            }
                        }
                    }
                }
            }
            List<Long> expired;
            try (RecordingLog rl = new RecordingLog(dir.toFile(), false)) {
                expired = SnapshotRetention.expired(rl.entries(), SnapshotRetention.KEEP);
            } finally {
                Files.deleteIfExists(dir.resolve(RecordingLog.RECORDING_LOG_FILE_NAME));
                Files.deleteIfExists(dir);
            }
            int keptValid = 0, oldestKept = snapshots.size();
            for (int i = snapshots.size() - 1; i >= 0 && keptValid < SnapshotRetention.KEEP; i--) {
                if (snapshots.get(i)[2] == 1) {
                    keptValid++;
                    oldestKept = i;
                }
            }
            List<Long> want = new ArrayList<>();
            if (keptValid == SnapshotRetention.KEEP) {
                for (int i = 0; i < oldestKept; i++) {
                    want.add(snapshots.get(i)[0]);
                    want.add(snapshots.get(i)[1]);
                }
            }
            assertThat(expired).containsExactlyInAnyOrderElementsOf(want);
        });
    }

    /**
     * A member snapshotting every second: after many snapshots its archive holds the log and the
     * recordings of at most three snapshots (the newest two, and the one just taken before they are
     * trimmed), and a restart on that directory loads the newest and answers where it stopped.
     */
    @Test
    void aMemberKeepsItsNewestSnapshotsOnlyAndRestartsFromThem(@TempDir Path dir) throws Exception {
        SnapshottedMember.Stopped member = SnapshottedMember.snapshottingEverySecond(dir, SnapshottedMember.session(new Market(2), CLIENT, 20, 7), 6);
        File archive = dir.resolve("archive").toFile();
        String[] recordings = archive.list((d, name) -> name.endsWith(".rec"));
        // the log's one segment, and two recordings per snapshot
        assertThat(recordings).as("segment files left: %s", List.of(recordings)).hasSizeBetween(1 + 2 * SnapshotRetention.KEEP, 1 + 2 * (SnapshotRetention.KEEP + 1));
        assertThat(ArchiveResealTest.seqAfterStart(member.config())).isGreaterThanOrEqualTo(member.lastSeq());
    }
}
