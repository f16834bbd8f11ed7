package dev.clearline.cli;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.dispute.DisputeL1;
import dev.clearline.prover.dispute.GameView;
import dev.clearline.prover.dispute.Watcher;
import dev.clearline.prover.l1.PublicKeys;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.prover.replay.LoggingReplayListener;
import dev.clearline.prover.replay.Replayer;
import dev.clearline.prover.replay.RpcL1Source;
import dev.clearline.prover.replay.SignaturesAhead;
import dev.clearline.prover.store.ReplayStore;
import dev.clearline.prover.store.StoreMismatchException;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Follows the rollup, judges every batch from L1 data alone, challenges the first wrong batch and
 * plays its game to the end, and defends this key's own batches. Runs until stopped (Ctrl-C);
 * prints one summary line when it stops. Logs are key=value lines on stderr ({@code -v} for each
 * decision).
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Watch the rollup from L1: challenge a wrong batch, defend this key's.",
                "Replays every batch from L1, challenges a wrong one and plays its dispute to the end, defends this key's batches; after a freeze, reports the frozen state's bad debt and insurance fund during the claim window. The key comes from --keystore (encrypted), --key-file or the CLEARLINE_WATCHER_KEY environment variable (never the command line)."})
final class WatchCommand implements Callable<Integer> {
    static final String KEY_ENV = "CLEARLINE_WATCHER_KEY";
    private static final Logger LOG = LoggerFactory.getLogger(WatchCommand.class);
    /** How long a stop lets a poll in progress finish (a transaction's receipt on a slow L1) before it interrupts it. */
    private static final long STOP_GRACE_MILLIS = 15_000;

    private final PrintWriter out;
    private final Lifecycle lifecycle;
    private final Map<String, String> env;

    @Mixin
    L1Options l1;

    @Option(names = "--game", description = "Address of the DisputeGame contract. Default: the manifest's DisputeGame.")
    String game;

    /** The watcher's key: --keystore, --key-file, else $CLEARLINE_WATCHER_KEY. */
    @picocli.CommandLine.Mixin
    KeyFileOptions keyFiles = new KeyFileOptions();

    @Option(names = "--no-challenge", description = "Judge and defend, but never open a challenge.")
    boolean noChallenge;

    @Option(names = "--no-defend", description = "Do not answer challenges to this key's batches.")
    boolean noDefend;

    @Option(names = "--no-escape-report", description = "After a freeze, do not report the frozen state's bad debt and insurance fund to the escape"
            + " hatch (by default the watcher does it once, during the claim window, skipping what anyone reported already).")
    boolean noEscapeReport;

    @Option(names = "--propose-censored", description = "When the operator leaves a queued op (a deposit, a forced withdrawal or cancel)"
            + " waiting half the force delay, post the batch that consumes the waiting ops, built on the state this watcher verified, and"
            + " defend it (locks the rollup's proposer bond until the batch is final; ./clearline bonds --withdraw --leave returns it)."
            + " Stands down once the operator has posted nothing for the force delay: then the ops age into a freeze, which lets"
            + " open positions out.")
    boolean proposeCensored;

    @Option(names = "--poll-ms", defaultValue = "250", description = "Milliseconds between two looks at L1, 10 to 600000. Default: ${DEFAULT-VALUE}.")
    long pollMillis;

    @Option(names = "--status-every", defaultValue = "10", description = "Seconds between status lines on stdout (printed only when"
            + " something changed; 0: none). Default: ${DEFAULT-VALUE}.")
    long statusEvery;

    @Option(names = "--data-dir", defaultValue = ".clearline/watch", description = "Keep the replayed state and progress in RocksDB here: "
            + "a restarted watcher resumes where it stopped and follows L1 reorgs. Default: ${DEFAULT-VALUE}.")
    Path dataDir;

    @Option(names = "--node-cache", paramLabel = "NODES", defaultValue = "" + ReplayStore.DEFAULT_CACHED_NODES,
            description = "Decoded tree nodes kept in memory (rounded up to a power of two; about 250 B of heap each once full)."
                    + " A state of millions of orders outgrows the default, and a first read of a leaf then goes to RocksDB: 4194304"
                    + " took 35-41%% off the replay thread's CPU per fill over 800,000 resting orders (about 1 GB of heap, by estimate). Default: ${DEFAULT-VALUE}.")
    int nodeCache;

    @Option(names = "--min-tip-gwei", defaultValue = "1", description = "Smallest priority fee of this watcher's moves, in gwei. Default: ${DEFAULT-VALUE}.")
    long minTipGwei;

    @Option(names = "--max-fee-gwei", defaultValue = "500", description = "Highest fee per gas a move may be re-sent at, in gwei. Default: ${DEFAULT-VALUE}.")
    long maxFeeGwei;

    @Option(names = "--resend-after-ms", defaultValue = "6000", description = "A move not mined this long is re-sent under the same nonce: "
            + "with fees 25%% higher if L1 mined a block without it, unchanged if no block came. Default: ${DEFAULT-VALUE}.")
    long resendAfterMillis;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve GET /metrics in Prometheus' text format on this port (L1 block"
            + " and head, batches judged, fraud found, games, refusals, transactions, L1 reachable, rollup frozen); 0: any free port, printed at the"
            + " start. Default: not served.")
    Integer metricsPort;

    @Option(names = "--metrics-host", defaultValue = "127.0.0.1", description = "The address --metrics-port listens on (0.0.0.0 for a scraper"
            + " on another machine). Default: ${DEFAULT-VALUE}.")
    String metricsHost;

    WatchCommand(PrintWriter out, Lifecycle lifecycle, Map<String, String> env) {
        this.out = out;
        this.lifecycle = lifecycle;
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (pollMillis < 10 || pollMillis > 600_000) throw new UserError("--poll-ms must be 10 to 600000, got " + pollMillis);
        if (statusEvery < 0 || statusEvery > 86_400) throw new UserError("--status-every must be 0 (none) to 86400 seconds, got " + statusEvery);
        if (minTipGwei < 0) throw new UserError("--min-tip-gwei must be 0 or more, got " + minTipGwei);
        if (maxFeeGwei < 1 || maxFeeGwei < minTipGwei) throw new UserError("--max-fee-gwei must be 1 or more and at least --min-tip-gwei, got " + maxFeeGwei);
        if (resendAfterMillis < 100) throw new UserError("--resend-after-ms must be 100 or more, got " + resendAfterMillis);
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
            throw new UserError("--metrics-port must be 0 (any free port) to 65535, got " + metricsPort);
        }
        if (nodeCache < ReplayStore.MIN_CACHED_NODES || nodeCache > ReplayStore.MAX_CACHED_NODES) {
            throw new UserError("--node-cache must be " + ReplayStore.MIN_CACHED_NODES + " to " + ReplayStore.MAX_CACHED_NODES + " nodes, got " + nodeCache);
        }
        // the cache's table (a tag and two references per slot) is allocated whole at the start, before any node is kept
        long tableBytes = 12L * Math.max(8, Integer.highestOneBit(nodeCache - 1) << 1);
        long heap = Runtime.getRuntime().maxMemory();
        if (tableBytes > heap / 4) {
            throw new UserError("--node-cache " + nodeCache + " needs " + (tableBytes >> 20) + " MB for its table alone and about 250 B per node"
                    + " kept, but this JVM's heap is " + (heap >> 20) + " MB: pass fewer nodes, or a larger heap (CLEARLINE_JAVA_OPTS=-Xmx16g)");
        }
        Credentials key = key();
        try (L1Options.Connection c = l1.connect()) {
            if (PublicKeys.isPublic(key.getAddress())) {
                var client = c.web3j().web3ClientVersion().send();
                if (!PublicKeys.isDevNode(c.chainId(), client.hasError() ? "" : client.getWeb3ClientVersion())) {
                    throw new UserError("the watcher key " + key.getAddress() + " is one of the publicly known keys of the test mnemonic"
                            + " (\"test test ... junk\"); on chain " + c.chainId() + " anyone holds it and could spend what pays its bonds:"
                            + " give a key of your own (--key-file)");
                }
            }
            String gameAddress = c.contract("DisputeGame", game, "--game");
            Stf stf = SignaturesAhead.stf(new Eip712(c.chainId(), c.rollup()));
            BigInteger gwei = BigInteger.TEN.pow(9);
            TxSender.FeePolicy fees = TxSender.FeePolicy.defaults().withMinTip(BigInteger.valueOf(minTipGwei).multiply(gwei))
                    .withMaxFeeCap(BigInteger.valueOf(maxFeeGwei).multiply(gwei)).withResendAfter(resendAfterMillis)
                    .withPollMillis(Math.min(pollMillis, 50));
            DisputeL1 dispute = new DisputeL1(c.web3j(), c.rollup().toString(), gameAddress, new TxSender(c.web3j(), key, c.chainId(), fees,
                    TxSender.Time.SYSTEM));
            ReplayStore store;
            try {
                store = ReplayStore.open(dataDir, "chain=" + c.chainId() + " rollup=" + c.rollup(), nodeCache);
            } catch (StoreMismatchException e) {
                throw new UserError(e.getMessage());
            }
            WatchStatus status = new WatchStatus(new LoggingReplayListener());
            Watcher watcher;
            try {
                watcher = new Watcher(new RpcL1Source(c.web3j(), c.rollup().toString()), store, stf, dispute,
                        new Watcher.Role(!noChallenge, !noDefend, !noEscapeReport, proposeCensored), new Replayer.Settings(l1.fromBlock, 2_000, 128), status);
            } catch (IOException e) {
                store.close();
                throw L1Options.unreachable(c.rpcUrl(), e);
            }
            LOG.info("event=watch-start account={} rollup={} game={} challenge={} defend={} escapeReport={} proposeCensored={} store={}",
                    dispute.account(), c.rollup(), gameAddress, !noChallenge, !noDefend, !noEscapeReport, proposeCensored, dataDir);
            if (proposeCensored && noDefend) {
                throw UserError.usage("--propose-censored posts batches this watcher must defend until final (an unanswered challenge"
                        + " is lost on time, bond included): drop --no-defend");
            }
            if (!noChallenge) warnIfItCannotBond(c, dispute);
            dev.clearline.sequencer.metrics.GetServer metrics = metricsPort == null ? null : serveMetrics(status, watcher, c, dispute);
            AtomicBoolean running = new AtomicBoolean(true);
            // A stop wakes the pause between polls but lets a poll in progress finish: interrupting it could cut a
            // transaction's receipt wait (a move or a report sent but not counted). Only a poll still running after
            // STOP_GRACE_MILLIS is interrupted.
            CountDownLatch stopped = new CountDownLatch(1);
            Thread loop = new Thread(() -> {
                try {
                    watcher.follow(running::get, millis -> stopped.await(millis, TimeUnit.MILLISECONDS), pollMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "clearline-watch");
            loop.start();
            Thread statusLine = statusEvery == 0 ? null
                    : status.printEvery(statusEvery, out, () -> String.format("%tT", java.time.LocalTime.now()), watcher::gameCounts, watcher::frozen);
            // The summary is written by the stop itself: on Ctrl-C or SIGTERM the stop runs in the JVM's shutdown hook,
            // and the JVM halts when the hook returns, so a summary left to this thread after awaitStop was cut off.
            AtomicBoolean summarised = new AtomicBoolean();
            Runnable stopAndSummarise = () -> {
                running.set(false);
                stopped.countDown();
                try {
                    loop.join(STOP_GRACE_MILLIS);
                    if (loop.isAlive()) {
                        loop.interrupt();
                        loop.join(10_000);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (!summarised.compareAndSet(false, true)) return;
                if (statusLine != null) statusLine.interrupt();
                if (metrics != null) {
                    try {
                        metrics.close();
                    } catch (Exception e) {
                        LOG.warn("event=metrics-stop-failed error=\"{}\"", e.toString());
                    }
                }
                summarise(watcher, dispute);
            };
            try {
                lifecycle.awaitStop(stopAndSummarise);
            } finally {
                stopAndSummarise.run();
            }
            return 0;
        }
    }

    /**
     * A watcher that cannot pay a challenge's bond would judge a bad batch and then fail to challenge it, where it matters
     * most: say so at the start, while there is time to fund it (it still verifies meanwhile).
     */
    private static void warnIfItCannotBond(L1Options.Connection c, DisputeL1 dispute) {
        try {
            BigInteger bond = dispute.challengeBond();
            BigInteger balance = c.web3j().ethGetBalance(dispute.account(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send().getBalance();
            if (balance.compareTo(bond) <= 0) {
                LOG.warn("event=cannot-challenge account={} balanceWei={} challengeBondWei={} action=\"fund this key with more than the bond plus gas,"
                        + " or a bad batch it finds goes unchallenged by it\"", dispute.account(), balance, bond);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=bond-check-failed reason=\"{}\"", e.getMessage());
        }
    }

    /** The metrics port, or a clear error when it cannot listen (the watcher has not started: nothing is lost). */
    private dev.clearline.sequencer.metrics.GetServer serveMetrics(WatchStatus status, Watcher watcher, L1Options.Connection c, DisputeL1 dispute) {
        var answer = status.metricsRoute(watcher, () -> WatchStatus.Wallet.read(c.web3j(), dispute, !noChallenge));
        try {
            var server = new dev.clearline.sequencer.metrics.GetServer("watch-metrics", metricsHost, metricsPort, Map.of("/metrics", answer));
            out.println("Metrics: http://" + metricsHost + ":" + server.port() + "/metrics");
            out.flush();
            return server;
        } catch (Exception e) {
            watcher.close(); // and its store
            throw new UserError("the metrics port cannot listen on " + metricsHost + ":" + metricsPort + " (" + e.getMessage()
                    + "); pass --metrics-port with a free port, or 0 for any", e);
        }
    }

    /** One last look at L1 (the outcome of a move sent just before the stop), then the one-line summary, then the store closed. */
    private void summarise(Watcher watcher, DisputeL1 dispute) {
        try {
            watcher.poll();
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=poll-failed reason=\"{}\" action=stop", e.getMessage() == null ? e.toString() : e.getMessage());
        }
        Map<Long, String> games = new TreeMap<>();
        watcher.finishedGames().forEach((id, status) -> games.put(id, GameView.statusName(status)));
        long fraud = watcher.verdicts().stream().filter(v -> !v.honest()).count();
        out.println("batches=" + watcher.verdicts().size() + " fraud=" + fraud + " gamesOver=" + games + " gamesOpen=" + watcher.activeGames()
                + " transactions=" + watcher.ledger().transactions() + " gas=" + watcher.ledger().totalGas()
                + (watcher.refusedChallenges().isEmpty() ? "" : " challengesRefused=" + watcher.refusedChallenges())
                + (watcher.frozen() == null ? "" : " frozenAt=" + watcher.frozen().frozenAt() + " escapeReportsSent=" + watcher.frozen().reportsSent())
                + owed(dispute));
        out.flush();
        watcher.close();
    }

    /** " owedWei=N (...)" when the contracts hold ether for this key (a game won, a bond returned); nothing sends it unasked. */
    private static String owed(DisputeL1 dispute) {
        try {
            BigInteger wei = dispute.owed();
            return wei.signum() == 0 ? "" : " owedWei=" + wei + " (collect it: ./clearline bonds --withdraw with this key)";
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=credit-unread error=\"{}\"", e.getMessage());
            return "";
        }
    }

    private Credentials key() {
        return keyFiles.source(null, KEY_ENV, env, System.err::println).resolve();
    }
}
