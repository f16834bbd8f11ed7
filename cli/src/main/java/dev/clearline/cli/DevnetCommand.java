package dev.clearline.cli;

import dev.clearline.devnet.Devnet;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "devnet", mixinStandardHelpOptions = true,
        description = {"Start the embedded L1 devnet alone: Ethereum JSON-RPC over HTTP, funded dev accounts, automine or interval mining.",
                "Prints the RPC URL, chain id and funded keys; Ctrl-C stops it cleanly. With --data-dir the chain persists and reopens."})
final class DevnetCommand implements Callable<Integer> {
    private final PrintWriter out;
    private final PrintWriter err;
    private final Lifecycle lifecycle;

    @Mixin
    NodeOptions node = new NodeOptions();

    DevnetCommand(PrintWriter out, PrintWriter err, Lifecycle lifecycle) {
        this.out = out;
        this.err = err;
        this.lifecycle = lifecycle;
    }

    @Override
    public Integer call() throws Exception {
        Devnet devnet = node.start();
        printBanner(out, devnet, node.dataDir == null ? null : node.dataDir.toString());
        out.println("Press Ctrl-C to stop.");
        out.flush();
        lifecycle.awaitStop(devnet::close);
        return 0;
    }

    static void printBanner(PrintWriter out, Devnet devnet, String dataDir) {
        out.println("Clearline devnet is running");
        out.println("RPC URL:   " + devnet.rpcUrl());
        out.println("WebSocket: " + devnet.rpcUrl().replaceFirst("^http", "ws") + "  (the same methods, and eth_subscribe: newHeads, logs)");
        out.println("Chain id:  " + devnet.chainId());
        out.println("Rules:     " + devnet.rules());
        out.println("Block:     " + devnet.node().blockNumber() + (dataDir == null ? " (in memory)" : " (data in " + dataDir + ")"));
        out.println("Durability: " + devnet.durability());
        out.println("Funded accounts (" + devnet.node().config().accountBalance().divide(java.math.BigInteger.TEN.pow(18)) + " ETH each):");
        int i = 0;
        for (Credentials c : devnet.accounts().keys()) {
            out.printf("  (%d) %s  private key %s%n", i++, c.getAddress(),
                    Numeric.toHexStringWithPrefixZeroPadded(c.getEcKeyPair().getPrivateKey(), 64));
        }
        out.println("These keys are public knowledge: never use them on a real network.");
    }
}
