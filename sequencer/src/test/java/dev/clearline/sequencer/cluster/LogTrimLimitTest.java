package dev.clearline.sequencer.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import io.aeron.cluster.RecordingLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where a member may cut its log ({@link LogTrim#limit}), over random recording logs written with
 * Aeron's own RecordingLog: snapshots at growing positions and times, some set aside as
 * {@code --drop-latest-snapshot} does, and any retention. The cut never passes the older of the
 * two valid snapshots a member keeps, never the log of the last {@code keep} (the newest snapshot
 * at least that old bounds it), and is exactly the lower of the two, or none.
 */
class LogTrimLimitTest {
    private static final long HOUR = 3_600_000;

    @Test
    void theCutKeepsTheOlderSnapshotsLogAndTheLastKeepOfIt() {
        // each element: 0 sets aside the newest valid snapshot, n > 0 appends one n-1 hours after the previous
        var ops = Gens.listOf(Gens.ints(0, 12), 0, 14);
        var retention = Gens.ints(-1, 30); // -1: forever, 0: back to the older snapshot, else hours
        Property.forAll(ops, retention).tries(300).check((steps, hours) -> {
            Duration keep = hours < 0 ? LogStorage.FOREVER : Duration.ofHours(hours);
            Path dir = Files.createTempDirectory("recording-log");
            List<long[]> snapshots = new ArrayList<>(); // {position, time, valid}
            long time = 1_000 * HOUR, nextRecording = 1;
            try (RecordingLog rl = new RecordingLog(dir.toFile(), true)) {
                rl.appendTerm(0, 0, 0, 0);
                for (int step : steps) {
                    if (step > 0) {
                        time += (step - 1) * HOUR;
                        long position = 64_000L * (snapshots.size() + 1);
                        rl.appendSnapshot(nextRecording++, 0, 0, position, time, 0);
                        rl.appendSnapshot(nextRecording++, 0, 0, position, time, -1); // the consensus module's
                        snapshots.add(new long[] {position, time, 1});
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
            long now = time + 5 * HOUR;
            List<RecordingLog.Entry> entries;
            try (RecordingLog rl = new RecordingLog(dir.toFile(), false)) {
                entries = rl.entries();
            } finally {
                Files.deleteIfExists(dir.resolve(RecordingLog.RECORDING_LOG_FILE_NAME));
                Files.deleteIfExists(dir);
            }
            long cut = LogTrim.limit(entries, SnapshotRetention.KEEP, keep, now);
            assertThat(LogTrim.logRecording(entries)).isZero();

            long olderKept = -1;
            int valid = 0;
            for (int i = snapshots.size() - 1; i >= 0 && valid < SnapshotRetention.KEEP; i--) {
                if (snapshots.get(i)[2] == 1 && ++valid == SnapshotRetention.KEEP) olderKept = snapshots.get(i)[0];
            }
            long aged = -1; // where the log stood at now - keep, as far as a snapshot says
            for (long[] s : snapshots) if (hours >= 0 && s[1] <= now - keep.toMillis()) aged = s[0];
            if (hours < 0 || olderKept < 0 || (hours > 0 && aged < 0)) {
                assertThat(cut).as("nothing may go").isEqualTo(-1);
                return;
            }
            assertThat(cut).as("never past the older kept snapshot").isLessThanOrEqualTo(olderKept);
            if (hours > 0) assertThat(cut).as("never into the last %d hours", hours).isLessThanOrEqualTo(aged);
            assertThat(cut).as("all that may go").isEqualTo(hours == 0 ? olderKept : Math.min(olderKept, aged));
        });
    }

    @Test
    void keepLogHoursTakesHoursOrForeverAndSaysWhatElse() {
        assertThat(LogStorage.parseHours("0")).isEqualTo(Duration.ZERO);
        assertThat(LogStorage.parseHours("36")).isEqualTo(Duration.ofHours(36));
        assertThat(LogStorage.DEFAULT.keeping(LogStorage.parseHours("forever")).keepsAll()).isTrue();
        assertThat(LogStorage.DEFAULT.keepsAll()).isFalse();
        for (String bad : List.of("-1", "1.5", "a day", "")) {
            assertThatThrownBy(() -> LogStorage.parseHours(bad)).hasMessageContaining("--keep-log-hours").hasMessageContaining("forever");
        }
        assertThatThrownBy(() -> new LogStorage(64 << 10, 32 << 10, Duration.ZERO)).hasMessageContaining("no shorter than a term");
        assertThatThrownBy(() -> new LogStorage(100_000, 128 << 20, Duration.ZERO)).hasMessageContaining("power of two");
        // the history's window: its own flag, a day unless told
        assertThat(LogStorage.DEFAULT.keepHistory()).isEqualTo(Duration.ofHours(24));
        assertThat(LogStorage.parseHistoryHours("forever")).isEqualTo(LogStorage.FOREVER);
        assertThat(LogStorage.DEFAULT.keepingHistory(Duration.ZERO).keep()).isEqualTo(LogStorage.DEFAULT.keep());
        assertThatThrownBy(() -> LogStorage.parseHistoryHours("a week")).hasMessageContaining("--keep-history-hours").hasMessageContaining("forever");
    }
}
