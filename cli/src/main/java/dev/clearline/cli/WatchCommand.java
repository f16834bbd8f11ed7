package dev.clearline.cli;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.dispute.DisputeL1;
import dev.clearline.prover.dispute.GameView;
import dev.clearline.prover.dispute.Watcher;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
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
        description = {"Watch the rollup: replay every batch from L1, challenge a wrong one and win its dispute, defend this key's batches.",
                "The key comes from --key-file or the CLEARLINE_WATCHER_KEY environment variable (never the command line)."})
final class WatchCommand implements Callable<Integer> {
    static final String KEY_ENV = "CLEARLINE_WATCHER_KEY";
    private static final Logger LOG = LoggerFactory.getLogger(WatchCommand.class);

    private final PrintWriter out;
    private final Lifecycle lifecycle;
    private final Map<String, String> env;

    @Mixin
    L1Options l1;

    @Option(names = "--game", description = "Address of the DisputeGame contract. Default: the manifest's DisputeGame.")
    String game;

    @Option(names = "--key-file", description = "File holding the watcher's private key (64 hex digits, 0x optional). Default: $" + KEY_ENV + ".")
    Path keyFile;

    @Option(names = "--no-challenge", description = "Judge and defend, but never open a challenge.")
    boolean noChallenge;

    @Option(names = "--no-defend", description = "Do not answer challenges to this key's batches.")
    boolean noDefend;

    @Option(names = "--poll-ms", defaultValue = "1000", description = "Milliseconds between two looks at L1, 10 to 600000. Default: ${DEFAULT-VALUE}.")
    long pollMillis;

    @Option(names = "--gas-price-gwei", defaultValue = "2", description = "Gas price of this watcher's transactions, in gwei. Default: ${DEFAULT-VALUE}.")
    long gasPriceGwei;

    WatchCommand(PrintWriter out, Lifecycle lifecycle, Map<String, String> env) {
        this.out = out;
        this.lifecycle = lifecycle;
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (pollMillis < 10 || pollMillis > 600_000) throw new UserError("--poll-ms must be 10 to 600000, got " + pollMillis);
        if (gasPriceGwei < 0) throw new UserError("--gas-price-gwei must be 0 or more, got " + gasPriceGwei);
        Credentials key = key();
        try (L1Options.Connection c = l1.connect()) {
            String gameAddress = c.contract("DisputeGame", game, "--game");
            Stf stf = new Stf(new Eip712(c.chainId(), c.rollup()), new BouncyCastleVerifier());
            MemoryNodeStore nodes = new MemoryNodeStore();
            var transactions = new RawTransactionManager(c.web3j(), key, c.chainId(),
                    new PollingTransactionReceiptProcessor(c.web3j(), Math.min(pollMillis, 500), 240));
            DisputeL1 dispute = new DisputeL1(c.web3j(), c.rollup().toString(), gameAddress, transactions,
                    new StaticGasProvider(BigInteger.valueOf(gasPriceGwei).multiply(BigInteger.TEN.pow(9)), BigInteger.valueOf(15_000_000)));
            Watcher watcher;
            try {
                watcher = new Watcher(new RollupLog(c.web3j(), c.rollup().toString()), new BatchVerifier(stf, nodes), nodes, stf, dispute,
                        new Watcher.Role(!noChallenge, !noDefend), l1.fromBlock);
            } catch (IOException e) {
                throw L1Options.unreachable(c.rpcUrl(), e);
            }
            LOG.info("event=watch-start account={} rollup={} game={} challenge={} defend={}", dispute.account(), c.rollup(), gameAddress,
                    !noChallenge, !noDefend);
            ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "clearline-watch"));
            loop.scheduleWithFixedDelay(() -> poll(watcher), 0, pollMillis, TimeUnit.MILLISECONDS);
            try {
                lifecycle.awaitStop(() -> {
                    loop.shutdown();
                    try {
                        loop.awaitTermination(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            } finally {
                loop.shutdownNow();
                loop.awaitTermination(30, TimeUnit.SECONDS);
            }
            // One last look at L1, so the summary shows the outcome of a move sent just before the stop.
            poll(watcher);
            watcher.close();
            Map<Long, String> games = new TreeMap<>();
            watcher.finishedGames().forEach((id, status) -> games.put(id, GameView.statusName(status)));
            long fraud = watcher.verdicts().stream().filter(v -> !v.honest()).count();
            out.println("batches=" + watcher.verdicts().size() + " fraud=" + fraud + " gamesOver=" + games + " gamesOpen=" + watcher.activeGames()
                    + " transactions=" + watcher.ledger().transactions() + " gas=" + watcher.ledger().totalGas());
            return 0;
        }
    }

    /** One look at L1; a failure is logged and retried at the next poll, never the end of the watch. */
    private static void poll(Watcher watcher) {
        try {
            watcher.poll();
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=poll-failed reason=\"{}\" action=retry-next-poll", e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private Credentials key() {
        String hex;
        String from;
        if (keyFile != null) {
            try {
                hex = Files.readString(keyFile).strip();
            } catch (IOException e) {
                throw new UserError("cannot read --key-file " + keyFile + " (" + IoProblem.describe(e) + "); give a file holding the key as 64 hex digits", e);
            }
            from = "--key-file " + keyFile;
        } else {
            hex = env.get(KEY_ENV);
            if (hex == null || hex.isBlank()) {
                throw new UserError("the watcher needs a key to send challenges: give --key-file, or set " + KEY_ENV + " (64 hex digits)");
            }
            from = "$" + KEY_ENV;
        }
        try {
            return new Converters.PrivateKey().convert(hex);
        } catch (RuntimeException e) {
            throw new UserError(from + ": " + e.getMessage());
        }
    }
}
