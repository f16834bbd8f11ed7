package dev.clearline.sequencer.cluster;

import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.RecordingLog;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.agrona.concurrent.NoOpLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Before a member of several with a log of its own starts: can it still catch up from the others?
 * A member that comes back catches up from the leader's log, from where its own log ends. The
 * others delete their log behind their snapshots ({@link LogTrim}, {@code --keep-log-hours}); a
 * member that was down longer would follow for good without ever catching up (the leader's archive
 * refuses to replay what it deleted; Aeron retries without end and logs nothing of it here).
 *
 * <p>So the others' archives are asked where their logs start. When any that answers starts after
 * this member's log ends (it may be the leader), its own copy is moved aside (into {@code <dir>/behind-<time>}, kept:
 * nothing in it is lost, the cluster holds all it committed) and the member is seeded from the
 * cluster's latest snapshot ({@link SnapshotSeed}), as a wiped one would be. When none answers
 * (the whole cluster is starting) nothing changes.
 */
final class CatchUpCheck {
    private static final Logger log = LoggerFactory.getLogger(CatchUpCheck.class);
    /** How long each other member's archive has to answer. */
    static final Duration ANSWER_TIMEOUT = Duration.ofMillis(1_500);

    private CatchUpCheck() {}

    /** Where the others' logs start, by member id (those that answered), against where this member's ends. */
    record Positions(long ownLogEnd, Map<Integer, Long> othersLogStart) {
        /**
         * Whether some member that answered no longer holds the log from where this one's ends. Catch-up comes from the
         * leader, whichever member that is, so one such member is enough; a member seeded without need only copies a
         * snapshot, while one left behind follows for good.
         */
        boolean behind() {
            return othersLogStart.values().stream().anyMatch(s -> s > ownLogEnd);
        }
    }

    /**
     * Where this member's log ends, or -1 without a log: the catalog's stop position, or for a recording open when the
     * member was killed (no stop position yet), the end of the frames in its last segment file. It was the first
     * position of that file, a lower bound taken as exact because every member's segments were thought to sit at the
     * same positions; but a member seeded from a snapshot records its log from the snapshot's position, so its log
     * start matched no segment of the others, and any member restarted after a seed (its whole log in one 128 MB
     * segment, "ending" at 0) was found behind, moved aside and seeded again (seen walking docs/replication.md).
     */
    static long ownLogEnd(Path memberDir) {
        File clusterDir = memberDir.resolve("cluster").toFile();
        if (!new File(clusterDir, RecordingLog.RECORDING_LOG_FILE_NAME).exists()) return -1;
        long recording;
        try (RecordingLog rl = new RecordingLog(clusterDir, false)) {
            recording = LogTrim.logRecording(rl.entries());
        }
        if (recording < 0) return -1;
        File archive = memberDir.resolve("archive").toFile();
        SegmentWalk.Layout[] found = {null};
        try {
            io.aeron.archive.CatalogView.listRecording(archive, recording, (controlSessionId, correlationId, id, startTimestamp, stopTimestamp,
                    startPosition, stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId,
                    strippedChannel, originalChannel, sourceIdentity) -> found[0] = new SegmentWalk.Layout(id, startPosition, stopPosition,
                    termBufferLength, segmentFileLength, initialTermId, streamId));
        } catch (RuntimeException e) {
            log.debug("event=catch_up_catalog_unread error=\"{}\"", e.getMessage());
        }
        if (found[0] == null) return lastSegmentBase(archive, recording);
        if (found[0].stopPosition() >= 0) return found[0].stopPosition();
        File[] segments = found[0].segments(archive);
        if (segments.length == 0) return found[0].startPosition();
        File last = segments[segments.length - 1];
        long base = SegmentWalk.base(last.getName());
        try {
            long offset = new SegmentWalk().walk(last, found[0], base, new java.util.ArrayList<>());
            if (offset >= 0) return base + offset;
        } catch (IOException e) {
            log.debug("event=catch_up_segment_unread file={} error=\"{}\"", last, e.getMessage());
        }
        return base; // a lower bound: the segment's frames could not be read (the start-up check reports why)
    }

    /** The first position of the recording's last segment file, or -1 without one: a lower bound, when the catalog cannot be read. */
    private static long lastSegmentBase(File archive, long recording) {
        String prefix = recording + "-";
        String[] files = archive.list((d, n) -> n.startsWith(prefix) && n.endsWith(".rec"));
        if (files == null || files.length == 0) return -1;
        long end = -1;
        for (String f : files) end = Math.max(end, SegmentWalk.base(f));
        return end;
    }

    /**
     * Asks every other member's archive where its log starts, through a media driver of its own in {@code <dir>/aeron-probe}.
     * A member without a log of its own needs the others' from its beginning (its end is 0).
     */
    static Positions probe(NodeConfig config) {
        long own = Math.max(0, ownLogEnd(config.dir()));
        Map<Integer, Long> starts = new TreeMap<>();
        String aeronDir = config.dir().resolve("aeron-probe").toString();
        MediaDriver driver = null;
        try {
            driver = SequencerNode.scratchDriver(config, aeronDir);
            List<NodeConfig.Member> others = config.members().stream().filter(m -> m.id() != config.memberId()).toList();
            ask(aeronDir, config.self(), others, ANSWER_TIMEOUT).forEach((id, answer) -> {
                if (answer.hasLog()) starts.put(id, answer.logStart());
            });
        } finally {
            CloseHelper.quietClose(driver);
        }
        return new Positions(own, starts);
    }

    /** What one other member's archive said: nothing within the timeout, no log yet, or where its log starts. */
    record ArchiveAnswer(boolean answered, long logStart) {
        static final ArchiveAnswer NONE = new ArchiveAnswer(false, -1);

        boolean hasLog() {
            return answered && logStart >= 0;
        }
    }

    /**
     * Asks each of {@code members}' archives at once, through the media driver in {@code aeronDir}, each given {@code timeout}:
     * the wait is the slowest answer's, not their sum (one at a time, a member restarting in a cluster of three waited 3 s
     * for two silent ones). By member id.
     */
    static Map<Integer, ArchiveAnswer> ask(String aeronDir, NodeConfig.Member self, List<NodeConfig.Member> members, Duration timeout) {
        Map<Integer, ArchiveAnswer> answers = new TreeMap<>();
        try (ExecutorService askers = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<Integer, Future<ArchiveAnswer>> pending = new TreeMap<>();
            for (NodeConfig.Member m : members) pending.put(m.id(), askers.submit(() -> answerOf(aeronDir, self, m, timeout)));
            for (var e : pending.entrySet()) answers.put(e.getKey(), resultOf(e.getValue()));
        }
        return answers;
    }

    private static ArchiveAnswer resultOf(Future<ArchiveAnswer> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ArchiveAnswer.NONE;
        } catch (ExecutionException e) {
            return ArchiveAnswer.NONE;
        }
    }

    /** Member {@code m}'s answer: where its newest log recording starts, -1 when its archive holds none; none when it does not answer. */
    private static ArchiveAnswer answerOf(String aeronDir, NodeConfig.Member self, NodeConfig.Member m, Duration timeout) {
        AeronArchive.Context ctx = new AeronArchive.Context()
                .lock(NoOpLock.INSTANCE)
                .aeronDirectoryName(aeronDir)
                .messageTimeoutNs(timeout.toNanos())
                .controlRequestChannel("aeron:udp?endpoint=" + m.host() + ":" + m.archive())
                .controlResponseChannel("aeron:udp?endpoint=" + self.host() + ":0");
        try (AeronArchive archive = AeronArchive.connect(ctx)) {
            long[] newest = {-1, -1}; // recording id, start position
            archive.listRecordings(0, Integer.MAX_VALUE, (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition,
                    stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel,
                    originalChannel, sourceIdentity) -> {
                if (streamId == ConsensusModule.Configuration.LOG_STREAM_ID_DEFAULT && recordingId > newest[0]) {
                    newest[0] = recordingId;
                    newest[1] = startPosition;
                }
            });
            return new ArchiveAnswer(true, newest[1]);
        } catch (RuntimeException e) {
            log.debug("event=catch_up_probe_unanswered member={} error=\"{}\"", m.id(), e.getMessage());
            return ArchiveAnswer.NONE;
        }
    }

    /**
     * Moves this member's log, snapshots and the files made from them into {@code <dir>/behind-<nowMs>} when it cannot
     * catch up from every other member that answered; returns whether it did (the member is then seeded like an empty one).
     */
    static boolean setAsideIfBehind(NodeConfig config, long nowMs) throws IOException {
        Positions p = probe(config);
        if (!p.behind()) return false;
        Path aside = config.dir().resolve("behind-" + nowMs);
        Files.createDirectories(aside);
        for (String name : List.of("archive", "cluster", SequencerNode.HISTORY_FILE, VerifiedSegments.FILE_NAME)) {
            Path from = config.dir().resolve(name);
            if (Files.exists(from)) Files.move(from, aside.resolve(name));
        }
        log.warn("event=member_behind_trimmed_log member={} own_log_end={} others_log_start={} cause=\"this member was down longer than"
                        + " the others keep their log (--keep-log-hours)\" action=\"its copy moved to {} (delete it once the member has caught up);"
                        + " it starts from the cluster's latest snapshot\"",
                config.memberId(), p.ownLogEnd(), p.othersLogStart(), aside);
        return true;
    }
}
