package dev.clearline.sequencer.cluster;

import dev.clearline.engine.order.SignatureVerifier;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.io.File;
import java.util.List;
import java.util.function.Supplier;

/**
 * One sequencer node: an embedded media driver, archive and consensus module and the
 * {@link SequencerService} in a service container, all in this JVM. It is one member of the
 * cluster its {@link NodeConfig} lists (a single member by default). Its agents wait for work as
 * the config's {@link IdleMode} says (by default they sleep a millisecond when idle: the machines
 * are small and shared). When the config sets
 * a snapshot interval, the member that leads asks for a snapshot that often (every member takes
 * it at the same log position).
 *
 * <p>The node holds its directory's {@link RunLock} while it runs. After a {@code kill -9} the
 * previous run's mark files would still look alive to Aeron for about ten seconds; holding the lock
 * proves that run is dead, so they are released and the node starts at once. Should Aeron still
 * find one alive (a directory another kind of process uses), {@link #start} waits and retries,
 * saying so in the log.
 */
public final class SequencerNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SequencerNode.class);
    /**
     * The state's command history, in the member's directory ({@code CommandHistory.inFile}): scratch space the
     * state rebuilds at every start from its snapshot and the log, so the heap does not hold it.
     */
    static final String HISTORY_FILE = "command-history";
    private static final long RESTART_WAIT_MS = 30_000;
    /** How long an empty member looks for a running cluster to copy a snapshot from before it starts empty. */
    static final java.time.Duration SEED_TIMEOUT = java.time.Duration.ofSeconds(Long.getLong("clearline.seed.timeoutSeconds", 20));

    private final NodeConfig config;
    private final ClusteredMediaDriver driver;
    private final ClusteredServiceContainer container;
    private final SequencerService service;
    private final Thread snapshots;
    private final CompletableFuture<ServiceStop> stopped;
    /** Completes when the cluster stopped this member on purpose, after a snapshot ({@link #terminated}). */
    private final CompletableFuture<Void> terminated;
    /** The consensus module's counters, read only while it has not terminated ({@link ModuleCounters}). */
    private final ModuleCounters counters;
    private final RunLock runLock;
    /** Client sessions refused for want of the cluster's secret ({@link SecretAuthenticator}), for {@code /metrics}. */
    private final AtomicLong sessionsRefused;
    private volatile boolean closed;

    /** How this process reaches its member's archive (to delete old snapshots: {@link SnapshotRetention}). */
    private final AeronArchive.Context archiveClient;

    private SequencerNode(NodeConfig config, ClusteredMediaDriver driver, ClusteredServiceContainer container, SequencerService service,
                          CompletableFuture<ServiceStop> stopped, CompletableFuture<Void> terminated, ModuleCounters counters,
                          AeronArchive.Context archiveClient, RunLock runLock, AtomicLong sessionsRefused) {
        this.config = config;
        this.sessionsRefused = sessionsRefused;
        this.terminated = terminated;
        this.counters = counters;
        this.runLock = runLock;
        this.archiveClient = archiveClient;
        this.stopped = stopped;
        this.driver = driver;
        this.container = container;
        this.service = service;
        this.snapshots = config.snapshotInterval().isZero() ? null : Thread.ofPlatform().daemon().name("snapshot-timer").start(this::snapshotLoop);
    }

    /** What this member holds and whether it leads. */
    public CompletableFuture<MemberStatus> status() {
        return service.status();
    }

    /**
     * {@code query} answered from this member's own state, once it is at sequence number {@code atLeastSeq} or later,
     * without entering the log ({@link LocalReads}): the reply's bytes, or {@link LocalReads.NotHere} when this member
     * cannot answer it in time (the caller then asks through the log). What the trader API's gateway reads with.
     */
    public CompletableFuture<byte[]> read(dev.clearline.sequencer.command.Command.Query query, long atLeastSeq) {
        return service.read(query, atLeastSeq);
    }

    /**
     * Completes, with the cause and what to do, if the service stops applying the log: this
     * member's settings disagree with the fingerprint the leader put in the log
     * ({@link ConfigFingerprint}), or applying a command threw. The process running this node
     * should then stop ({@code SequencerMain} exits with 3 or 5).
     */
    public CompletableFuture<ServiceStop> stopped() {
        return stopped;
    }

    /**
     * Completes when the cluster stops this member on purpose: {@code ./clearline sequencer --stop} on the leader
     * ({@link StopWithSnapshot}) has every member take a snapshot at the same log position, the end of the log, and
     * stop. The process running the node should then exit; its next start begins from that snapshot.
     */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    /**
     * Tells {@code watcher} why the leader's batch poster is halted (null: it posts), now and on every change the log
     * brings ({@link SequencerService#watchPosting}); on the service thread, so it must not block.
     */
    public void watchPosting(java.util.function.Consumer<String> watcher) {
        service.watchPosting(watcher);
    }

    /** Why the leader's batch poster is halted as this member's log last said; null while it posts. */
    public String postingHalt() {
        return service.postingHalt();
    }

    /** This member's role as its service last heard it (FOLLOWER before the first election). */
    public Cluster.Role role() {
        return service.role();
    }

    public boolean isLeader() {
        return service.role() == Cluster.Role.LEADER;
    }

    /**
     * Every member: after each snapshot it took (and once at start), deletes its snapshots older than the
     * newest two ({@link SnapshotRetention}) and the log no recovery reads again ({@link LogTrim}). The leader: asks for a snapshot every interval.
     * Neither once the member stopped applying the log ({@link #stopped}).
     */
    private void snapshotLoop() {
        long every = config.snapshotInterval().toNanos();
        long next = System.nanoTime() + every;
        SnapshotRetention retention = new SnapshotRetention(config.dir().resolve("cluster").toFile());
        LogTrim trim = new LogTrim(config.dir().resolve("cluster").toFile(), config.logStorage().keep());
        long retainedAt = -1;
        AeronArchive archive = null;
        try {
            while (!closed) {
                if (stopped.isDone() || counters.gone()) {
                    // a member that stopped applying the log asks for no snapshot (its state is not the log's) and deletes none of
                    // its own: any it takes now hold no state, and the older ones are what its next start falls back on; one the
                    // cluster stopped (--stop) has its snapshot at the end of the log, and its consensus module is closing
                    LockSupport.parkNanos(100_000_000L);
                    continue;
                }
                long taken = snapshotCount();
                if (taken != retainedAt) {
                    try {
                        if (archive == null) archive = AeronArchive.connect(archiveClient.clone());
                        retention.purge(archive);
                        trim.trim(archive, System.currentTimeMillis());
                        retainedAt = taken;
                    } catch (RuntimeException e) {
                        // the archive is not reachable yet (start-up) or went away (closing): try again on the next round
                        CloseHelper.quietClose(archive);
                        archive = null;
                        if (!closed) log.debug("event=snapshot_retention_deferred error=\"{}\"", e.getMessage());
                    }
                }
                LockSupport.parkNanos(Math.min(next - System.nanoTime(), 1_000_000_000L));
                if (closed || System.nanoTime() < next) continue;
                next = System.nanoTime() + every;
                // only the leader acts on the toggle; every member then snapshots at the same position
                if (isLeader() && !stopped.isDone() && !requestSnapshot()) log.info("event=snapshot_skipped reason=control_toggle_busy");
            }
        } finally {
            CloseHelper.quietClose(archive);
        }
    }

    public NodeConfig config() {
        return config;
    }

    /**
     * What a gateway in this JVM connects with: shared memory ({@link ClusterIngress#SAME_DRIVER}) when this node is the
     * whole cluster, every member's UDP ingress otherwise; the cluster's secret either way.
     */
    public ClusterIngress clientIngress() {
        return config.members().size() == 1 ? ClusterIngress.sameDriver(config.secret()) : config.ingress();
    }

    /**
     * How a gateway's thread and a {@link ClusterClient} wait for replies: {@link IdleMode#BACKOFF}
     * (10 spins, one yield, then parks from 50 µs doubling to 1 ms). A new request unparks a
     * gateway at once, so only replies wait for the park. The member's own agents wait as its
     * {@link NodeConfig#idle()} says.
     */
    public static Supplier<IdleStrategy> idle() {
        return IdleMode.BACKOFF.strategy();
    }

    /**
     * Starts the node on its directory, which it holds until {@link #close} ({@link RunLock}: refused at
     * once if another node runs on it; a killed run's mark files do not delay the start).
     */
    public static SequencerNode start(NodeConfig requested, SignatureVerifier verifier) throws IOException, InterruptedException {
        NodeConfig config = requested.withFreePorts();
        Files.createDirectories(config.dir());
        RunLock runLock = RunLock.take(config.dir(), ProcessHandle.current().pid(), System.currentTimeMillis());
        try {
            return start(config, verifier, runLock);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            runLock.close();
            throw e;
        }
    }

    private static SequencerNode start(NodeConfig config, SignatureVerifier verifier, RunLock runLock) throws IOException, InterruptedException {
        if (config.members().size() > 1 && !SnapshotSeed.applies(config)) {
            // back after the others deleted the log it needs: its copy moves aside, and it is seeded below like an empty one
            CatchUpCheck.setAsideIfBehind(config, System.currentTimeMillis());
        }
        if (SnapshotSeed.applies(config) && SnapshotSeed.seed(config, SEED_TIMEOUT) == SnapshotSeed.Outcome.NOT_SEEDED) {
            // an empty directory in a running cluster starts from the cluster's latest snapshot, not from genesis; without
            // that copy it may start empty only if the others still hold the log from its beginning (or none answers).
            // A new cluster (every other member answered with no log) has nothing to copy and nothing to check.
            CatchUpCheck.Positions p = CatchUpCheck.probe(config);
            if (p.behind()) {
                throw new IllegalStateException("member " + config.memberId() + " has no state of its own in " + config.dir() + " and did not"
                        + " finish copying the cluster's latest snapshot within " + SEED_TIMEOUT.toSeconds() + " s, and the others' logs start at "
                        + p.othersLogStart() + " (they delete theirs behind their snapshots, --keep-log-hours), so it cannot replay from genesis."
                        + " Start it again to retry the copy; over a slow link give it longer (CLEARLINE_JAVA_OPTS=-Dclearline.seed.timeoutSeconds=120)");
            }
        }
        long checkBegan = System.nanoTime(); // for the log line only
        ArchiveCheck.Report checked = ArchiveCheck.verify(config.dir(), config.memberId());
        if (checked.lastSegmentsRead() > 0) {
            log.info("event=archive_verified last_segments={} closed_read={} closed_read_mb={} closed_trusted={} closed_trusted_mb={} ms={}",
                    checked.lastSegmentsRead(), checked.closedSegmentsRead(), checked.closedBytesRead() >> 20, checked.closedSegmentsTrusted(),
                    checked.closedBytesTrusted() >> 20, (System.nanoTime() - checkBegan) / 1_000_000);
        }
        if (new File(config.dir().toFile(), "cluster/" + io.aeron.cluster.RecordingLog.RECORDING_LOG_FILE_NAME).exists()) {
            List<Long> gone = SnapshotRetention.missingFromNewestValid(config.dir().resolve("cluster").toFile(), config.dir().resolve("archive").toFile());
            if (!gone.isEmpty()) {
                // Aeron would try to load it and never start (its consensus module retries without end)
                throw new IllegalStateException("the newest snapshot the recording log in " + config.dir() + " names has no recordings left "
                        + gone + " (a member keeps its newest two snapshots, and the newer ones were set aside): run ./clearline sequencer --dir "
                        + config.dir() + " --drop-latest-snapshot, which sets it aside too, and start again");
            }
            String lost = LogTrim.unrecoverable(config.dir().resolve("cluster").toFile(), config.dir().resolve("archive").toFile());
            if (lost != null) {
                // Aeron would ask its archive for log it no longer holds, and never start
                throw new IllegalStateException("member " + config.memberId() + " in " + config.dir() + " cannot start: " + lost + ". In a cluster,"
                        + " delete this directory and start the member again with the same options: it copies the latest snapshot from the"
                        + " others. A single member: restore this directory from a backup, or rebuild from L1 (docs/replication.md, \"If every"
                        + " member loses its disk\")");
            }
        }
        long deadline = System.currentTimeMillis() + RESTART_WAIT_MS;
        while (true) {
            try {
                return launch(config, verifier, runLock);
            } catch (RuntimeException e) {
                String why = String.valueOf(e.getMessage());
                boolean staleMarkFile = why.contains("active") || why.contains("mark file") || why.contains("MarkFile");
                if (!staleMarkFile) throw e;
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the directory " + config.dir() + " is in use: Aeron finds a live mark file in it"
                            + " though no node holds its lock, and this one waited " + RESTART_WAIT_MS / 1000 + " s; stop whatever process uses"
                            + " that directory, or start this one with another --dir (Aeron: " + why + ")", e);
                }
                log.info("event=waiting_for_previous_run reason=\"{}\" hint=\"a mark file stays live 10 s after its process stops\"", why);
                Thread.sleep(1_000);
            }
        }
    }

    private static SequencerNode launch(NodeConfig config, SignatureVerifier verifier, RunLock runLock) {
        String aeronDir = config.aeronDir();
        // what Aeron's agents meet, in this node's log too (they record it only in their mark files)
        AeronErrorFeed errors = new AeronErrorFeed(System::currentTimeMillis, line -> log.warn(line));
        AtomicLong sessionsRefused = new AtomicLong();
        MediaDriver.Context driverCtx = new MediaDriver.Context()
                .errorHandler(errors.handlerFor("media_driver"))
                .aeronDirectoryName(aeronDir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(config.idle().strategy().get())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(true)
                .publicationTermBufferLength(1 << 20)
                .ipcTermBufferLength(1 << 20);
        Archive.Context archiveCtx = archiveContext(config, aeronDir).errorHandler(errors.handlerFor("archive"));
        AeronArchive.Context archiveClient = new AeronArchive.Context()
                .lock(NoOpLock.INSTANCE)
                .controlRequestChannel(archiveCtx.localControlChannel())
                .controlRequestStreamId(archiveCtx.localControlStreamId())
                .controlResponseChannel(archiveCtx.localControlChannel())
                .aeronDirectoryName(aeronDir);
        ConsensusModule.Context consensusCtx = new ConsensusModule.Context()
                .errorHandler(errors.handlerFor("consensus_module"))
                .clusterMemberId(config.memberId())
                .clusterMembers(config.aeronMembers())
                .clusterDir(config.dir().resolve("cluster").toFile())
                .ingressChannel("aeron:udp?term-length=1m")
                .logChannel("aeron:udp?term-length=" + config.logStorage().termBytes())
                .replicationChannel("aeron:udp?endpoint=" + config.self().host() + ":0")
                .archiveContext(archiveClient.clone())
                .isIpcIngressAllowed(config.members().size() == 1) // the node's own gateway, when it is the only member (clientIngress)
                // only a client with the cluster's secret may write to the log, which trusts the signers its gateways worked out
                .authenticatorSupplier(config.secret().authenticator(sessionsRefused))
                .sessionTimeoutNs(NodeConfig.SESSION_TIMEOUT.toNanos())
                .maxConcurrentSessions(NodeConfig.MAX_CLIENT_SESSIONS)
                .idleStrategySupplier(config.idle().strategy());
        NodeConfig.Timing t = config.timing();
        if (!t.leaderHeartbeatTimeout().isZero()) consensusCtx.leaderHeartbeatTimeoutNs(t.leaderHeartbeatTimeout().toNanos());
        if (!t.leaderHeartbeatInterval().isZero()) consensusCtx.leaderHeartbeatIntervalNs(t.leaderHeartbeatInterval().toNanos());
        if (!t.electionTimeout().isZero()) consensusCtx.electionTimeoutNs(t.electionTimeout().toNanos());
        if (!t.startupCanvassTimeout().isZero()) consensusCtx.startupCanvassTimeoutNs(t.startupCanvassTimeout().toNanos());
        // each term's first log entry and each snapshot then name the rules this member applies (SequencerService checks them)
        consensusCtx.appVersion(AppVersion.of(config.rules()));
        CompletableFuture<Void> terminated = new CompletableFuture<>();
        ModuleCounters counters = new ModuleCounters(() -> consensusCtx.snapshotCounter().get());
        consensusCtx.terminationHook(() -> {
            counters.closing(); // before the module closes and unmaps its counters: Aeron runs the hook first, on its thread
            terminated.complete(null);
        });
        CompletableFuture<ServiceStop> stopped = new CompletableFuture<>();
        SequencerService service = new SequencerService(config.genesis(), verifier, stopped::complete, config.maxReplyBytes(),
                config.dir().resolve(HISTORY_FILE), config.logStorage().keepHistory(), config.rules());
        ClusteredServiceContainer.Context serviceCtx = new ClusteredServiceContainer.Context()
                .errorHandler(errors.handlerFor("service"))
                .aeronDirectoryName(aeronDir)
                .archiveContext(archiveClient.clone())
                .clusterDir(config.dir().resolve("cluster").toFile())
                .clusteredService(service)
                .appVersion(AppVersion.of(config.rules()))
                .idleStrategySupplier(config.idle().strategy());
        ClusteredMediaDriver driver = null;
        try {
            driver = ClusteredMediaDriver.launch(driverCtx, archiveCtx, consensusCtx);
            ClusteredServiceContainer container = ClusteredServiceContainer.launch(serviceCtx);
            log.info("event=node_started member={} members={} dir={} ingress={} secret={} secrets_admitted={} idle={} rules={} leader_timeout_ms={}", config.memberId(),
                    config.members().size(), config.dir(), config.ingressEndpoints(), config.secret().fingerprint(), config.secret().admittedCount(), config.idle().option(), config.rules(),
                    t.leaderHeartbeatTimeout().isZero() ? "aeron_default" : Long.toString(t.leaderHeartbeatTimeout().toMillis()));
            return new SequencerNode(config, driver, container, service, stopped, terminated, counters, archiveClient.clone(), runLock, sessionsRefused);
        } catch (RuntimeException e) {
            CloseHelper.quietClose(driver);
            throw e;
        }
    }

    /**
     * A media driver of its own in {@code aeronDir} for work before the member starts (copying a snapshot from the
     * cluster, asking the others where their logs start), removed when closed.
     */
    static MediaDriver scratchDriver(NodeConfig config, String aeronDir) {
        return MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(aeronDir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(config.idle().strategy().get())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(true));
    }

    /** This member's archive: its recordings in {@code dir/archive}, every frame's checksum stored ({@link ArchiveCheck}). */
    static Archive.Context archiveContext(NodeConfig config, String aeronDir) {
        return new Archive.Context()
                .aeronDirectoryName(aeronDir)
                .archiveDir(config.dir().resolve("archive").toFile())
                .controlChannel("aeron:udp?endpoint=" + config.self().host() + ":" + config.self().archive())
                .localControlChannel("aeron:ipc?term-length=64k")
                .replicationChannel("aeron:udp?endpoint=" + config.self().host() + ":0")
                .recordingEventsEnabled(false)
                .recordChecksum(new FrameChecksum())
                .segmentFileLength(config.logStorage().segmentBytes())
                .threadingMode(ArchiveThreadingMode.SHARED)
                .idleStrategySupplier(config.idle().strategy())
                .archiveId(config.memberId() + 1);
    }

    /**
     * Asks the consensus module for a snapshot (taken at the next log position the service reaches).
     * Returns false when the toggle is busy with another action.
     */
    public boolean requestSnapshot() {
        AtomicCounter toggle = ClusterControl.findControlToggle(driver.mediaDriver().context().countersManager(),
                driver.consensusModule().context().clusterId());
        return ClusterControl.ToggleState.SNAPSHOT.toggle(toggle);
    }

    /**
     * Closes a single member after a snapshot at the end of its log ({@code ./clearline sequencer} and {@code up} on
     * Ctrl-C or SIGTERM): its next start loads that snapshot and replays nothing, and a build with other rules
     * ({@code RulesVersion}) may start there. A member of several just closes: a snapshot is the whole cluster's act
     * ({@code --stop} on the leader), and the others go on. So does a member that stopped applying the log (its
     * snapshot would hold no state), or one whose snapshot has not come within {@code timeout}: the log is on disk,
     * and the next start replays it from the last snapshot. Returns whether the snapshot was taken.
     */
    public boolean closeWithSnapshot(java.time.Duration timeout) {
        boolean taken = false;
        if (config.members().size() == 1 && !closed && !stopped.isDone() && !terminated.isDone()) {
            AtomicCounter toggle = ClusterControl.findControlToggle(driver.mediaDriver().context().countersManager(),
                    driver.consensusModule().context().clusterId());
            if (toggle != null && ClusterControl.ToggleState.SHUTDOWN.toggle(toggle)) {
                try {
                    terminated.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                    taken = true;
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    log.warn("event=stop_snapshot_missed timeout_ms={} action=close_without hint=\"the next start replays the log after the last snapshot\"",
                            timeout.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        close();
        return taken;
    }

    /** How many snapshots the consensus module has completed since this node started. */
    /** Client sessions the consensus module refused since this node started: they came without the cluster's secret. */
    public long sessionsRefused() {
        return sessionsRefused.get();
    }

    public long snapshotCount() {
        return counters.snapshots();
    }

    @Override
    public void close() {
        closed = true;
        if (snapshots != null) {
            LockSupport.unpark(snapshots);
            try {
                snapshots.join(5_000); // it may be deleting a snapshot through the archive that is about to close
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        counters.close(); // nothing of ours reads the module's counters once it is closed (ModuleCounters)
        try {
            CloseHelper.closeAll(container, driver);
        } finally {
            // only once Aeron has let go of the directory may another run take it
            CloseHelper.quietClose(runLock);
        }
    }
}
