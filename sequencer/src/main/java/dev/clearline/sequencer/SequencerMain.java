package dev.clearline.sequencer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.MarkFreshness;
import dev.clearline.sequencer.api.OrderLifetime;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.cluster.LeaderDuties;
import dev.clearline.sequencer.cluster.DiskWatch;
import dev.clearline.sequencer.cluster.HeapWatch;
import dev.clearline.sequencer.cluster.SnapshotRetention;
import dev.clearline.sequencer.cluster.IdleMode;
import dev.clearline.sequencer.cluster.LogStorage;
import dev.clearline.sequencer.cluster.LogTrim;
import dev.clearline.sequencer.cluster.ClusterSecret;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.StopOnSignal;
import dev.clearline.sequencer.cluster.StopWithSnapshot;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.cluster.ServiceStop;
import dev.clearline.sequencer.cluster.StatusEndpoint;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.l1.GatewayLink;
import dev.clearline.sequencer.poster.Deployment;
import dev.clearline.sequencer.poster.L1Side;
import dev.clearline.sequencer.cluster.TakeUpStart;
import dev.clearline.sequencer.state.Genesis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one sequencer: a cluster node (a single member, or one member of the cluster that
 * {@code --cluster-members} lists), the gateway and the trader API in this JVM.
 * <pre>
 *   sequencer [--dir DIR] [--host 127.0.0.1] [--port 8480] [--chain-id 31337] [--rollup 0x..]
 *             [--verify-threads N] [--rate-per-key 2000] [--rate-per-address 8000] [--max-order-lifetime none|90s|10m|2h|7d] [--max-mark-age none|60s|..] [--snapshot-every 60] [--keep-log-hours 24] [--keep-history-hours 24] [--drop-latest-snapshot] [--dev-setup N] [--take-up FILE]
 *             [--cluster-members 0=127.0.0.1:9000,1=127.0.0.1:9010,2=127.0.0.1:9020 --member-id 1 --cluster-secret-file FILE] [--new-cluster-secret FILE]
 *             [--status-port P] [--min-free-mb 256] [--idle low-cpu|backoff|spin]
 *             [--l1-rpc URL --manifest FILE [--operator-key HEX] [--confirmations 0] [--l1-interval-ms 1000]]
 *             [--dev-oracle MARKET=PRICE,... | --price-source FILE [--oracle-key HEX]]
 * </pre>
 * With {@code --l1-rpc} and {@code --manifest} the node runs its L1 side against that chain: it
 * takes the chain id and rollup from the manifest, carries the rollup's priority queue into its
 * log, and posts, finalizes and reports its batches with the operator key ({@code --operator-key}
 * or the environment variable {@code CLEARLINE_OPERATOR_KEY}, which keeps it out of the process list).
 * {@code --dev-oracle 1=10000} signs a price and funding index every second for the listed
 * markets whose oracle is the dev key ({@link DevAccounts#oracle()}), a random walk from the given
 * start price per lot: a devnet's feed, never a real one. {@code --price-source FILE} is the real
 * feed: HTTP JSON endpoints per market, polled, the median of the fresh and agreeing ones
 * ({@link dev.clearline.sequencer.oracle.PriceSourceConfig} describes the file), signed with the
 * oracle key ({@code --oracle-key} or {@code CLEARLINE_ORACLE_KEY}) for the markets whose oracle it is.
 * {@code --max-order-lifetime 7d} makes the trader API take only orders that expire within that
 * long of the node's clock ({@link OrderLifetime}: then nothing an order leaves in the state outlives
 * it); the default {@code none} takes orders without expiry too. {@code --max-mark-age 60s} takes only
 * cancels and reduce-only orders in a market whose last oracle price is older ({@link MarkFreshness});
 * the default is 60 s on a node that feeds prices itself, none otherwise.
 * {@code --dev-setup N} lists market 1 and credits dev traders 0..N-1 on a fresh state (dev keys,
 * see {@link DevAccounts}; in a cluster only the lowest member id does it). Each member's gateway
 * sends its requests to whichever member leads; only the leader's process sends time ticks.
 * {@code --status-port} serves this member's own role, seq and state root ({@code GET /member}).
 * {@code --idle} is how the node's agents wait for work ({@link IdleMode}; default {@code backoff}
 * for a single member, {@code low-cpu} for a member of several): {@code spin} only when each member
 * has dedicated cores.
 * {@code --min-free-mb} (default 256): with less free space than this on the disk of {@code --dir}
 * the member does not start, or stops (exit code 4) when it gets there, so a cluster's others carry
 * on; a damaged recorded log stops it before it starts (exit code 70, {@code ArchiveCheck}); a
 * member whose settings differ from the cluster's log stops with exit code 3 ({@code ConfigFingerprint}),
 * and one whose state machine fails on a committed command (a bug) stops with exit code 5; one whose latest
 * snapshot does not load stops with exit code 6, and {@code --drop-latest-snapshot} (the member stopped: refused, exit 2, while a node holds the directory) sets
 * that snapshot aside so that the next start uses the one before it, or the whole log (it refuses when the
 * log that start would replay was already deleted). {@code --keep-log-hours} (default 24, or {@code forever}): how
 * much recorded log a member keeps behind its older snapshot, for another member that was down to catch up
 * from ({@link dev.clearline.sequencer.cluster.LogStorage}); whole segment files before it are deleted.
 * {@code --keep-history-hours} (default 24, or {@code forever}): how much command history (the {@code HISTORY} audit
 * query's) each snapshot keeps, by log time, so that snapshots stop growing with every command ever taken. A start that
 * fails on the way (the API's port taken, the cluster not answering) ends the process with exit code 1.
 * Prints {@code SEQUENCER_READY port=P seq=S member=M status=Q} once it serves.
 * The JVM needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (the launcher adds it).
 */
public final class SequencerMain {
    private SequencerMain() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception e) {
            // A start that fails half-way (the API's port taken, the cluster not answering a starved process) leaves
            // Aeron's driver thread running: without an exit the process would neither serve nor end, and nothing
            // that supervises it would know to start it again.
            System.err.println("sequencer: stopped: " + reason(e) + ". Nothing acknowledged is lost (the log is on disk);"
                    + " fix the cause and start this member again");
            System.err.flush();
            System.exit(1);
        }
    }

    /** An exception's message and its causes', in one line. */
    static String reason(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 2_000; t = t.getCause()) {
            if (!b.isEmpty()) b.append(": ");
            b.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return b.toString();
    }

    private static void run(String[] args) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) System.setProperty("logback.configurationFile", "sequencer-logback.xml");
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(SequencerOptions.help());
            System.out.flush();
            return;
        }
        Map<String, String> opts = parse(args);
        if (opts == null) {
            System.err.println("sequencer: ./clearline sequencer --help lists the options and what each does");
            System.exit(2);
        }
        Path dir = Path.of(opts.getOrDefault("dir", System.getProperty("user.home") + "/.clearline/sequencer"));
        if (opts.containsKey("new-cluster-secret")) {
            System.exit(newClusterSecret(Path.of(opts.get("new-cluster-secret")), new java.security.SecureRandom(), System.out, System.err));
            return;
        }
        if (opts.containsKey("stop")) {
            StopWithSnapshot.Outcome done = StopWithSnapshot.stop(dir, java.time.Duration.ofSeconds(120), StopWithSnapshot.EXIT_GRACE, System::currentTimeMillis,
                    line -> System.err.println("sequencer: " + line));
            (done.exitCode() == 0 ? System.out : System.err).println("sequencer: " + done.message());
            System.exit(done.exitCode());
            return;
        }
        OptionValues values = new OptionValues(opts);
        long chainId;
        int verifyThreads, devTraders, port;
        double rate, addressRate;
        long maxLifetime, maxMarkAge;
        long snapshotEvery, batchSeconds, minFreeMb;
        Integer statusPort;
        try {
            chainId = values.whole("chain-id", 31337, 1, Long.MAX_VALUE, "a chain id");
            verifyThreads = values.wholeInt("verify-threads", Runtime.getRuntime().availableProcessors(), 1, 256, "a number of threads");
            rate = values.positive("rate-per-key", 2000, "requests a second per trader key");
            addressRate = values.positive("rate-per-address", 4 * rate, "requests a second per client address");
            maxLifetime = values.lifetime("max-order-lifetime", 0);
            // a node that feeds prices itself sends one a second: a minute without one is a feed that stopped
            boolean feeds = opts.containsKey("dev-oracle") || opts.containsKey("price-source");
            maxMarkAge = values.lifetime("max-mark-age", feeds ? MarkFreshness.DEFAULT_WITH_FEED_SECONDS : 0);
            snapshotEvery = values.whole("snapshot-every", NodeConfig.DEFAULT_SNAPSHOT_INTERVAL.toSeconds(), 0, 86_400, "seconds between snapshots (0: none)");
            batchSeconds = values.whole("batch-seconds", Genesis.BATCH_SECONDS, 1, 3_600, "the seconds a batch stays open before it is sealed");
            devTraders = values.wholeInt("dev-setup", 0, 0, 10_000, "a number of dev traders");
            minFreeMb = values.whole("min-free-mb", 256, 0, Long.MAX_VALUE >> 20, "megabytes");
            port = values.wholeInt("port", 8480, 0, 65_535, "a TCP port (0: any free one)");
            statusPort = opts.containsKey("status-port") ? values.wholeInt("status-port", 0, 0, 65_535, "a TCP port (0: any free one)") : null;
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        Genesis dev = Genesis.devnet(Address.fromHex(opts.getOrDefault("rollup", "0x5FbDB2315678afecb367f032d93F642f64180aa3")));
        BatchPolicy batches = new BatchPolicy(dev.batches().maxTransitions(), batchSeconds);
        Genesis genesis = new Genesis(chainId, dev.verifyingContract(), dev.books(), batches);
        L1Side.Settings l1 = l1Settings(opts);
        if (l1 != null) {
            genesis = new Genesis(l1.deployment().chainId(), Address.fromHex(l1.deployment().rollup()), dev.books(), batches);
        }
        java.util.function.Function<GatewayLink, dev.clearline.sequencer.oracle.OracleFeed> oracleFeed = oracle(opts, genesis);

        NodeConfig config;
        try {
            config = nodeConfig(opts, dir, genesis, snapshotEvery);
        } catch (IllegalArgumentException e) {
            System.err.println("sequencer: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (opts.containsKey("drop-latest-snapshot")) {
            System.exit(dropLatestSnapshot(dir));
            return;
        }
        TakeUpStart.L1Tip l1Tip = l1 != null ? checkL1(l1, config, batchSeconds) : null;
        java.nio.file.Files.createDirectories(dir);
        if (opts.containsKey("take-up")) {
            String refused = TakeUpStart.place(Path.of(opts.get("take-up")), dir, genesis, l1Tip, config.members().size() > 1,
                    warning -> System.err.println("event=take_up_behind_l1 member=" + config.memberId() + " warning=\"" + warning + "\""));
            if (refused != null) fail(refused);
        }
        int self = config.memberId();
        // below this much free disk the member stops (before it starts, or whenever it gets there) so the others carry on
        DiskWatch disk = new DiskWatch(dir, minFreeMb << 20, DiskWatch.usableSpace(dir), 1_000, why -> {
            System.err.println("sequencer: member " + self + " stopped: " + why);
            System.err.flush();
            Thread.ofPlatform().start(() -> System.exit(4));
        });
        if (disk.check()) {
            Thread.sleep(Long.MAX_VALUE); // the callback exits
        }
        disk.start();
        // the state keeps every order taken: tell the operator before the heap runs out (readings each second, floor over 30 s)
        new HeapWatch(HeapWatch.heapUsed(), Runtime.getRuntime().maxMemory(), 30, 1_000,
                "./clearline sequencer <the same options> (in a cluster, one member at a time: the others keep serving)",
                why -> System.err.println("sequencer: member " + self + ": " + why)).start();
        SequencerNode node;
        try {
            node = SequencerNode.start(config, new NativeSecp256k1Verifier());
        } catch (IllegalStateException e) {
            // a damaged log, a directory another running node holds: the message says what to do
            System.err.println("sequencer: member " + config.memberId() + " cannot start: " + e.getMessage());
            System.exit(70);
            return;
        }
        int member = config.memberId();
        java.util.concurrent.atomic.AtomicBoolean exiting = new java.util.concurrent.atomic.AtomicBoolean();
        node.terminated().thenRun(() -> {
            // a single node stopped by a signal ends this way too, from the shutdown hook (closeWithSnapshot): it is exiting already
            if (exiting.get()) return;
            // asked to stop (--stop on the leader): the snapshot at the end of the log is taken; the shutdown hook closes the rest
            org.slf4j.LoggerFactory.getLogger(SequencerMain.class).info("event=node_terminated member={} reason=\"the cluster was stopped with a snapshot\"",
                    member);
            System.err.println("sequencer: member " + member + " stopped with the cluster, after a snapshot at the end of the log; its next start"
                    + " begins there");
            System.err.flush();
            Thread.ofPlatform().start(() -> System.exit(0));
        });
        node.stopped().thenAccept(stop -> {
            // stop this member only: the others keep serving (off the service thread, which the shutdown hook stops)
            // a node alone has no others to rejoin from: its log is the only copy of what it took
            String advice = stop.cause() == ServiceStop.Cause.CONFIG_MISMATCH && config.members().size() == 1
                    ? "Its log was written with other settings (by another build, or with another --chain-id, --rollup or --manifest):"
                    + " start it with the settings the log was made with, or give a fresh --dir for a new chain of batches"
                    : stop.advice();
            System.err.println("sequencer: member " + member + " stopped: " + stop.finding() + ". " + advice);
            System.err.flush();
            int code = switch (stop.cause()) {
                case CONFIG_MISMATCH, RULES_MISMATCH -> 3;
                case APPLY_FAILED -> 5;
                case SNAPSHOT_UNREADABLE -> 6;
            };
            Thread.ofPlatform().start(() -> System.exit(code));
        });
        Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), genesis.domain(),
                new NativeSecp256k1Verifier(), verifyThreads);
        // the API's reads are answered by this member from its own state, not through the log (LocalReads)
        gateway.readLocally(node::read);
        ObjectNode state = gateway.query(Command.QueryKind.STATE, 0, null, null).get(120, TimeUnit.SECONDS);
        boolean setsUp = config.memberId() == config.members().stream().mapToInt(NodeConfig.Member::id).min().orElseThrow();
        if (devTraders > 0 && setsUp && state.path("markets").isEmpty()) devSetup(gateway, genesis.domain(), devTraders);
        // an operator trying the node needs the keys to trade with (./clearline order --key ...): well known, never for value
        for (int i = 0; i < devTraders; i++) {
            org.slf4j.LoggerFactory.getLogger(SequencerMain.class).info("event=dev_trader index={} address={} key={} note=\"a public dev key: never use it for value\"",
                    i, DevAccounts.trader(i).address(), DevAccounts.traderKeyHex(i));
        }
        // the API's port first: a port in use ends the start before the L1 side bonds and posts
        String host = opts.getOrDefault("host", "127.0.0.1");
        TraderApi api;
        // the oracle feeds stamp prices with this clock too
        MarkFreshness marks = new MarkFreshness(maxMarkAge, () -> System.currentTimeMillis() / 1000);
        try {
            api = new TraderApi(gateway, new RateLimiter(rate, rate, System::nanoTime), new RateLimiter(addressRate, addressRate, System::nanoTime),
                    new OrderLifetime(maxLifetime, () -> System.currentTimeMillis() / 1000), marks, host, port, TraderApi.DEFAULT_MAX_REQUEST_BYTES);
        } catch (java.io.IOException e) {
            gateway.close();
            node.close();
            fail("the trader API cannot listen on " + host + ":" + port + " (" + reason(e) + "); pass --port with a free port, or 0 for any");
            return;
        }
        // the L1 loop of the leader's duty while this member runs it, for /metrics
        java.util.concurrent.atomic.AtomicReference<dev.clearline.sequencer.poster.L1Loop> l1Loop = new java.util.concurrent.atomic.AtomicReference<>();
        StatusEndpoint status = opts.containsKey("status-port") ? new StatusEndpoint(node, host, statusPort, m -> {
            api.writeMetrics(m);
            if (l1 == null) return;
            var loop = l1Loop.get();
            m.gauge("clearline_l1_poster_active", "1 while this member runs the L1 side (the leader does; 0 on followers)", loop == null ? 0 : 1);
            if (loop != null) loop.writeMetrics(m);
        }) : null;
        AutoCloseable l1Side = startL1Side(l1, config, node, gateway, api, l1Loop);
        dev.clearline.sequencer.oracle.OracleFeed oracle = oracleFeed == null ? null : oracleFeed.apply(new GatewayLink(gateway));

        CountDownLatch stop = new CountDownLatch(1);
        StopOnSignal.install(0);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            exiting.set(true);
            try {
                l1Side.close();
                api.close();
                gateway.close();
                if (status != null) status.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
            // nothing comes in any more: a single node takes a snapshot at the end of its log, so its next start replays nothing
            if (node.closeWithSnapshot(java.time.Duration.ofSeconds(30))) {
                org.slf4j.LoggerFactory.getLogger(SequencerMain.class).info("event=stopped_with_snapshot member={}", config.memberId());
            }
            stop.countDown();
        }, "shutdown"));
        long seq = gateway.query(Command.QueryKind.STATE, 0, null, null).get(60, TimeUnit.SECONDS).path("seq").asLong();
        System.out.println("SEQUENCER_READY port=" + api.port() + " seq=" + seq + " member=" + config.memberId()
                + (status == null ? "" : " status=" + status.port()));
        System.out.flush();
        // outside the state machine: wall-clock ticks (batch sealing by age), from the leader's process only
        // (the node itself asks for the periodic snapshots)
        GatewayLink marketsLink = new GatewayLink(gateway);
        while (!stop.await(1, TimeUnit.SECONDS)) {
            if (node.isLeader()) {
                long now = System.currentTimeMillis() / 1000;
                gateway.submit((id, s) -> new Command.TimeTick(id, s, now));
                if (oracle != null) {
                    try {
                        oracle.publish(now);
                    } catch (java.io.IOException e) {
                        System.err.println("event=oracle_round_failed error=\"" + e.getMessage() + "\"");
                    }
                }
            }
            // every member's API applies the rule, after the oracle round so that a price just sent counts
            if (marks.limited()) marketsLink.observeMarks(marks);
        }
    }

    /** The node's config: a single member on free ports, or the member {@code --member-id} of {@code --cluster-members}. */
    /**
     * Marks the latest snapshot in {@code dir}'s recording log invalid (Aeron's own tool does it), so
     * the member's next start uses the snapshot before it or replays the log from its beginning.
     * For a snapshot this build cannot load; the member must be stopped.
     */
    static int dropLatestSnapshot(Path dir) {
        java.io.File cluster = dir.resolve("cluster").toFile();
        if (!cluster.isDirectory()) {
            System.err.println("sequencer: no cluster directory in " + dir + "; give the member's --dir");
            return 2;
        }
        // the member must be stopped: a running one would go on from the snapshot this sets aside
        dev.clearline.sequencer.cluster.RunLock held;
        try {
            held = dev.clearline.sequencer.cluster.RunLock.take(dir, ProcessHandle.current().pid(), System.currentTimeMillis());
        } catch (IllegalStateException | java.io.IOException e) {
            System.err.println("sequencer: nothing set aside: " + e.getMessage());
            return 2;
        }
        try (held) {
            return dropLatestSnapshotStopped(dir, cluster);
        } catch (java.io.IOException e) {
            System.err.println("sequencer: cannot release the lock on " + dir + ": " + e.getMessage());
            return 2;
        }
    }

    private static int dropLatestSnapshotStopped(Path dir, java.io.File cluster) {
        java.io.File archive = dir.resolve("archive").toFile();
        // first on a copy of the recording log: setting aside cannot be undone, and it must not leave a member that
        // would replay log it deleted after its snapshots
        String lost;
        try {
            Path trial = java.nio.file.Files.createTempDirectory("recording-log");
            try {
                java.nio.file.Files.copy(cluster.toPath().resolve(io.aeron.cluster.RecordingLog.RECORDING_LOG_FILE_NAME),
                        trial.resolve(io.aeron.cluster.RecordingLog.RECORDING_LOG_FILE_NAME));
                setAsideLatest(trial.toFile(), archive);
                lost = LogTrim.unrecoverable(trial.toFile(), archive);
            } finally {
                java.nio.file.Files.deleteIfExists(trial.resolve(io.aeron.cluster.RecordingLog.RECORDING_LOG_FILE_NAME));
                java.nio.file.Files.deleteIfExists(trial);
            }
        } catch (java.io.IOException e) {
            System.err.println("sequencer: cannot read the recording log in " + cluster + ": " + e.getMessage());
            return 2;
        }
        if (lost != null) {
            System.err.println("sequencer: nothing set aside in " + dir + ": without its latest snapshot this member " + lost
                    + ". Keep the snapshot and fix what keeps it from loading (a build that can read it), or, in a cluster, delete this"
                    + " directory and start the member again: it copies the latest snapshot from the others");
            return 1;
        }
        String[] aeron = new String[1];
        int gone = setAsideLatest(cluster, archive, aeron);
        if (gone < 0) {
            System.err.println("sequencer: no snapshot to set aside in " + dir + (aeron[0].isEmpty() ? "" : " (" + aeron[0] + ")")
                    + "; the member starts from its log");
            return 1;
        }
        System.out.println("sequencer: the latest snapshot in " + dir + " is set aside" + (gone == 0 ? "" : ", and " + gone
                + " older one(s) whose recordings were deleted (a member keeps its newest two)") + "; the next start uses the snapshot before"
                + " it (or none) and replays the log after it" + (aeron[0].isEmpty() ? "" : " (" + aeron[0] + ")"));
        return 0;
    }

    private static int setAsideLatest(java.io.File cluster, java.io.File archive) {
        return setAsideLatest(cluster, archive, new String[1]);
    }

    /**
     * Marks the latest snapshot in {@code cluster}'s recording log invalid (Aeron's own tool), then, while the newest valid
     * one has lost its recordings, that one too; returns how many of those, or -1 when there was none to set aside.
     * {@code said[0]} gets what Aeron's tool printed.
     */
    private static int setAsideLatest(java.io.File cluster, java.io.File archive, String[] said) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        boolean dropped;
        try (java.io.PrintStream print = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8)) {
            dropped = io.aeron.cluster.ClusterTool.invalidateLatestSnapshot(print, cluster);
        }
        said[0] = out.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        if (!dropped) return -1;
        // a member keeps its newest two snapshots: the ones before them may have been deleted, and Aeron would try to
        // load one of those and never start; set those aside too, so the next start finds a whole one or replays the log
        int gone = 0;
        while (!SnapshotRetention.missingFromNewestValid(cluster, archive).isEmpty()) {
            try (java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream())) {
                if (!io.aeron.cluster.ClusterTool.invalidateLatestSnapshot(quiet, cluster)) break;
            }
            gone++;
        }
        return gone;
    }

    static NodeConfig nodeConfig(Map<String, String> opts, Path dir, Genesis genesis, long snapshotEverySeconds) {
        if (snapshotEverySeconds < 0) throw new IllegalArgumentException("--snapshot-every must be 0 (off) or a number of seconds");
        java.time.Duration interval = java.time.Duration.ofSeconds(snapshotEverySeconds);
        // the term and segment lengths are no operator's choice; tests shrink them (-Dclearline.log.termBytes, segmentBytes)
        // to see a log trimmed after a few hundred orders
        LogStorage storage = new LogStorage(Integer.getInteger("clearline.log.termBytes", LogStorage.DEFAULT.termBytes()),
                Integer.getInteger("clearline.log.segmentBytes", LogStorage.DEFAULT.segmentBytes()),
                opts.containsKey("keep-log-hours") ? LogStorage.parseHours(opts.get("keep-log-hours")) : LogStorage.DEFAULT.keep(),
                opts.containsKey("keep-history-hours") ? LogStorage.parseHistoryHours(opts.get("keep-history-hours")) : LogStorage.DEFAULT_HISTORY);
        String members = opts.get("cluster-members");
        if (members == null) {
            if (opts.containsKey("member-id")) throw new IllegalArgumentException("--member-id needs --cluster-members (the list of every member's endpoints)");
            if (opts.containsKey("leader-timeout-ms")) {
                throw new IllegalArgumentException("--leader-timeout-ms is for a member of a cluster (--cluster-members): a single node has no leader to lose");
            }
            NodeConfig single = NodeConfig.ephemeral(dir, genesis).withSnapshotInterval(interval).withLogStorage(storage);
            if (opts.containsKey("cluster-secret-file")) single = single.withSecret(secret(Path.of(opts.get("cluster-secret-file"))));
            return opts.containsKey("idle") ? single.withIdle(IdleMode.parse(opts.get("idle"))) : single;
        }
        String id = opts.get("member-id");
        if (id == null) throw new IllegalArgumentException("--cluster-members needs --member-id (which of the listed members this one is)");
        int memberId;
        try {
            memberId = Integer.parseInt(id);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--member-id " + id + " is not a number; use one of the ids in --cluster-members");
        }
        String secretFile = opts.get("cluster-secret-file");
        if (secretFile == null) {
            // without it anyone who reaches a member's ingress port could write orders in any trader's name into the log
            throw new IllegalArgumentException("--cluster-members needs --cluster-secret-file (the secret the members admit gateways with): make one"
                    + " with: ./clearline sequencer --new-cluster-secret cluster.secret (or openssl rand -hex " + ClusterSecret.BYTES
                    + " > cluster.secret), and give every member the same file");
        }
        NodeConfig member = NodeConfig.member(dir, genesis, memberId, NodeConfig.Member.parseList(members), interval,
                secret(Path.of(secretFile))).withLogStorage(storage);
        if (opts.containsKey("leader-timeout-ms")) {
            long ms = new OptionValues(opts).whole("leader-timeout-ms", 0, NodeConfig.Timing.SHORTEST_LEADER_TIMEOUT.toMillis(),
                    NodeConfig.Timing.LONGEST_LEADER_TIMEOUT.toMillis(), "milliseconds");
            member = member.withTiming(NodeConfig.Timing.forLeaderTimeout(java.time.Duration.ofMillis(ms)));
        }
        return opts.containsKey("idle") ? member.withIdle(IdleMode.parse(opts.get("idle"))) : member;
    }

    /**
     * Writes a new cluster secret to {@code file}, readable by its owner only, and says its fingerprint; refuses a file
     * that exists (a cluster's secret is changed by a rotation, never overwritten). Returns the exit code.
     */
    static int newClusterSecret(Path file, java.security.SecureRandom random, java.io.PrintStream out, java.io.PrintStream err) {
        if (java.nio.file.Files.exists(file)) {
            err.println("sequencer: " + file + " exists, and a cluster's secret is never overwritten: members started with it would refuse every"
                    + " gateway given the new one. To change it, write the new one to another file and add it as a second line"
                    + " (docs/replication.md, \"Changing the cluster's secret\")");
            return 2;
        }
        try {
            ClusterSecret secret = ClusterSecret.generate(random);
            secret.writeTo(file);
            out.println("sequencer: wrote a new cluster secret to " + file + " (fingerprint " + secret.fingerprint() + ", readable by you only);"
                    + " give every member of the cluster the same file: --cluster-secret-file " + file);
            return 0;
        } catch (java.io.IOException e) {
            err.println("sequencer: cannot write the cluster secret to " + file + " (" + e.getMessage() + "); give a path in a directory you may write");
            return 2;
        }
    }

    /** The cluster's secret from {@code file}; a warning when others than its owner may read it (it admits writers to the log). */
    static ClusterSecret secret(Path file) {
        ClusterSecret s = ClusterSecret.read(file);
        if (ClusterSecret.readableByOthers(file)) {
            org.slf4j.LoggerFactory.getLogger(SequencerMain.class).warn("event=cluster_secret_readable file={} hint=\"other users of this machine can read "
                    + "the secret that lets a client write to the cluster's log: chmod 600 {}\"", file, file);
        }
        return s;
    }

    /** Lists market 1 (tick 100, lot 1000) with the dev oracle and credits dev traders 0..traders-1. */
    public static void devSetup(Gateway gateway, Eip712 domain, int traders) throws Exception {
        Signer oracle = DevAccounts.oracle();
        List<java.util.concurrent.CompletableFuture<ObjectNode>> done = new ArrayList<>();
        long p = 0;
        long pi = p++;
        done.add(gateway.submit((id, s) -> new Command.L1Op(id, s,
                new Transition.MarketConfig(pi, 0, 1, 100, 1_000, 100_000, 50_000, 200, 500, oracle.address()))));
        for (int i = 0; i < traders; i++) {
            long index = p++;
            Address a = DevAccounts.trader(i).address();
            done.add(gateway.submit((id, s) -> new Command.L1Op(id, s, new Transition.Deposit(index, 0, a, 1_000_000_000_000L))));
        }
        long ts = System.currentTimeMillis() / 1000;
        Transition.OraclePrice price = new Transition.OraclePrice(1, 10_000, 0, ts, oracle.sign(domain.oraclePriceDigest(1, 10_000, 0, ts)));
        done.add(gateway.submit((id, s) -> new Command.Oracle(id, s, price)));
        for (var f : done) f.get(60, TimeUnit.SECONDS);
    }

    private static final java.util.Set<String> OPTIONS = SequencerOptions.withValue();

    /**
     * A private key from {@code --NAME-file} (kept out of the process list, which shows
     * {@code --NAME} to every user of the machine), {@code --NAME} or the environment; null when
     * none is given. A file that cannot be read ends the process with its reason.
     */
    static String key(Map<String, String> opts, String name, String env) {
        try {
            return key(opts, name, env, System.getenv());
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return null;
        }
    }

    /**
     * The key option {@code name} gives, as hex: {@code --NAME HEX}, {@code --NAME-file FILE}, {@code --NAMEstore FILE} (with
     * its password option) or {@code $ENV}, one of them; null when none does. A fault is an IllegalArgumentException.
     */
    static String key(Map<String, String> opts, String name, String env, Map<String, String> environment) {
        String file = opts.get(name + "-file");
        String store = opts.get(name + "store");
        if (file != null && opts.containsKey(name)) {
            throw new IllegalArgumentException("--" + name + " and --" + name + "-file give the same key twice; keep --" + name + "-file");
        }
        if (store != null && (file != null || opts.containsKey(name))) {
            throw new IllegalArgumentException("--" + name + "store and --" + name + (file != null ? "-file" : "") + " give the same key twice;"
                    + " keep --" + name + "store");
        }
        String passwordOption = name.replaceFirst("-key$", "") + "-password-file";
        if (opts.containsKey(passwordOption) && store == null) {
            throw new IllegalArgumentException("--" + passwordOption + " opens --" + name + "store, and none is given");
        }
        if (store != null) return fromKeystore(store, "--" + name + "store", opts.get(passwordOption), "--" + passwordOption, environment);
        if (file == null) return opts.getOrDefault(name, environment.get(env));
        try {
            return java.nio.file.Files.readString(Path.of(file)).strip();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--" + name + "-file " + file + " cannot be read (" + unreadable(e) + "); give the file that holds"
                    + " the key as 64 hex digits", e);
        }
    }

    /**
     * The key in an Ethereum V3 keystore as 64 hex digits, its password the first line of {@code passwordFile}, else {@code
     * $CLEARLINE_KEYSTORE_PASSWORD} in {@code env}: a node has no terminal to ask on. A fault is an IllegalArgumentException
     * naming the file to fix.
     */
    static String fromKeystore(String store, String option, String passwordFile, String passwordOption, Map<String, String> env) {
        String json;
        try {
            json = java.nio.file.Files.readString(Path.of(store));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(option + " " + store + " cannot be read (" + unreadable(e) + "); give the Ethereum V3 keystore that"
                    + " holds the key", e);
        }
        dev.clearline.prover.l1.Keystores.Keystore keystore;
        try {
            keystore = dev.clearline.prover.l1.Keystores.parse(json);
        } catch (dev.clearline.prover.l1.Keystores.Refused e) {
            throw new IllegalArgumentException(option + " " + store + " is not an Ethereum V3 keystore (" + e.getMessage() + "); ./clearline"
                    + " keystore new FILE --import-key-file KEYFILE makes one of a key file", e);
        }
        String password;
        String from;
        if (passwordFile != null) {
            try {
                password = dev.clearline.prover.l1.Keystores.firstLine(java.nio.file.Files.readString(Path.of(passwordFile)));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(passwordOption + " " + passwordFile + " cannot be read (" + unreadable(e) + "); give the file whose first"
                        + " line is the password", e);
            }
            from = passwordOption + " " + passwordFile;
        } else {
            password = env.get(KEYSTORE_PASSWORD_ENV);
            if (password == null) {
                throw new IllegalArgumentException(option + " " + store + " needs its password, and a node asks no one: give " + passwordOption
                        + " FILE or set " + KEYSTORE_PASSWORD_ENV);
            }
            from = "$" + KEYSTORE_PASSWORD_ENV;
        }
        try {
            return String.format("%064x", keystore.open(password.toCharArray()).getEcKeyPair().getPrivateKey());
        } catch (dev.clearline.prover.l1.Keystores.Refused e) {
            throw new IllegalArgumentException(switch (e.fault()) {
                case WRONG_PASSWORD -> "the password from " + from + " does not open " + option + " " + store + "; give the one it was written with";
                case ALTERED -> option + " " + store + " " + e.getMessage() + ": the file was altered; use the keystore as it was written";
                default -> option + " " + store + " cannot be read (" + e.getMessage() + "); a V3 keystore with aes-128-ctr and scrypt or"
                        + " pbkdf2 is what it takes";
            }, e);
        }
    }

    private static String unreadable(java.io.IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "it does not exist";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        return String.valueOf(e.getMessage());
    }

    /** The keystores' password when no password file is given (the name the CLI reads too). */
    static final String KEYSTORE_PASSWORD_ENV = "CLEARLINE_KEYSTORE_PASSWORD";

    /** The L1 side's settings, or null without {@code --l1-rpc}; a bad setting ends the process with a one-line reason. */
    static L1Side.Settings l1Settings(Map<String, String> opts) {
        if (!opts.containsKey("l1-rpc") && !opts.containsKey("manifest")) return null;
        String rpc = opts.get("l1-rpc");
        String manifest = opts.get("manifest");
        String key = key(opts, "operator-key", "CLEARLINE_OPERATOR_KEY");
        if (rpc == null || manifest == null || key == null) {
            fail("the L1 side needs --l1-rpc, --manifest and an operator key (--operator-keystore, --operator-key-file, CLEARLINE_OPERATOR_KEY or --operator-key)");
        }
        if (opts.containsKey("chain-id") || opts.containsKey("rollup")) fail("--chain-id and --rollup come from the manifest; drop them");
        try {
            var deployment = Deployment.read(Path.of(manifest));
            if (!key.matches("(0x)?[0-9a-fA-F]{64}")) fail("the operator key must be 64 hex digits (with or without 0x)");
            OptionValues values = new OptionValues(opts);
            java.math.BigInteger gwei = java.math.BigInteger.TEN.pow(9);
            long minTip = values.whole("min-tip-gwei", 1, 0, 1_000_000, "gwei");
            long maxFee = values.whole("max-fee-gwei", 500, 1, 1_000_000, "gwei");
            if (maxFee < minTip) fail("--max-fee-gwei " + maxFee + " is below --min-tip-gwei " + minTip + ": no transaction could be sent");
            return new L1Side.Settings(rpc, deployment, org.web3j.crypto.Credentials.create(key),
                    values.whole("l1-interval-ms", 1000, 10, 3_600_000, "milliseconds between L1 rounds"),
                    values.wholeInt("confirmations", L1Side.CONFIRMATIONS_UNSET, 0, 1_000, "a number of blocks"),
                    dev.clearline.prover.l1.TxSender.FeePolicy.defaults().withMinTip(java.math.BigInteger.valueOf(minTip).multiply(gwei))
                            .withMaxFeeCap(java.math.BigInteger.valueOf(maxFee).multiply(gwei))
                            .withResendAfter(values.whole("resend-after-ms", 6_000, 100, 3_600_000, "milliseconds")));
        } catch (java.io.IOException e) {
            fail(e.getMessage());
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        }
        return null;
    }

    /**
     * The oracle feed the options ask for, checked before anything starts (a bad spec ends the
     * process with its reason): the dev oracle, the price-source file, or none.
     */
    static java.util.function.Function<GatewayLink, dev.clearline.sequencer.oracle.OracleFeed> oracle(Map<String, String> opts, Genesis genesis) {
        String devSpec = opts.get("dev-oracle");
        String file = opts.get("price-source");
        if (devSpec != null && file != null) fail("--dev-oracle and --price-source are two feeds for the same markets; pick one");
        if ((opts.containsKey("oracle-key") || opts.containsKey("oracle-key-file") || opts.containsKey("oracle-keystore")) && file == null) {
            fail("--oracle-key signs the prices of --price-source; --dev-oracle always signs with the dev key");
        }
        if (file != null) {
            String key = key(opts, "oracle-key", "CLEARLINE_ORACLE_KEY");
            if (key == null) {
                fail("--price-source needs the oracle key the markets were listed with: --oracle-keystore FILE, --oracle-key-file FILE, CLEARLINE_ORACLE_KEY or --oracle-key HEX");
            }
            if (!key.matches("(0x)?[0-9a-fA-F]{64}")) fail("the oracle key must be 64 hex digits (with or without 0x)");
            Signer signer = new Signer(new java.math.BigInteger(key.startsWith("0x") ? key.substring(2) : key, 16));
            dev.clearline.sequencer.oracle.MedianPriceSource source;
            try {
                source = dev.clearline.sequencer.oracle.PriceSourceConfig.read(Path.of(file), dev.clearline.sequencer.oracle.HttpGet.jdk(),
                        System.getenv());
            } catch (IllegalArgumentException e) {
                fail("--price-source " + e.getMessage());
                return null;
            }
            System.err.println("event=oracle_feed source=" + file + " markets=" + source.markets() + " key=" + signer.address());
            return link -> new dev.clearline.sequencer.oracle.OracleFeed(genesis.domain(), signer, source, source.fundingRate(), link);
        }
        if (devSpec == null) return null;
        Map<Integer, Long> start = new java.util.TreeMap<>();
        for (String part : devSpec.split(",")) {
            String[] kv = part.split("=");
            try {
                if (kv.length != 2 || Long.parseLong(kv[1].trim()) <= 0) throw new NumberFormatException(part);
                start.put(Integer.parseInt(kv[0].trim()), Long.parseLong(kv[1].trim()));
            } catch (NumberFormatException e) {
                fail("--dev-oracle takes MARKET=PRICE pairs separated by commas (e.g. 1=10000,2=3000000), got \"" + part + "\"");
            }
        }
        return link -> new dev.clearline.sequencer.oracle.OracleFeed(genesis.domain(), DevAccounts.oracle(),
                new dev.clearline.sequencer.oracle.DevPriceSource(start, 7, 1_000, 200), link);
    }

    /** How often every member reads the rollup for a freeze and for the sequencer role (RollupWatch). */
    private static final long WATCH_EVERY_MILLIS = 5_000;

    /**
     * The L1 settings are checked before the log and the trader API start: a key the rollup does not
     * take batches from, another chain's manifest or a frozen rollup ends the start before any trader
     * is served (they were found only after the API was up; in a cluster, every leader retried the
     * start five times a second while its API took orders that could never be posted). An endpoint
     * that does not answer stops a single member as before; a cluster member starts anyway, since
     * its leader retries the L1 side and the others need a quorum while L1 is away. Returns the rollup's tip (a --take-up
     * file must follow it), or null when L1 did not answer.
     */
    private static TakeUpStart.L1Tip checkL1(L1Side.Settings l1, NodeConfig config, long batchSeconds) {
        try {
            L1Side.Found found = L1Side.preflight(l1);
            found.tooSlow(batchSeconds, l1.intervalMillis(), true).ifPresent(SequencerMain::fail);
            found.tooSlow(batchSeconds, l1.intervalMillis(), false).ifPresent(why -> System.err.println(
                    "event=batches_slow_for_force_delay warning=\"" + why + "\""));
            return new TakeUpStart.L1Tip(found.batches(), found.tipRoot());
        } catch (L1Side.FrozenRollup e) {
            System.err.println("sequencer: member " + config.memberId() + " stopped: " + e.getMessage());
            System.exit(7);
        } catch (L1Side.NotTheSequencer e) {
            fail(e.getMessage() + " and start the node again");
        } catch (L1Side.Unreachable e) {
            if (config.members().size() <= 1) fail(e.getMessage());
            System.err.println("event=l1_unreachable_at_start member=" + config.memberId() + " error=\"" + e.getMessage()
                    + "\" action=\"start; the leader retries the L1 side\"");
        } catch (java.io.IOException e) {
            fail(e.getMessage());
        }
        return null;
    }

    /**
     * The L1 side (priority ops in, batches out), checked before the node started ({@link #checkL1}). Only the
     * leader posts (a single member leads at once), so it runs under {@link LeaderDuties}: a new leader resumes from
     * the rollup's tip, and a poster stopped because governance handed the role away is started again once the role
     * is back (its start is refused until then; tried again at most every 10 s). Every member watches on its own for
     * a freeze (all of them stop) and for the role (each member's API halts while another key is the sequencer and
     * takes orders again when it is not), in one {@link dev.clearline.sequencer.poster.RollupWatch}.
     */
    private static AutoCloseable startL1Side(L1Side.Settings l1, NodeConfig config, SequencerNode node, Gateway gateway, TraderApi api,
                                             java.util.concurrent.atomic.AtomicReference<dev.clearline.sequencer.poster.L1Loop> running) {
        if (l1 == null) return () -> { };
        int member = config.memberId();
        GatewayLink link = new GatewayLink(gateway);
        // the leader's poster halt as the log carries it: a follower's API halts with the leader's (and a restarted member's again)
        node.watchPosting(why -> {
            if (why == null) api.resume(TraderApi.Halt.POSTER);
            else api.halt(TraderApi.Halt.POSTER, why);
        });
        LeaderDuties duties = new LeaderDuties("l1", node::isLeader, () -> {
            try {
                L1Side side = L1Side.start(l1, link);
                api.resume(TraderApi.Halt.POSTER); // a poster started anew: what stopped the last one is behind it
                if (node.postingHalt() != null) resumeEverywhere(link, member); // and on every member
                L1Duty duty = new L1Duty(onPosterStop(side, link, member, api), running); // a stop from here on halts again (at once if it came already)
                running.set(side.loop());
                return duty;
            } catch (L1Side.FrozenRollup e) {
                stopFrozen(member, e.getMessage());
                throw new java.io.UncheckedIOException(e);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, java.time.Duration.ofMillis(200));
        // a member that never leads again (the last one, without a quorum) would not learn of a freeze from the L1 loop
        var watch = dev.clearline.sequencer.poster.RollupWatch.start(l1.rpcUrl(), l1.deployment().rollup(), l1.operator().getAddress(),
                java.time.Duration.ofMillis(WATCH_EVERY_MILLIS), new dev.clearline.sequencer.poster.RollupWatch.Listener() {
                    @Override
                    public void frozen(dev.clearline.sequencer.poster.BatchPoster.Frozen why) {
                        stopFrozen(member, why.getMessage());
                    }

                    @Override
                    public void roleLost(String why) {
                        api.halt(TraderApi.Halt.ROLE, why);
                    }

                    @Override
                    public void roleBack() {
                        api.resume(TraderApi.Halt.ROLE);
                    }
                });
        return () -> {
            watch.close();
            duties.close();
        };
    }

    /** The L1 side as the leader's duty: ended for a restart when the rollup named another sequencer (nothing else lifts by itself). */
    private record L1Duty(L1Side side, java.util.concurrent.atomic.AtomicReference<dev.clearline.sequencer.poster.L1Loop> running)
            implements LeaderDuties.Restartable, AutoCloseable {
        @Override
        public boolean endedForRestart() {
            return side.loop().stopped().toCompletableFuture().getNow(null) instanceof dev.clearline.sequencer.poster.BatchPoster.NotSequencer;
        }

        @Override
        public void close() throws InterruptedException {
            running.compareAndSet(side.loop(), null);
            side.close();
        }
    }

    /**
     * When the poster stops, the node's batches no longer reach L1, so it stops taking what would need
     * them. A frozen rollup takes no batch and no op any more, for good: the node stops (exit 7),
     * whether the rollup was frozen when the L1 side started or froze while it ran. Any other stop (a
     * divergence, a batch L1 cannot take) needs an operator: the trader API halts new orders,
     * withdrawals and margin moves with the reason, and keeps serving cancels and reads, on every
     * member (the halt goes through the log; {@code node.watchPosting}).
     */
    private static L1Side onPosterStop(L1Side side, GatewayLink link, int member, TraderApi api) {
        dev.clearline.sequencer.poster.WhenPostingStops.haltApi(side.loop(), link, api, frozen -> stopFrozen(member, frozen.getMessage()));
        return side;
    }

    /** Lifts the log's posting halt for every member's API; a log that does not answer leaves the followers halted, which is said. */
    private static void resumeEverywhere(GatewayLink link, int member) {
        try {
            link.posting(null);
        } catch (java.io.IOException e) {
            System.err.println("event=posting_resume_not_logged member=" + member + " error=\"" + e.getMessage()
                    + "\" effect=\"the poster runs; the other members' APIs stay halted until the next poster start\"");
        }
    }

    private static void stopFrozen(int member, String why) {
        System.err.println("sequencer: member " + member + " stopped: " + why);
        System.err.flush();
        Thread.ofPlatform().start(() -> System.exit(7));
    }

    private static void fail(String message) {
        System.err.println("sequencer: " + message);
        System.exit(2);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--") && SequencerOptions.flags().contains(args[i].substring(2))) { // the options without a value
                m.put(args[i].substring(2), "true");
                continue;
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length || !OPTIONS.contains(args[i].substring(2))) {
                System.err.println("sequencer: unknown option or missing value: " + args[i]);
                return null;
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
