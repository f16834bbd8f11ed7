package dev.clearline.sequencer.cluster;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterBackup;
import io.aeron.cluster.ClusterBackupEventsListener;
import io.aeron.cluster.RecordingLog;
import io.aeron.cluster.ClusterMember;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.agrona.concurrent.NoOpLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Fills an empty member directory from the running cluster before the member starts: the latest
 * snapshot (the consensus module's and the service's) and the log after it, copied from another
 * member's archive with Aeron's {@link ClusterBackup} (replay starting at the latest snapshot). The
 * member then starts from that snapshot and replays only the log after it, instead of every
 * command since genesis; the election's catch-up brings it the rest. Without a snapshot in the
 * cluster yet, the copy starts at the beginning of the log, as a plain empty start would.
 *
 * <p>Only an empty directory is seeded (a member with any state of its own recovers from it), only
 * in a cluster of several members, and only while another member answers: when none does within
 * the timeout (the whole cluster is starting, or this member is the first), the member starts
 * empty, as before, and takes part in the first election. While it waits, it also asks the other
 * members' archives what log they hold: when every one of them answers and none holds any, the
 * whole cluster is starting from nothing (they are seeding too, each with its archive up and
 * empty), so there is nothing to copy and the member starts empty at once instead of after the
 * timeout.
 */
final class SnapshotSeed {
    private static final Logger log = LoggerFactory.getLogger(SnapshotSeed.class);

    /**
     * How long to wait for any other member to answer the backup query. A member of a cluster that
     * is starting from nothing waits this long once (the others are not serving yet); a running
     * leader answers within milliseconds. Long enough for the query to reach every other member in
     * turn ({@link #QUERY_TIMEOUT} each) and for a loaded machine's leader to answer.
     */
    static final Duration ANSWER_TIMEOUT = Duration.ofMillis(Long.getLong("clearline.seed.answerMs", 5_000));

    /**
     * How long the backup waits for one member before it asks the next. Aeron's default is 5 s,
     * longer than the whole answer window: a query sent first to a member that does not answer (one
     * restarted moments ago, still in its election) was never sent on to the leader, and the wiped
     * member started empty although the cluster was running (seen once in LeaderFailoverTest).
     */
    static final Duration QUERY_TIMEOUT = Duration.ofMillis(1_000);

    private SnapshotSeed() {}

    /**
     * Whether a member with this config is seeded: several members, and nothing of its own yet (no
     * archive, no cluster directory: a new or wiped member; a member with any state recovers from it).
     */
    static boolean applies(NodeConfig config) throws IOException {
        return config.members().size() > 1 && isEmpty(config.dir().resolve("archive")) && isEmpty(config.dir().resolve("cluster"));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return true;
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** How a seed ended. */
    enum Outcome {
        /** The directory holds the cluster's latest snapshot (or its log from the beginning, when it has taken none). */
        SEEDED,
        /** Every other member answered with no log at all: a cluster starting from nothing; the directory is left empty. */
        NEW_CLUSTER,
        /** No copy: no other member answered in time, or the copy did not finish; the directory is left empty. */
        NOT_SEEDED
    }

    /**
     * Whether the others' archives say the cluster is starting from nothing: every other member answered, and none holds
     * a log (a member that has taken part in an election has one).
     */
    static boolean newCluster(Map<Integer, CatchUpCheck.ArchiveAnswer> answers, int others) {
        return answers.size() == others && answers.values().stream().allMatch(a -> a.answered() && !a.hasLog());
    }

    /**
     * Copies the cluster's latest snapshot and the log after it into {@code config.dir()}. Returns
     * {@link Outcome#SEEDED} when the directory now holds a snapshot to start from; otherwise the
     * directory is left empty and the outcome says why.
     */
    static Outcome seed(NodeConfig config, Duration timeout) throws IOException, InterruptedException {
        Path dir = config.dir();
        NodeConfig.Member self = config.self();
        String others = config.members().stream().filter(m -> m.id() != self.id())
                .map(m -> m.host() + ":" + m.consensus()).collect(Collectors.joining(","));
        String aeronDir = dir.resolve("aeron-seed").toString();
        Progress progress = new Progress();
        MediaDriver driver = null;
        Archive archive = null;
        ClusterBackup backup = null;
        OthersAsked asked = null;
        Outcome outcome = Outcome.NOT_SEEDED;
        long started = System.nanoTime();
        try {
            driver = SequencerNode.scratchDriver(config, aeronDir);
            Archive.Context archiveCtx = SequencerNode.archiveContext(config, aeronDir);
            archive = Archive.launch(archiveCtx);
            ClusterBackup.Context backupCtx = new ClusterBackup.Context()
                    .aeronDirectoryName(aeronDir)
                    .clusterDir(dir.resolve("cluster").toFile())
                    .deleteDirOnStart(false)
                    .clusterConsensusEndpoints(others)
                    .consensusChannel("aeron:udp?endpoint=" + self.host() + ":" + self.consensus())
                    .catchupEndpoint(self.host() + ":" + self.catchup())
                    .archiveContext(new AeronArchive.Context()
                            .lock(NoOpLock.INSTANCE)
                            .aeronDirectoryName(aeronDir)
                            .controlRequestChannel(archiveCtx.localControlChannel())
                            .controlRequestStreamId(archiveCtx.localControlStreamId())
                            .controlResponseChannel(archiveCtx.localControlChannel()))
                    .clusterArchiveContext(new AeronArchive.Context()
                            .aeronDirectoryName(aeronDir)
                            // the endpoint is the chosen member's archive, filled in by the backup
                            .controlRequestChannel("aeron:udp?endpoint=" + self.host() + ":" + self.archive())
                            .controlResponseChannel("aeron:udp?endpoint=" + self.host() + ":0"))
                    .credentialsSupplier(config.secret().credentials()) // the members admit a backup's query like a client's session
                    .sourceType(ClusterBackup.SourceType.ANY)
                    .clusterBackupResponseTimeoutNs(QUERY_TIMEOUT.toNanos())
                    .initialReplayStart(ClusterBackup.Configuration.ReplayStart.LATEST_SNAPSHOT)
                    .idleStrategySupplier(config.idle().strategy())
                    .eventsListener(progress);
            backup = ClusterBackup.launch(backupCtx);
            asked = new OthersAsked(aeronDir, config);
            long deadline = System.nanoTime() + timeout.toNanos();
            long answerBy = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
            long lastPosition = -1;
            long stillSince = 0;
            long backingSince = 0;
            while (System.nanoTime() < deadline) {
                Thread.sleep(50);
                if (!progress.answered && asked.newCluster()) {
                    log.info("event=seed_skipped reason=\"every other member answered with no log: a new cluster\" hint=\"the member starts empty\" ms={}",
                            (System.nanoTime() - started) / 1_000_000);
                    outcome = Outcome.NEW_CLUSTER;
                    break;
                }
                if (!progress.answered && System.nanoTime() > answerBy) {
                    log.info("event=seed_skipped reason=\"no other member answered within {} ms: a new cluster, or none running\" hint=\"the member starts empty\"",
                            ANSWER_TIMEOUT.toMillis());
                    break;
                }
                ClusterBackup.State state = ClusterBackup.State.get(backupCtx.stateCounter());
                long position = backupCtx.liveLogPositionCounter().isClosed() ? -1 : backupCtx.liveLogPositionCounter().get();
                if (state != ClusterBackup.State.BACKING_UP || position < progress.startPosition) {
                    continue;
                }
                // backing up: the snapshot is here and the log after it flows. Stop once the copy is live: still for a
                // moment (an idle cluster), or following the log for a second. It waited for stillness alone, which a cluster
                // under steady load never gives: every seed then timed out (seen walking docs/replication.md). What the copy
                // lacks after stopping, the member catches up from the leader's log as any restarted member does.
                if (backingSince == 0) backingSince = System.nanoTime();
                boolean following = position > progress.startPosition && System.nanoTime() - backingSince > 1_000_000_000L;
                if (position != lastPosition && !following) {
                    lastPosition = position;
                    stillSince = System.nanoTime();
                } else if (following || System.nanoTime() - stillSince > 500_000_000L) {
                    log.info("event=seeded_from_cluster snapshot_position={} log_position={} snapshots={} ms={}",
                            progress.startPosition, position, progress.snapshots,
                            (System.nanoTime() - started) / 1_000_000);
                    return Outcome.SEEDED;
                }
            }
            if (progress.answered) {
                log.warn("event=seed_not_done reason=\"the copy did not finish within {} s\" backup_state={} snapshot_position={} log_position={} snapshots={}"
                                + " hint=\"the member starts empty and replays the whole log from the others, if they still hold its start (else it stops: start it again)\"",
                        timeout.toSeconds(), ClusterBackup.State.get(backupCtx.stateCounter()), progress.startPosition,
                        backupCtx.liveLogPositionCounter().isClosed() ? -1 : backupCtx.liveLogPositionCounter().get(), progress.snapshots);
            }
        } finally {
            if (asked != null) asked.close(); // before the driver its clients use
            CloseHelper.quietCloseAll(backup, archive, driver);
        }
        wipe(dir);
        return outcome;
    }

    /** Removes what an unfinished seed left, so the member starts as a plain empty one. */
    private static void wipe(Path dir) throws IOException {
        for (String sub : List.of("archive", "cluster", "aeron-seed")) {
            Path p = dir.resolve(sub);
            if (!Files.exists(p)) continue;
            try (var files = Files.walk(p)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
            }
        }
    }

    /**
     * Asks the other members' archives, again and again while the seed waits, what log they hold, until every one has
     * answered. A member not up yet is asked again; one that answered is not.
     */
    private static final class OthersAsked implements AutoCloseable {
        /** How long one round gives each archive; a round follows the last at once. */
        private static final Duration ROUND = Duration.ofMillis(500);
        private final Map<Integer, CatchUpCheck.ArchiveAnswer> answered = new ConcurrentHashMap<>();
        private final int others;
        private final Thread asker;
        private volatile boolean closed;

        OthersAsked(String aeronDir, NodeConfig config) {
            List<NodeConfig.Member> members = config.members().stream().filter(m -> m.id() != config.memberId()).toList();
            this.others = members.size();
            this.asker = Thread.ofVirtual().name("seed-asks-archives").start(() -> {
                while (!closed && answered.size() < others) {
                    List<NodeConfig.Member> silent = members.stream().filter(m -> !answered.containsKey(m.id())).toList();
                    CatchUpCheck.ask(aeronDir, config.self(), silent, ROUND).forEach((id, a) -> {
                        if (a.answered()) answered.put(id, a);
                    });
                }
            });
        }

        boolean newCluster() {
            return SnapshotSeed.newCluster(answered, others);
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            asker.join();
        }
    }

    /** What the backup reports: the snapshots it fetched and where its copy of the log starts. */
    private static final class Progress implements ClusterBackupEventsListener {
        volatile long startPosition = Long.MAX_VALUE;
        volatile int snapshots;
        volatile boolean answered;

        @Override
        public void onBackupQuery() { }

        @Override
        public void onPossibleFailure(Exception ex) {
            log.info("event=seed_retry reason=\"{}\"", ex.getMessage());
        }

        @Override
        public void onBackupResponse(ClusterMember[] clusterMembers, ClusterMember logSourceMember, List<RecordingLog.Snapshot> snapshotsToRetrieve) {
            answered = true;
            log.info("event=seed_source member={} snapshots={}", logSourceMember.id(), snapshotsToRetrieve.size());
        }

        @Override
        public void onUpdatedRecordingLog(RecordingLog recordingLog, List<RecordingLog.Snapshot> snapshotsRetrieved) {
            snapshots = snapshotsRetrieved.size();
            startPosition = snapshotsRetrieved.stream().mapToLong(snapshot -> snapshot.logPosition()).max().orElse(0);
        }

        @Override
        public void onLiveLogProgress(long recordingId, long recordingPosCounterId, long logPosition) { }
    }
}
