package dev.clearline.cli;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.api.MarkFreshness;
import dev.clearline.sequencer.api.OrderLifetime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start the whole local stack on the embedded devnet.",
                "The devnet (L1 time running fast), the deployed contracts, two markets listed by governance, the sequencer with its trader API, the batch poster, the dev oracle feed with funding, demo market makers and takers, and a watcher replaying every posted batch from L1. Prints URLs, keys and what to try next. Ctrl-C stops everything."})
final class UpCommand implements Callable<Integer> {
    private static final String DEFAULT_DIR = ".clearline/stack";
    private final PrintWriter out;
    private final PrintWriter err;
    private final Lifecycle lifecycle;

    @Mixin
    NodeOptions node = new NodeOptions();

    @Option(names = "--manifest", defaultValue = Manifest.DEFAULT_PATH, description = "Where the manifest is written. Default: ${DEFAULT-VALUE}.")
    Path manifest;

    @Option(names = "--api-port", defaultValue = "8480", converter = Converters.Port.class,
            description = "Trader API port (REST and WebSocket) on the host, 0 for any free port. Default: ${DEFAULT-VALUE}.")
    int apiPort;

    @Option(names = "--dir", defaultValue = DEFAULT_DIR, description = "Where the sequencer keeps its log and snapshots and the watcher its replay (<dir>/watcher, RocksDB): "
            + "on the same chain, a restart resumes both. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Option(names = "--time-speed", defaultValue = "20", converter = Converters.TimeSpeed.class,
            description = "L1 seconds per real second, 1 to 3600, so challenge periods pass while you watch. Default: ${DEFAULT-VALUE}.")
    long timeSpeed;

    @Option(names = "--max-order-lifetime", defaultValue = "7d", converter = Converters.VenueLifetime.class,
            description = "The trader API takes only orders that expire within this long (90s, 10m, 2h, 7d), so nothing an order leaves in"
                    + " the rollup's state outlives it; none takes orders without expiry too. Default: ${DEFAULT-VALUE}.")
    long maxOrderLifetime;

    @Option(names = "--no-demo", description = "Do not start the demo market makers and takers.")
    boolean noDemo;

    @Option(names = "--status-port", converter = Converters.Port.class,
            description = "Serve the sequencer's GET /member and GET /metrics (Prometheus: the member, its trader API and L1 loop;"
                    + " alert rules in ops/prometheus) on this port, 0 for any free port. Default: none.")
    Integer statusPort;

    @Option(names = "--watch-metrics-port", converter = Converters.Port.class,
            description = "Serve the watcher's GET /metrics (as watch --metrics-port) on this port, 0 for any free port. Default: none.")
    Integer watchMetricsPort;

    @Option(names = "--status-every", defaultValue = "5", description = "Seconds between status lines (0: none). Default: ${DEFAULT-VALUE}.")
    int statusEvery;

    UpCommand(PrintWriter out, PrintWriter err, Lifecycle lifecycle) {
        this.out = out;
        this.err = err;
        this.lifecycle = lifecycle;
    }

    @Override
    public Integer call() throws Exception {
        ManifestTarget.requireWritable(manifest);
        node.timeSpeed = timeSpeed;
        Devnet devnet = node.start();
        LocalStack stack;
        try {
            DevnetCommand.printBanner(out, devnet, node.dataDir == null ? null : node.dataDir.toString());
            // A chain that starts at genesis cannot hold an earlier deployment: deploy fresh.
            boolean fresh = devnet.node().blockNumber() == 0;
            int code = DeployCommand.deploy(devnet.web3jService(), devnet.accounts().first(), manifest, fresh, 1,
                    Duration.ofSeconds(60), LocalStack.deploymentParameters(devnet, Map.of()), out, err);
            if (code != 0) {
                devnet.close();
                return code;
            }
            Manifest m = Manifest.read(manifest).orElseThrow();
            out.println("Starting the sequencer, batch poster, oracle feed" + (noDemo ? "" : ", demo traders") + " and watcher...");
            out.flush();
            try {
                stack = LocalStack.start(devnet, m, new LocalStack.Settings(dir, node.host, apiPort, !noDemo, 1_000, maxOrderLifetime,
                        statusPort == null ? -1 : statusPort, watchMetricsPort == null ? -1 : watchMetricsPort));
            } catch (java.net.BindException e) {
                throw new UserError("the trader API cannot listen on " + node.host + ":" + apiPort + " (" + e.getMessage()
                        + "); pass --api-port with a free port, or 0 for any", e);
            }
            printGuide(stack, m, devnet);
        } catch (RuntimeException e) {
            devnet.close();
            throw e;
        }
        Thread status = statusEvery <= 0 ? null : statusPrinter(stack);
        // the sequencer stopping (a command it cannot apply) leaves nothing to serve: stop everything and say why,
        // rather than run on with every order and batch waiting for it
        var sequencerStopped = stack.sequencerStopped().thenAccept(stop -> {
            err.println("clearline up: " + stack.whyStopped(stop) + "; stopping the stack");
            err.flush();
        });
        // so does a rollup frozen under it (an op the sequencer left too long): it takes no batch any more
        var frozen = stack.rollupFrozen().thenAccept(why -> {
            err.println("clearline up: " + why + "; stopping the stack");
            err.flush();
        });
        // and so does a sequencer stopped on purpose from outside (--stop on its directory): a stop asked for, not a failure
        var shutDown = stack.sequencerShutDown().thenAccept(why -> {
            err.println("clearline up: " + why + "; stopping the stack");
            err.flush();
        });
        boolean failed = lifecycle.awaitStopUnless(java.util.concurrent.CompletableFuture.anyOf(sequencerStopped.toCompletableFuture(),
                frozen.toCompletableFuture(), shutDown.toCompletableFuture()), () -> {
            if (status != null) status.interrupt();
            out.println("Stopping the stack...");
            out.flush();
            stack.close();
            devnet.close();
            // what is left and how to come back: a person stopping a stack wants to know whether the chain survived
            String l1Alone = "./clearline devnet --data-dir " + node.dataDir + " runs its L1 alone";
            out.println("Stopped. " + (node.dataDir == null
                    ? "The chain was in memory only: it is gone, and the next ./clearline up starts a new one"
                    : frozen.toCompletableFuture().isDone() ? "The chain is kept in " + node.dataDir + ", its rollup frozen: " + l1Alone
                            + ", for escaping"
                    : "The chain is kept in " + node.dataDir + ": ./clearline up --data-dir " + node.dataDir
                            + (dir.equals(Path.of(DEFAULT_DIR)) ? "" : " --dir " + dir)
                            // without its manifest the resumed chain's rollup is not found and a new one is deployed beside it
                            + (manifest.equals(Path.of(Manifest.DEFAULT_PATH)) ? "" : " --manifest " + shellWord(manifest.toString()))
                            + " resumes it (the sequencer and watcher from " + dir
                            + "); " + l1Alone));
            out.flush();
        });
        return failed && !shutDown.toCompletableFuture().isDone() ? ErrorReporting.FAILED : 0;
    }

    private void printGuide(LocalStack stack, Manifest m, Devnet devnet) {
        String api = "http://" + node.host + ":" + stack.apiPort();
        long challenge = Long.parseLong(m.parameters().get("rollup.challengePeriod"));
        Credentials you = stack.key(LocalStack.YOU);
        String yourKey = Numeric.toHexStringWithPrefixZeroPadded(you.getEcKeyPair().getPrivateKey(), 64);
        out.println();
        out.println("Clearline local stack is up");
        out.println("  L1 RPC:        " + devnet.rpcUrl() + "  (chain " + devnet.chainId() + "; L1 time runs " + timeSpeed
                + "x: the " + challenge + " s challenge period passes in about " + Math.max(1, challenge / timeSpeed) + " s)");
        out.println("  Trader API:    " + api + "   WebSocket: ws://" + node.host + ":" + stack.apiPort() + "/ws");
        out.println("                " + (maxOrderLifetime == 0 ? "takes orders with and without expiry (--max-order-lifetime none)"
                : "takes orders that expire within " + OrderLifetime.format(maxOrderLifetime)
                        + " (--max-order-lifetime), so no order stays in the rollup's state for good"));
        out.println("                and, in a market whose oracle has been silent for " + OrderLifetime.format(MarkFreshness.DEFAULT_WITH_FEED_SECONDS)
                + ", only cancels and reduce-only orders (GET /venue lists such markets)");
        if (stack.statusPort() >= 0) {
            String status = "http://" + node.host + ":" + stack.statusPort();
            out.println("  Status:        " + status + "/member   Metrics (Prometheus): " + status + "/metrics");
        }
        if (stack.watchMetricsPort() >= 0) {
            out.println("  Watcher metrics (Prometheus): http://" + node.host + ":" + stack.watchMetricsPort() + "/metrics");
        }
        out.println("  Rollup:        " + stack.rollupAddress);
        out.println("  Collateral:    " + m.address("TestCollateral") + "  (6 decimals)");
        out.println("  Operator:      key (" + LocalStack.OPERATOR + ") " + stack.key(LocalStack.OPERATOR).getAddress()
                + " bonds and posts batches every ~2 s, finalizes them after the challenge period");
        out.println("  Oracle:        dev key " + DevAccounts.oracle().address() + " signs a price and funding index per market every second");
        for (long[] mk : LocalStack.MARKETS) {
            out.println("  Market " + mk[0] + ":      tick " + Units.amount(mk[1]) + ", lot " + mk[2] + " base units, starting at "
                    + Units.amount(mk[3]) + " per lot");
        }
        if (!noDemo) {
            out.println("  Demo traders:  makers keys (3) (4), takers keys (5) (6), " + (stack.resumed()
                    ? "trading on with what the earlier run left them" : "1,000,000 collateral deposited each"));
        }
        out.println("  Watcher:       replays every posted batch from L1 alone, challenges a wrong one and defends the operator's;"
                + " its replay is kept in " + dir.resolve("watcher"));
        out.println("  Your key:      (" + LocalStack.YOU + ") " + you.getAddress() + "  holds " + Units.amount(yourL1Collateral(stack))
                + " collateral on L1, " + (stack.resumed() ? "and what the earlier run left on L2 (./clearline positions)" : "nothing deposited yet"));
        out.println("                 private key " + yourKey);
        out.println();
        out.println("Try next (in another terminal):");
        // the user commands look for the manifest at the default path: one written elsewhere has to be named
        String manifestFlag = manifest.equals(Path.of(Manifest.DEFAULT_PATH)) ? "" : " --manifest " + shellWord(manifest.toAbsolutePath().normalize().toString());
        String common = " --rpc-url " + devnet.rpcUrl() + " --api " + api + " --key " + yourKey + manifestFlag;
        out.println("  ./clearline deposit 1000 --wait" + common + "      (returns once the sequencer has credited it)");
        out.println("  ./clearline markets --market 1 --api " + api + "      (the book: what to price at)");
        out.println("  ./clearline order --market 1 --side buy --price " + Units.amount(LocalStack.MARKETS[0][3]) + " --lots 2" + common);
        out.println("  ./clearline order --market 1 --side buy --type market --lots 1" + common
                + "      (takes what the book offers now, up to 2% over the mark: --slippage sets it)");
        long[] m1 = LocalStack.MARKETS[0];
        long takeProfit = m1[3] * 101 / 100 / m1[1] * m1[1]; // 1 % over the start, on the tick
        out.println("  ./clearline order --market 1 --side sell --price " + Units.amount(takeProfit) + " --lots 2 --reduce-only" + common
                + "      (a take-profit: rests, never more than you hold (cut when your position shrinks), gone once it is closed)");
        long stopLoss = m1[3] * 95 / 100 / m1[1] * m1[1]; // 5 % under the start, on the tick
        out.println("  ./clearline order --market 1 --side sell --type market --lots 2 --reduce-only --stop " + Units.amount(stopLoss) + common
                + "      (a stop-loss: held off the book, sold once the mark falls to it)");
        long trail = m1[3] * 3 / 100 / m1[1] * m1[1]; // 3 % of the start, on the tick
        out.println("  ./clearline order --market 1 --side sell --type market --lots 2 --reduce-only --trail " + Units.amount(trail) + common
                + "      (a trailing stop: its trigger follows the mark up, never down, and sells once the mark falls that far from its high)");
        out.println("  ./clearline positions" + common + "      (each position's entry price and profit, your open orders' hashes)");
        out.println("  ./clearline cancel <order hash>" + common + "      (or --all: every open order of yours)");
        out.println("  ./clearline cancel --after 60" + common + "      (a dead man's switch: your orders all leave in 60 s unless you send it"
                + " again; --after 0 turns it off)");
        out.println("  ./clearline margin remove all --market 1" + common + "      (once you closed the position: its margin back to free)");
        out.println("  ./clearline withdraw 100" + common);
        out.println("  ./clearline claim" + common + "      (once the withdrawal's batch is final)");
        out.println("  ./clearline status" + common);
        out.println("  ./clearline verify-batches --rollup " + stack.rollupAddress + " --rpc-url " + devnet.rpcUrl());
        out.println("  curl " + api + "/state");
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }

    /** {@code s} as one word for a POSIX shell: as it is when it holds nothing the shell would split or expand. */
    static String shellWord(String s) {
        return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /** What key {@link LocalStack#YOU} holds on L1 now: a resumed chain's is what the earlier run left. */
    private static long yourL1Collateral(LocalStack stack) {
        try {
            return stack.yourL1Collateral();
        } catch (Exception e) {
            throw new UserError("could not read your collateral balance from the devnet (" + e.getMessage() + "); run ./clearline up again", e);
        }
    }

    /**
     * One status line. A stopped poster stays on it (the trader API takes no new orders until it is fixed): the log
     * line that said why scrolls away, and the lines after it would only have stopped changing.
     */
    static String statusLine(long posted, long finalized, long honest, long fraud, long demoOrders, java.util.Optional<String> postingStopped) {
        return "batches posted " + posted + ", finalized " + finalized + ", verified honest " + honest + (fraud > 0 ? ", FRAUD " + fraud : "")
                + "; demo orders " + demoOrders
                + postingStopped.map(why -> "; HALTED, posting stopped and the trader API takes no new orders: " + why).orElse("");
    }

    private Thread statusPrinter(LocalStack stack) {
        Thread t = new Thread(() -> {
            String last = "";
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(statusEvery * 1_000L);
                    String line = statusLine(stack.batchesOnL1(), stack.finalizedBatches(), stack.verifiedHonest(), stack.verifiedFraud(),
                            stack.demoOrders(), stack.postingStopped());
                    if (!line.equals(last)) {
                        out.println(String.format("%tT", java.time.LocalTime.now()) + "  " + line);  // %tT keeps :00 seconds, which LocalTime.toString drops
                        out.flush();
                        last = line;
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the stack is stopping or the node is busy: try again next time
                }
            }
        }, "status");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
