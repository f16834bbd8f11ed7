package dev.clearline.cli;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.dispute.DisputeL1;
import dev.clearline.prover.dispute.Watcher;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.ReplayListener;
import dev.clearline.prover.replay.Replayer;
import dev.clearline.prover.replay.RpcL1Source;
import dev.clearline.prover.replay.SignaturesAhead;
import dev.clearline.prover.store.BatchRecord;
import dev.clearline.prover.store.BlockMark;
import dev.clearline.prover.store.ReplayStore;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.MarkFreshness;
import dev.clearline.sequencer.api.OrderLifetime;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.cluster.HeapWatch;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.cluster.ServiceStop;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.demo.DemoTraders;
import dev.clearline.sequencer.l1.GatewayLink;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.sequencer.oracle.DevPriceSource;
import dev.clearline.sequencer.oracle.OracleFeed;
import dev.clearline.sequencer.poster.BatchPoster;
import dev.clearline.sequencer.poster.L1Loop;
import dev.clearline.sequencer.cluster.StatusEndpoint;
import dev.clearline.sequencer.metrics.GetServer;
import dev.clearline.sequencer.poster.PriorityOpFeed;
import dev.clearline.sequencer.state.Genesis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The whole local stack on a running devnet with the contracts deployed: two markets listed by
 * governance on L1, demo traders funded through the rollup's deposit queue, the sequencer node
 * (cluster, gateway, trader API), the L1 loop (priority ops in, batches out, finalization), the
 * dev oracle feed with funding, a time ticker, the demo makers and takers, and a watcher that
 * replays every posted batch from L1 alone, challenges a wrong one and defends the stack's own. {@link #close()} stops them in reverse order.
 *
 * <p>Keys (the devnet's well-known accounts): 0 deploys and governs, 1 posts batches, 2 is left for
 * the person at the keyboard (minted collateral, nothing deposited), 3-4 make markets, 5-6 take.
 */
final class LocalStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
    static final int OPERATOR = 1, YOU = 2;
    static final int[] MAKERS = {3, 4};
    static final int[] TAKERS = {5, 6};
    /** Demo markets: id, tick, lot, start price per lot (collateral units, 6 decimals). */
    static final long[][] MARKETS = {{1, 1_000, 1_000, 60_000_000}, {2, 100, 10_000, 3_000_000}};
    static final long DEMO_DEPOSIT = 1_000_000L * 1_000_000L;
    static final long YOUR_COLLATERAL = 10_000L * 1_000_000L;

    final Devnet devnet;
    final Manifest manifest;
    final String rollupAddress;
    final Genesis genesis;
    private final Web3j web3j;
    private final List<AutoCloseable> running = new ArrayList<>();
    private SequencerNode node;
    private Gateway gateway;
    private TraderApi api;
    private StatusEndpoint status;
    private GetServer watchMetrics;
    private L1Loop l1;
    private DemoTraders demo;
    private StackWatcher watcher;
    /** The trader API's rule on a market's mark price's age, fed by the ticker after each oracle round. */
    private MarkFreshness marks;
    private volatile long verifiedHonest;
    private volatile long verifiedFraud;
    private volatile boolean stopping;
    private boolean resumed;

    /**
     * @param maxOrderLifetime the trader API's longest order lifetime in seconds, 0 for none ({@link OrderLifetime})
     * @param statusPort where the sequencer's status endpoint listens ({@code GET /member}, {@code GET /metrics}), on
     *                   {@code apiHost}; 0 for any free port, -1 for none
     * @param watchMetricsPort where the watcher's {@code GET /metrics} listens, as {@code watch --metrics-port}'s; 0 for any
     *                         free port, -1 for none
     */
    record Settings(Path dir, String apiHost, int apiPort, boolean demo, long tickMillis, long maxOrderLifetime, int statusPort,
                    int watchMetricsPort) {
        /** Without an order-lifetime rule or metrics. */
        Settings(Path dir, String apiHost, int apiPort, boolean demo, long tickMillis) {
            this(dir, apiHost, apiPort, demo, tickMillis, 0, -1, -1);
        }
    }

    private LocalStack(Devnet devnet, Manifest manifest) {
        this.devnet = devnet;
        this.manifest = manifest;
        this.rollupAddress = manifest.address("Rollup");
        this.web3j = Web3j.build(devnet.web3jService());
        this.genesis = new Genesis(devnet.chainId(), Address.fromHex(rollupAddress),
                Genesis.devnet(Address.fromHex(rollupAddress)).books(), new BatchPolicy(BatchPolicy.POOLED_TRANSITIONS, 2));
    }

    static LocalStack start(Devnet devnet, Manifest manifest, Settings s) throws Exception {
        LocalStack stack = new LocalStack(devnet, manifest);
        try {
            stack.boot(s);
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void boot(Settings s) throws Exception {
        // a chain whose rollup froze (kept with --data-dir) takes no batch any more: a stack on it would take orders that never settle
        var frozen = BatchPoster.Frozen.of(rollup(devnet.accounts().first()));
        if (frozen.isPresent()) {
            Path data = devnet.node().config().dataDir();
            throw new UserError(frozen.get().getMessage() + ". This chain is for escaping now: ./clearline devnet --data-dir "
                    + (data == null ? "<its directory>" : data) + " runs its L1 alone for that; ./clearline up without --data-dir (or with"
                    + " a new one) starts a new venue");
        }
        boolean freshChain = rollup(devnet.accounts().first()).queueLength().send().signum() == 0;
        if (freshChain) seedL1();
        resumed = !freshChain;
        Path seqDir = s.dir().resolve("sequencer");
        if (freshChain) deleteTree(seqDir); // a new chain: yesterday's sequencer state belongs to another rollup
        // snapshots as a node run on its own takes them: a restart loads the latest instead of replaying every command since
        // the chain began, and the log behind them is deleted after a day (LogTrim)
        node = SequencerNode.start(NodeConfig.ephemeral(seqDir, genesis).withSnapshotInterval(NodeConfig.DEFAULT_SNAPSHOT_INTERVAL),
                new NativeSecp256k1Verifier());
        // closed last, after everything that sends to it: with a snapshot at the end of its log, so the next up replays nothing
        running.add(() -> node.closeWithSnapshot(java.time.Duration.ofSeconds(30)));
        // the sequencer's state keeps every order taken, in this JVM's heap: say so before it runs out
        running.add(new HeapWatch(HeapWatch.heapUsed(), Runtime.getRuntime().maxMemory(), 30, 1_000, "./clearline up",
                why -> System.err.println("clearline up: " + why)).start());
        gateway = new Gateway(node.config().aeronDir(), node.config().ingress(), genesis.domain(), new NativeSecp256k1Verifier(),
                Math.max(1, Runtime.getRuntime().availableProcessors()));
        gateway.readLocally(node::read); // the API's reads from the member's own state, not through the log
        running.add(gateway);
        awaitSequencer(seqDir, s.dir());
        // the oracle feed stamps prices with this clock too, so the rules' clock and the markets' agree; the stack feeds its
        // own prices, a second apart, so it takes the node's rule for a node that does (a minute without a price: refused)
        marks = new MarkFreshness(MarkFreshness.DEFAULT_WITH_FEED_SECONDS, () -> System.currentTimeMillis() / 1000);
        api = new TraderApi(gateway, new RateLimiter(2_000, 2_000, System::nanoTime), new RateLimiter(8_000, 8_000, System::nanoTime),
                new OrderLifetime(s.maxOrderLifetime(), () -> System.currentTimeMillis() / 1000), marks, s.apiHost(), s.apiPort(),
                TraderApi.DEFAULT_MAX_REQUEST_BYTES);
        running.add(api);
        GatewayLink link = new GatewayLink(gateway);

        Credentials operator = key(OPERATOR);
        BatchPoster poster = new BatchPoster(web3j, rollupAddress,
                new TxSender(web3j, operator, devnet.chainId(), TxSender.FeePolicy.defaults(), TxSender.Time.SYSTEM), link);
        PriorityOpFeed feed = new PriorityOpFeed(new RollupLog(web3j, rollupAddress), link, manifest.blockNumber(), 0);
        l1 = new L1Loop(web3j, rollupAddress, feed, poster, 1_000).start();
        running.add(l1);
        // a poster that stopped for a reason an operator must fix: no new orders that would need its batches (a freeze stops up instead)
        dev.clearline.sequencer.poster.WhenPostingStops.haltApi(l1, link, api, onFreeze -> { });
        if (node.postingHalt() != null) link.posting(null); // a poster runs again: a halt the log kept from the last run is over
        if (s.statusPort() >= 0) {
            // what an operator's Prometheus reads of a member (ops/prometheus), here with its API and L1 loop in the same process
            L1Loop loop = l1;
            try {
                status = new StatusEndpoint(node, s.apiHost(), s.statusPort(), m -> {
                    api.writeMetrics(m);
                    loop.writeMetrics(m);
                });
            } catch (Exception e) {
                // start's caller closes what started: nothing is lost
                throw new UserError("the status port cannot listen on " + s.apiHost() + ":" + s.statusPort() + " (" + e.getMessage()
                        + "); pass --status-port with a free port, or 0 for any", e);
            }
            running.add(status);
        }

        Map<Integer, Long> start = new java.util.HashMap<>();
        for (long[] m : MARKETS) start.put((int) m[0], m[3]);
        DevPriceSource walk = new DevPriceSource(start, 7, 1_000, 200);
        OracleFeed oracle = new OracleFeed(genesis.domain(), DevAccounts.oracle(), (market, at) -> stressed(market, walk.quote(market, at)), link);
        running.add(loop("ticker", s.tickMillis(), () -> {
            long now = System.currentTimeMillis() / 1000;
            gateway.submit((id, q) -> new Command.TimeTick(id, q, now)).get(30, TimeUnit.SECONDS);
            oracle.publish(now);
            link.observeMarks(marks);
        }));
        Path watcherDir = s.dir().resolve("watcher");
        if (freshChain) deleteTree(watcherDir); // its judgements belong to the earlier chain, whose rollup may have had the same address
        watcher = new StackWatcher(watcherDir, poster.sender());
        running.add(watcher); // closed after its loop has stopped
        running.add(loop("watcher", 1_000, watcher::round));
        if (s.watchMetricsPort() >= 0) {
            try {
                watchMetrics = new GetServer("up-watch-metrics", s.apiHost(), s.watchMetricsPort(), Map.of("/metrics", watcher.metricsRoute()));
            } catch (Exception e) {
                throw new UserError("the watcher's metrics port cannot listen on " + s.apiHost() + ":" + s.watchMetricsPort() + " (" + e.getMessage()
                        + "); pass --watch-metrics-port with a free port, or 0 for any", e);
            }
            running.add(watchMetrics);
        }
        if (s.demo()) {
            List<Signer> makers = new ArrayList<>(), takers = new ArrayList<>();
            for (int i : MAKERS) makers.add(signer(i));
            for (int i : TAKERS) takers.add(signer(i));
            // through the trader API, as a person's orders go: the demo meets its limits and halts, and shows in its figures
            var venue = new dev.clearline.sequencer.demo.TraderApiVenue(java.net.http.HttpClient.newHttpClient(),
                    java.net.URI.create("http://" + hostForUrl(s.apiHost()) + ":" + api.port()));
            demo = new DemoTraders(venue, genesis.domain(), link, makers, takers, 11, 1_000).start();
            running.add(demo);
        }
    }

    /** Where a client on this host reaches a server bound to {@code host}: a wildcard bind through loopback, IPv6 in brackets. */
    static String hostForUrl(String host) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) return "127.0.0.1";
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /**
     * Waits for the sequencer's first answer. A sequencer that stops at start (its log or snapshot
     * was written with settings this build does not have, typically by an earlier build) answers
     * nothing, and everything after it would wait on it for good while the banner said the stack was
     * up: refuse here, with what differs and what to do.
     */
    private void awaitSequencer(Path seqDir, Path stackDir) throws Exception {
        CompletableFuture<Object> first = CompletableFuture.anyOf(gateway.query(Command.QueryKind.STATE, 0, null, null), node.stopped());
        if (first.get(120, TimeUnit.SECONDS) instanceof ServiceStop stop) throw new UserError(whyStopped(stop, seqDir, stackDir));
    }

    /** Completes when the sequencer stops applying its log: the stack can do nothing more, and {@code up} should stop. */
    CompletableFuture<ServiceStop> sequencerStopped() {
        return node.stopped();
    }

    /**
     * Completes, with what {@code up} says, when its sequencer is stopped from outside while the stack runs
     * ({@code ./clearline sequencer --dir <dir>/sequencer --stop}, or Aeron's cluster tool): it took a snapshot at the end of
     * its log and stopped, so nothing trades or posts any more, and {@code up} should stop too rather than run on with every
     * order and batch waiting for it. The stack's own close stops the sequencer the same way and completes nothing here.
     */
    CompletableFuture<String> sequencerShutDown() {
        return node.terminated().thenCompose(done -> stopping ? new CompletableFuture<String>()
                : CompletableFuture.completedFuture("the sequencer in " + node.config().dir() + " was stopped from outside (./clearline sequencer"
                        + " --stop) and took a snapshot at the end of its log; nothing trades or posts without it"));
    }

    /** Why the batch poster stopped for an operator to fix (the trader API halted with it), or empty while it posts. */
    java.util.Optional<String> postingStopped() {
        return l1 == null ? java.util.Optional.empty() : l1.stoppedBecause();
    }

    /** Completes, with what it means, when the rollup freezes while the stack runs: it takes nothing more, and {@code up} should stop. */
    CompletableFuture<String> rollupFrozen() {
        return l1.stopped().toCompletableFuture()
                .thenCompose(why -> why instanceof BatchPoster.Frozen ? CompletableFuture.completedFuture(why.getMessage()) : new CompletableFuture<>());
    }

    /** What {@code up} says when its sequencer stops: the finding, and what to do about it in {@code up}'s terms. */
    String whyStopped(ServiceStop stop) {
        return whyStopped(stop, node.config().dir(), node.config().dir().getParent());
    }

    private String whyStopped(ServiceStop stop, Path seqDir, Path stackDir) {
        String fresh = "start a fresh local stack: a new --data-dir (or none, for a chain in memory) and a new --dir"
                + " (or delete " + stackDir + " and the chain's directory)";
        return switch (stop.cause()) {
            case CONFIG_MISMATCH -> "the sequencer in " + seqDir + " cannot continue this chain: " + stop.finding()
                    + ". A chain's sequencer keeps the settings its log began with, and this build's differ (was the chain"
                    + " started by an earlier build of Clearline?). Run the build that started it, or " + fresh;
            case SNAPSHOT_UNREADABLE -> "the sequencer in " + seqDir + " cannot start: " + stop.finding()
                    + ". Set that snapshot aside with ./clearline sequencer --dir " + seqDir + " --drop-latest-snapshot"
                    + " (the next start loads the one before it, or replays the whole log), or " + fresh;
            case RULES_MISMATCH -> "the sequencer in " + seqDir + " cannot continue this chain: " + stop.finding()
                    + ". The chain was started by a build of Clearline with other rules: run that build, or " + fresh;
            case APPLY_FAILED -> "the sequencer stopped: " + stop.finding() + ". This is a bug: keep " + seqDir
                    + " for the report; a restart stops at the same command, so " + fresh;
        };
    }

    /** Per market, a move (ppm of the walk's price) applied to the dev oracle's prices: a market in stress, for tests and demos. */
    private final Map<Integer, Long> shocks = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Moves market {@code market}'s dev oracle price by {@code ppm} (e.g. -80,000 = 8 % down) from
     * the next round on, and has longs pay the walk's maximum funding rate meanwhile (0: back to
     * the plain walk). What a test needs to drive a position under maintenance on purpose.
     */
    void shock(int market, long ppm) {
        if (ppm == 0) shocks.remove(market);
        else shocks.put(market, ppm);
    }

    private dev.clearline.sequencer.oracle.PriceSource.Quote stressed(int market, dev.clearline.sequencer.oracle.PriceSource.Quote q) {
        Long ppm = shocks.get(market);
        if (ppm == null) return q;
        long tick = 1;
        for (long[] m : MARKETS) if (m[0] == market) tick = m[1];
        long price = Math.max(tick, (q.price() + q.price() * ppm / 1_000_000) / tick * tick);
        return new dev.clearline.sequencer.oracle.PriceSource.Quote(price, 200);
    }

    /** Lists the demo markets and funds the demo traders through the rollup's deposit queue; mints collateral for key 2. */
    private void seedL1() throws Exception {
        Rollup governance = rollup(devnet.accounts().first());
        String oracle = DevAccounts.oracle().address().toString();
        for (long[] m : MARKETS) {
            ok(governance.configureMarket(BigInteger.valueOf(m[0]), BigInteger.valueOf(m[1]), BigInteger.valueOf(m[2]), BigInteger.valueOf(100_000),
                    BigInteger.valueOf(50_000), BigInteger.valueOf(200), BigInteger.valueOf(500), BigInteger.valueOf(10_000), oracle).send());
        }
        TestCollateral minter = token(devnet.accounts().first());
        List<Integer> demoKeys = new ArrayList<>();
        for (int i : MAKERS) demoKeys.add(i);
        for (int i : TAKERS) demoKeys.add(i);
        for (int i : demoKeys) {
            Credentials k = key(i);
            ok(minter.mint(k.getAddress(), BigInteger.valueOf(DEMO_DEPOSIT)).send());
            ok(token(k).approve(rollupAddress, BigInteger.valueOf(DEMO_DEPOSIT)).send());
            ok(rollup(k).deposit(BigInteger.valueOf(DEMO_DEPOSIT)).send());
        }
        ok(minter.mint(key(YOU).getAddress(), BigInteger.valueOf(YOUR_COLLATERAL)).send());
    }

    /**
     * {@code given} deployment parameters with the rollup's sequencer set to the stack's operator
     * key (not the deployer's, the default), which posts its batches.
     */
    static Map<String, String> deploymentParameters(Devnet devnet, Map<String, String> given) {
        Map<String, String> p = new java.util.TreeMap<>(given);
        p.putIfAbsent("rollup.sequencer", devnet.accounts().keys().get(OPERATOR).getAddress());
        return p;
    }

    Credentials key(int i) {
        return devnet.accounts().keys().get(i);
    }

    static Signer signerOf(Credentials c) {
        return Signer.ofHex(c.getEcKeyPair().getPrivateKey().toString(16));
    }

    private Signer signer(int i) {
        return signerOf(key(i));
    }

    private Rollup rollup(Credentials c) {
        return Rollup.load(rollupAddress, web3j, new RawTransactionManager(web3j, c, devnet.chainId()), gas());
    }

    private TestCollateral token(Credentials c) {
        return TestCollateral.load(manifest.address("TestCollateral"), web3j, new RawTransactionManager(web3j, c, devnet.chainId()), gas());
    }

    private static StaticGasProvider gas() {
        return new StaticGasProvider(BigInteger.valueOf(20_000_000_000L), BigInteger.valueOf(8_000_000));
    }

    private static void ok(TransactionReceipt r) throws IOException {
        if (!r.isStatusOK()) throw new IOException("setting up the demo failed in transaction " + r.getTransactionHash() + ": " + r.getRevertReason());
    }

    int apiPort() {
        return api.port();
    }

    /** The watcher's metrics port, or -1 when the stack serves none. */
    int watchMetricsPort() {
        return watchMetrics == null ? -1 : watchMetrics.port();
    }

    /** The status endpoint's port, or -1 when the stack serves none. */
    int statusPort() {
        return status == null ? -1 : status.port();
    }

    long verifiedHonest() {
        return verifiedHonest;
    }

    long verifiedFraud() {
        return verifiedFraud;
    }

    /** Batches this run's poster has posted. */
    long batchesPosted() {
        return l1.poster().posted();
    }

    /** Batches on L1, this run's and earlier runs' of the same chain alike, as the finalized count counts them. */
    long batchesOnL1() throws Exception {
        return rollup(devnet.accounts().first()).nextBatchIndex().send().longValueExact();
    }

    /** True when this stack continued a chain an earlier run left (its data directory): nothing was seeded on L1 this time. */
    boolean resumed() {
        return resumed;
    }

    /** The collateral key {@link #YOU} holds on L1 now. */
    long yourL1Collateral() throws Exception {
        return token(devnet.accounts().first()).balanceOf(key(YOU).getAddress()).send().longValueExact();
    }

    long finalizedBatches() throws Exception {
        return rollup(devnet.accounts().first()).finalizedCount().send().longValueExact();
    }

    /** Games the watcher played to the end (challenging or defending), with their final status ({@code GameView} codes). */
    Map<Long, Integer> finishedGames() {
        return watcher.finishedGames;
    }

    /** Games the watcher is playing now. */
    int activeGames() {
        return watcher.activeGames;
    }

    /** Batches the watcher judged since this stack started (the counts above include earlier runs'). */
    long judgedThisRun() {
        return watcher.judgedThisRun;
    }

    long demoOrders() {
        return demo == null ? 0 : demo.ordersSent();
    }

    /**
     * The watcher: judges every batch L1 holds with the Java STF, from L1 data alone, through the
     * RocksDB store in {@code <dir>/watcher} (the store {@code clearline watch --data-dir} keeps),
     * so a restarted stack resumes after the last batch it judged instead of replaying from genesis;
     * and acts like {@code clearline watch}: it challenges a wrong batch (whoever posted it) and plays
     * the game to the one-step proof, defends the stack's own batches against every challenge, and
     * reports a frozen rollup's state to the escape hatch. It moves with the operator's key through
     * the poster's own {@link TxSender}, so its moves and the poster's batches never race for a nonce.
     * Its counts include the batches judged before the restart.
     */
    private final class StackWatcher implements AutoCloseable {
        private final ReplayStore store;
        private final Watcher watcher;
        private final DisputeL1 dispute;
        /** What {@code watch --metrics-port} serves, counted from the same reports. */
        private final WatchStatus counts;
        private volatile long judgedThisRun;
        private volatile Map<Long, Integer> finishedGames = Map.of();
        private volatile int activeGames;
        private boolean closed;

        StackWatcher(Path dir, TxSender operator) throws IOException {
            this.store = ReplayStore.open(dir, "chain=" + devnet.chainId() + " rollup=" + Address.fromHex(rollupAddress));
            count();
            this.dispute = new DisputeL1(web3j, rollupAddress, manifest.address("DisputeGame"), operator);
            try {
                this.counts = new WatchStatus(new ReplayListener() {
                            @Override
                            public void judged(BatchRecord b) {
                                judgedThisRun++;
                                if (b.honest()) verifiedHonest++;
                                else {
                                    verifiedFraud++;
                                    log.error("event=batch_judged_fraudulent index={} verdict=\"{}\" tx={} action=challenge", b.batchIndex(), b.verdict(),
                                            b.transactionHash());
                                }
                            }

                            @Override
                            public void reorg(long lostBlock, long forkBlock) {
                                log.warn("event=l1_reorg lostBlock={} forkBlock={} action=\"re-judging from the fork point\"", lostBlock, forkBlock);
                                count();
                            }
                        });
                this.watcher = new Watcher(new RpcL1Source(web3j, rollupAddress), store, SignaturesAhead.stf(genesis.domain()),
                        dispute, new Watcher.Role(true, true, true), Replayer.Settings.from(manifest.blockNumber()), counts);
            } catch (IOException | RuntimeException e) {
                store.close();
                throw e;
            }
            Optional<BlockMark> mark = store.lastMark();
            if (mark.isPresent()) {
                log.info("event=watcher_resumed block={} batchesJudged={} honest={} fraud={} store={}", mark.get().block(),
                        mark.get().batchesJudged(), verifiedHonest, verifiedFraud, dir);
            }
        }

        /** {@code GET /metrics} as {@code watch --metrics-port} answers it (the stack's watcher challenges with the operator's key). */
        java.util.function.Supplier<GetServer.Answer> metricsRoute() {
            return counts.metricsRoute(watcher, () -> WatchStatus.Wallet.read(web3j, dispute, true));
        }

        /** The counts from the store: the batches judged so far, this run's and earlier runs'. */
        private void count() {
            long honest = 0, fraud = 0;
            for (BatchRecord r : store.batches()) {
                if (r.honest()) honest++;
                else fraud++;
            }
            verifiedHonest = honest;
            verifiedFraud = fraud;
        }

        /**
         * One poll: judges what is new, challenges, plays every game due; synchronized with
         * {@link #close()} so the store never closes under a poll the loop could not interrupt in time.
         */
        synchronized void round() throws IOException {
            if (closed) return;
            watcher.poll();
            finishedGames = watcher.finishedGames();
            activeGames = watcher.activeGames();
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            watcher.close();
        }
    }

    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    private AutoCloseable loop(String name, long intervalMillis, Step step) {
        Thread t = new Thread(() -> {
            while (!stopping) {
                try {
                    step.run();
                    Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    if (stopping) return;
                    log.warn("event={}_round_failed error=\"{}\"", name, e.toString());
                    try {
                        Thread.sleep(Math.max(intervalMillis, 1_000));
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return () -> {
            t.interrupt();
            t.join(5_000);
        };
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Override
    public void close() {
        stopping = true;
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                log.warn("event=stack_stop_failed part={} error=\"{}\"", running.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        running.clear();
    }
}
