package dev.clearline.cli;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.accounts.DevAccounts;
import dev.clearline.devnet.node.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options that shape a devnet, shared by {@code devnet} and {@code up}. */
final class NodeOptions {
    @Option(names = "--port", defaultValue = "8545", description = "HTTP JSON-RPC port on the host (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind. Default: ${DEFAULT-VALUE} (local only).")
    String host;

    @Option(names = "--chain-id", defaultValue = "31337", description = "Chain id. Default: ${DEFAULT-VALUE}.")
    long chainId;

    @Option(names = "--block-time", defaultValue = "0",
            description = "Seconds between blocks; 0 mines a block for every transaction (automine). Default: ${DEFAULT-VALUE}.")
    double blockTime;

    @Option(names = "--data-dir", description = "Keep the chain in this directory and reopen it on the next start (default: memory only).")
    Path dataDir;

    @Option(names = "--mnemonic", defaultValue = DevAccounts.DEFAULT_MNEMONIC, description = "Mnemonic of the funded dev accounts (m/44'/60'/0'/0/i). Default: Hardhat's.")
    String mnemonic;

    @Option(names = "--accounts", defaultValue = "10", description = "Number of funded dev accounts. Default: ${DEFAULT-VALUE}.")
    int accounts;

    Devnet.Options toOptions() {
        NodeConfig config = NodeConfig.defaults(() -> System.currentTimeMillis() / 1000)
                .withChainId(chainId)
                .withDataDir(dataDir)
                .withAccounts(DevAccounts.fromMnemonic(mnemonic, accounts));
        Duration interval = blockTime > 0 ? Duration.ofMillis((long) (blockTime * 1000)) : null;
        return new Devnet.Options(config, host, port, interval, 4);
    }
}
