package dev.clearline.sequencer.cluster;

import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.RecordingLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Deletes this member's snapshots older than its newest {@link #KEEP} valid ones. Each snapshot is
 * a new set of archive recordings (the consensus module's and the service's), and the archive
 * keeps every recording for good: at the default of a snapshot a minute, a node whose state image
 * is 75 MB (some 100,000 orders) wrote 4.5 GB an hour of snapshots no one would read again, until
 * its disk filled and it stopped ({@code --min-free-mb}). A member recovers from its newest valid
 * snapshot; the one before it stays for {@code --drop-latest-snapshot}. The recording log keeps
 * its entries for the deleted ones: Aeron would read them only if every newer snapshot were
 * invalidated, and then recovery fails with the recording named instead of silently replaying.
 * The log before the older kept snapshot is trimmed by {@link LogTrim}.
 */
public final class SnapshotRetention {
    private static final Logger log = LoggerFactory.getLogger(SnapshotRetention.class);
    /** Valid snapshots kept: the newest, and one to fall back to. */
    static final int KEEP = 2;

    private final File clusterDir;
    private final Set<Long> purged = new TreeSet<>();

    SnapshotRetention(File clusterDir) {
        this.clusterDir = clusterDir;
    }

    /**
     * The recording ids of every snapshot (valid or not) older than the newest {@code keep} valid
     * snapshots, from the recording log's entries. A snapshot is the entries at one log position
     * (one per service and the consensus module's), in the order the log appended them.
     */
    static List<Long> expired(List<RecordingLog.Entry> entries, int keep) {
        List<List<RecordingLog.Entry>> inOrder = snapshotsInOrder(entries);
        int oldestKept = oldestKept(inOrder, keep);
        if (oldestKept < 0) return List.of(); // too few to fall back on: delete nothing
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < oldestKept; i++) {
            for (RecordingLog.Entry e : inOrder.get(i)) out.add(e.recordingId);
        }
        return out;
    }

    /** The recording log's snapshots in the order it appended them, each as its entries at one log position. */
    static List<List<RecordingLog.Entry>> snapshotsInOrder(List<RecordingLog.Entry> entries) {
        Map<String, List<RecordingLog.Entry>> snapshots = new LinkedHashMap<>();
        for (RecordingLog.Entry e : entries) {
            if (e.type == RecordingLog.ENTRY_TYPE_SNAPSHOT) {
                snapshots.computeIfAbsent(e.leadershipTermId + "@" + e.logPosition, k -> new ArrayList<>()).add(e);
            }
        }
        return new ArrayList<>(snapshots.values());
    }

    /** The index of the oldest of the newest {@code keep} valid snapshots in {@code inOrder}, or -1 when there are fewer than {@code keep}. */
    static int oldestKept(List<List<RecordingLog.Entry>> inOrder, int keep) {
        int keptValid = 0;
        int oldestKept = -1;
        for (int i = inOrder.size() - 1; i >= 0 && keptValid < keep; i--) {
            if (inOrder.get(i).stream().allMatch(e -> e.isValid)) {
                keptValid++;
                oldestKept = i;
            }
        }
        return keptValid < keep ? -1 : oldestKept;
    }

    /**
     * The recording ids of the newest valid snapshot in {@code clusterDir}'s recording log that have no
     * segment file in {@code archiveDir}: deleted as older than the newest two, after newer ones were
     * set aside ({@code --drop-latest-snapshot}). Aeron would try to load it and never start. Empty
     * when that snapshot is whole or there is none. Read with the member stopped.
     */
    public static List<Long> missingFromNewestValid(File clusterDir, File archiveDir) {
        List<RecordingLog.Entry> entries;
        try (RecordingLog rl = new RecordingLog(clusterDir, false)) {
            entries = rl.entries();
        }
        RecordingLog.Entry newest = null;
        for (RecordingLog.Entry e : entries) {
            if (e.type == RecordingLog.ENTRY_TYPE_SNAPSHOT && e.isValid) newest = e;
        }
        if (newest == null) return List.of();
        List<Long> missing = new ArrayList<>();
        for (RecordingLog.Entry e : entries) {
            if (e.type != RecordingLog.ENTRY_TYPE_SNAPSHOT || !e.isValid || e.logPosition != newest.logPosition
                    || e.leadershipTermId != newest.leadershipTermId) continue;
            String prefix = e.recordingId + "-";
            String[] files = archiveDir.list((d, name) -> name.startsWith(prefix) && name.endsWith(".rec"));
            if (files == null || files.length == 0) missing.add(e.recordingId);
        }
        return missing;
    }

    /** Deletes the recordings of the expired snapshots not deleted yet; returns how many it deleted. Failures are logged and tried again next time. */
    int purge(AeronArchive archive) {
        List<RecordingLog.Entry> entries;
        try (RecordingLog rl = new RecordingLog(clusterDir, false)) {
            entries = rl.entries();
        } catch (RuntimeException e) {
            log.warn("event=snapshot_retention_skipped reason=\"the recording log cannot be read: {}\"", e.getMessage());
            return 0;
        }
        int n = 0;
        for (long id : expired(entries, KEEP)) {
            if (purged.contains(id)) continue;
            try {
                boolean present = archive.listRecording(id, (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp,
                        startPosition, stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId,
                        strippedChannel, originalChannel, sourceIdentity) -> { }) > 0;
                if (present) {
                    archive.purgeRecording(id);
                    n++;
                }
                purged.add(id);
            } catch (RuntimeException e) {
                log.warn("event=snapshot_retention_failed recording={} error=\"{}\" action=\"tried again after the next snapshot\"", id, e.getMessage());
            }
        }
        if (n > 0) log.info("event=snapshots_deleted recordings={} kept={}", n, KEEP);
        return n;
    }
}
