package dev.clearline.cli;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.accounts.DevAccounts;
import dev.clearline.devnet.node.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options that shape a devnet, shared by {@code devnet} and {@code up}. */
final class NodeOptions {
    @Option(names = "--port", defaultValue = "8545", converter = Converters.Port.class,
            description = "HTTP JSON-RPC port on the host, 0-65535 (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", converter = Converters.Host.class, description = "Interface to bind. Default: ${DEFAULT-VALUE} (local only).")
    String host;

    @Option(names = "--chain-id", defaultValue = "31337", converter = Converters.ChainId.class,
            description = "Chain id, 1 to 4503599627370476. Default: ${DEFAULT-VALUE}.")
    long chainId;

    @Option(names = "--block-time", defaultValue = "0", converter = Converters.BlockTime.class,
            description = "Seconds between blocks (0.001 to 86400); 0 mines a block for every transaction (automine). Default: ${DEFAULT-VALUE}.")
    Duration blockTime;

    @Option(names = "--data-dir", converter = Converters.DataDir.class,
            description = "Keep the chain in this directory (created if missing) and reopen it on the next start (default: memory only).")
    Path dataDir;

    @Option(names = "--mnemonic", defaultValue = DevAccounts.DEFAULT_MNEMONIC, description = "Mnemonic of the funded dev accounts (m/44'/60'/0'/0/i). Default: Hardhat's.")
    String mnemonic;

    @Option(names = "--accounts", defaultValue = "10", converter = Converters.Accounts.class,
            description = "Number of funded dev accounts, 1 to 1000. Default: ${DEFAULT-VALUE}.")
    int accounts;

    @Option(names = "--block-txs", defaultValue = "1",
            description = "Automine only, in memory: up to this many transactions waiting to be mined share a block, 1 to 1000 "
                    + "(an opt-in for load; 1 is a block per transaction, like Hardhat). Default: ${DEFAULT-VALUE}.")
    int blockTxs = 1; // also when built in code (tests build NodeOptions without picocli, which applies the default only when it parses)

    /** How many L1 seconds pass per real second (set by {@code up}; the devnet alone runs at 1). */
    long timeSpeed = 1;

    Devnet.Options toOptions() {
        DevAccounts devAccounts;
        try {
            devAccounts = DevAccounts.fromMnemonic(mnemonic, accounts);
        } catch (IllegalArgumentException e) {
            throw new UserError("--mnemonic: " + e.getMessage().replace(mnemonic, "(the words given)"), e);
        }
        if (blockTxs < 1 || blockTxs > 1000) throw new UserError("--block-txs must be 1 to 1000, got " + blockTxs);
        if (blockTxs > 1 && (dataDir != null || !blockTime.isZero())) {
            throw new UserError("--block-txs applies to the automining in-memory devnet only: with --data-dir every answer waits for "
                    + "its own block on disk, and --block-time mines every pending transaction each interval; drop one of them");
        }
        long startMillis = System.currentTimeMillis();
        long speed = timeSpeed;
        NodeConfig config = NodeConfig.defaults(() -> (startMillis + (System.currentTimeMillis() - startMillis) * speed) / 1000)
                .withTimeSpeed(speed)
                .withChainId(chainId)
                .withDataDir(dataDir)
                .withAccounts(devAccounts)
                .withBlockTxs(blockTxs);
        Duration interval = blockTime.isZero() ? null : blockTime;
        return new Devnet.Options(config, host, port, interval, 4);
    }

    /** Starts the devnet these options describe; a failure to start (port taken, unusable data) is the user's to fix. */
    Devnet start() {
        Devnet.Options options = toOptions();
        if (dataDir != null) {
            try {
                Files.createDirectories(dataDir);
                Files.delete(Files.createTempFile(dataDir, "clearline", ".probe"));
            } catch (IOException | SecurityException e) {
                throw new UserError("cannot use " + dataDir + " as the data directory (" + IoProblem.describe(e)
                        + "); pass --data-dir with a directory you can write to", e);
            }
        }
        try {
            return Devnet.start(options);
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new UserError("cannot start the devnet: " + why, e);
        }
    }
}
