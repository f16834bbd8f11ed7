package dev.clearline.devnet.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.DevnetNode;
import dev.clearline.devnet.node.NodeConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Hardhat project pointed at the devnet: its tests' chain helpers
 * ({@code @nomicfoundation/hardhat-network-helpers}: setBalance, setNonce, setCode, setStorageAt,
 * impersonateAccount, mine, time.increase, takeSnapshot, dropTransaction, setCoinbase,
 * setBlockGasLimit, setPrevRandao, reset, ...) run unchanged,
 * through Hardhat's own HTTP provider. The script asserts each step; it runs on Hardhat's own
 * network too, so what it asserts is Hardhat's behaviour.
 */
class NetworkHelpersTest {
    private static final String STEPS = "setBalance setNonce setCode setStorageAt getStorageAt takeSnapshot mine mineUpTo time.increase "
            + "time.increaseTo time.setNextBlockTimestamp setNextBlockBaseFeePerGas impersonateAccount stopImpersonatingAccount "
            + "dropTransaction snapshot.restore setCoinbase setBlockGasLimit setPrevRandao reset";

    @Test
    void hardhatsNetworkHelpersRunUnchangedAgainstTheDevnet() throws Exception {
        try (Devnet devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(() -> 1_700_000_000L), 0))) {
            new Chain(devnet.web3j(), 31337).send(devnet.accounts().first(), "0x00000000000000000000000000000000000000b0", "0x", 21_000);
            assertThat(devnet.node().blockNumber()).isEqualTo(1);
            String output = runScript(List.of("--network", "devnet"), Map.of("CLEARLINE_DEVNET_URL", devnet.rpcUrl()));
            assertThat(output).contains("network helpers ran: " + STEPS);
            // the script ran against this devnet, and its last step reset the chain to a new genesis
            DevnetNode node = devnet.node();
            assertThat(node.blockNumber()).isZero();
            assertThat(node.balance("0x00000000000000000000000000000000000000b0", DevnetNode.LATEST)).isZero();
            assertThat(node.balance("0x00000000000000000000000000000000000f0001", DevnetNode.LATEST)).isZero();
        }
    }

    @Test
    void theScriptHoldsOnHardhatsOwnNetwork() throws Exception {
        assertThat(runScript(List.of(), Map.of())).contains("network helpers ran: " + STEPS);
    }

    /** Runs scripts/network-helpers.js with {@code hardhat run}; its output, or a failure carrying it. */
    private static String runScript(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        Path dir = HardhatNode.installedProject();
        List<String> command = new java.util.ArrayList<>(List.of(dir.resolve("node_modules/.bin/hardhat").toString(), "run"));
        command.addAll(args);
        command.add("scripts/network-helpers.js");
        return NodeScripts.run(command, env);
    }
}
