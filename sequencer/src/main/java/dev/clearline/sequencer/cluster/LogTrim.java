package dev.clearline.sequencer.cluster;

import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.RecordingLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.time.Duration;
import java.util.List;

/**
 * Deletes the whole segment files at the start of this member's recorded log that no recovery can
 * read again. The archive keeps the log for good otherwise, and the disk fills with it (about
 * 36 MB an hour on {@code ./clearline up}; far more under real load) long after the snapshots made
 * it useless: a member recovers from its newest valid snapshot and replays only the log after it.
 *
 * <p>What must stay: the log after the older of the two snapshots a member keeps
 * ({@link SnapshotRetention}), for {@code --drop-latest-snapshot} to fall back on; and
 * {@link LogStorage#keep()} of log behind that, which another member that was down catches up
 * from (the leader replays its own log to it from where it stopped). The limit is the position of
 * a snapshot, a moment whose time the recording log holds. Only whole segment files before it go
 * (Aeron's {@code purgeSegments}, which moves the recording's start in the catalog, then deletes).
 */
public final class LogTrim {
    private static final Logger log = LoggerFactory.getLogger(LogTrim.class);

    private final File clusterDir;
    private final Duration keep;

    LogTrim(File clusterDir, Duration keep) {
        this.clusterDir = clusterDir;
        this.keep = keep;
    }

    /**
     * The log position before which nothing may be needed again, from the recording log's entries: the
     * older kept snapshot's position, or, when {@code keep} is longer than zero, the position of the newest
     * snapshot taken at least {@code keep} before {@code nowMs} if that is earlier. -1 when no log may go: the
     * log is kept {@linkplain LogStorage#FOREVER for good}, fewer than {@code keepSnapshots} snapshots are
     * valid, or none is old enough.
     */
    static long limit(List<RecordingLog.Entry> entries, int keepSnapshots, Duration keep, long nowMs) {
        if (keep.equals(LogStorage.FOREVER)) return -1;
        List<List<RecordingLog.Entry>> snapshots = SnapshotRetention.snapshotsInOrder(entries);
        int oldestKept = SnapshotRetention.oldestKept(snapshots, keepSnapshots);
        if (oldestKept < 0) return -1;
        long limit = snapshots.get(oldestKept).get(0).logPosition;
        if (keep.isZero()) return limit;
        long cutoff = nowMs - keep.toMillis();
        long aged = -1;
        for (List<RecordingLog.Entry> s : snapshots) {
            // set-aside snapshots count too: each marks where the log was at its time
            RecordingLog.Entry e = s.get(0);
            if (e.timestamp <= cutoff) aged = Math.max(aged, e.logPosition);
        }
        return aged < 0 ? -1 : Math.min(limit, aged);
    }

    /** The recording the log is in: the one the recording log's newest valid term names, or -1. */
    static long logRecording(List<RecordingLog.Entry> entries) {
        long id = -1;
        for (RecordingLog.Entry e : entries) {
            if (e.type == RecordingLog.ENTRY_TYPE_TERM && e.isValid && e.recordingId != Aeron.NULL_VALUE) id = e.recordingId;
        }
        return id;
    }

    /** A recording's extent as the archive lists it. */
    record Extent(long startPosition, long stopPosition, int termLength, int segmentLength) {
        /** The first position of the segment file that holds {@code position}. */
        long segmentBase(long position) {
            return AeronArchive.segmentFileBasePosition(startPosition, position, termLength, segmentLength);
        }
    }

    static Extent extent(AeronArchive archive, long recordingId) {
        Extent[] found = new Extent[1];
        int n = archive.listRecording(recordingId, (controlSessionId, correlationId, id, startTimestamp, stopTimestamp, startPosition, stopPosition,
                initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel, originalChannel, sourceIdentity) ->
                found[0] = new Extent(startPosition, stopPosition, termBufferLength, segmentFileLength));
        return n == 0 ? null : found[0];
    }

    /**
     * Deletes the log's whole segment files before {@link #limit}; returns the log's start position after it (-1 when
     * there is no log yet). Failures (a follower's catch-up still reading those segments) are logged and tried again
     * after the next snapshot.
     */
    long trim(AeronArchive archive, long nowMs) {
        List<RecordingLog.Entry> entries;
        try (RecordingLog rl = new RecordingLog(clusterDir, false)) {
            entries = rl.entries();
        } catch (RuntimeException e) {
            log.warn("event=log_trim_skipped reason=\"the recording log cannot be read: {}\"", e.getMessage());
            return -1;
        }
        long recording = logRecording(entries);
        if (recording < 0) return -1;
        Extent extent = extent(archive, recording);
        if (extent == null) return -1;
        long limit = limit(entries, SnapshotRetention.KEEP, keep, nowMs);
        if (limit < 0) return extent.startPosition();
        long newStart = extent.segmentBase(limit);
        if (newStart <= extent.startPosition()) return extent.startPosition(); // the limit is still in the first segment file
        try {
            archive.deleteDetachedSegments(recording); // files a purge cut short by a kill left behind
            long files = archive.purgeSegments(recording, newStart);
            log.info("event=log_trimmed recording={} from={} to={} segment_files={} limit={} keep_hours={}", recording, extent.startPosition(),
                    newStart, files, limit, keep.toHours());
            return newStart;
        } catch (RuntimeException e) {
            log.warn("event=log_trim_failed recording={} to={} error=\"{}\" action=\"tried again after the next snapshot\"", recording, newStart,
                    e.getMessage());
            return extent.startPosition();
        }
    }

    /**
     * Why this member cannot rebuild its state, or null when it can: the newest valid snapshot in {@code clusterDir}'s
     * recording log (or genesis, without one) lies before the first segment file of the log kept in {@code archiveDir},
     * after snapshots were set aside ({@code --drop-latest-snapshot}). Aeron would try to replay the deleted log and never
     * start. Read with the member stopped.
     */
    public static String unrecoverable(File clusterDir, File archiveDir) {
        List<RecordingLog.Entry> entries;
        try (RecordingLog rl = new RecordingLog(clusterDir, false)) {
            entries = rl.entries();
        }
        long recording = logRecording(entries);
        if (recording < 0) return null;
        String prefix = recording + "-";
        String[] files = archiveDir.list((d, name) -> name.startsWith(prefix) && name.endsWith(".rec"));
        if (files == null || files.length == 0) return null;
        long logStart = Long.MAX_VALUE;
        for (String f : files) logStart = Math.min(logStart, SegmentWalk.base(f));
        // the catalog's start, when it can be read: files before it are segments a trim detached and a kill kept it from deleting
        logStart = Math.max(logStart, ArchiveCheck.startPosition(archiveDir, recording));
        List<List<RecordingLog.Entry>> snapshots = SnapshotRetention.snapshotsInOrder(entries);
        int newest = SnapshotRetention.oldestKept(snapshots, 1);
        long from = newest < 0 ? 0 : snapshots.get(newest).get(0).logPosition;
        if (from >= logStart) return null;
        return "its log before position " + logStart + " was deleted once snapshots covered it (a member keeps the log only back to its"
                + " older snapshot and --keep-log-hours before that), and the newest snapshot it may use "
                + (newest < 0 ? "is none (every one was set aside), so it would replay from genesis" : "is at position " + from)
                + ": it cannot rebuild its state from this directory";
    }
}
