package dev.clearline.devnet.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.NodeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ethers v6, the client most front ends and scripts use, against the devnet through its own
 * {@code JsonRpcProvider} and the node's signers (src/test/hardhat/scripts/ethers-client.js):
 * deploy, send and wait, calls, event queries, custom errors decoded from the revert data,
 * {@code signMessage} and {@code signTypedData} of a Clearline order, contract events followed by
 * polled filters and by a {@code WebSocketProvider}'s subscriptions. The same script runs against
 * Hardhat's node, and both sign the order to the same bytes.
 */
class EthersClientTest {
    private static final String STEPS = "ethers ran: network getSigner deploy send wait call queryFilter custom errors signMessage "
            + "signTypedData events polled events over WebSocket getFeeData getBlock";

    @TempDir
    Path tmp;

    @Test
    void ethersDeploysCallsDecodesErrorsAndSignsAnOrderAsOnHardhatsNode() throws Exception {
        Path artifact = tmp.resolve("TestCollateral.json");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("solidity/TestCollateral.json")) {
            assertThat(in).as("the contracts module's artifact on the classpath").isNotNull();
            Files.copy(in, artifact);
        }
        String onDevnet;
        try (Devnet devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(() -> 1_700_000_000L), 0))) {
            onDevnet = run(devnet.rpcUrl(), artifact);
        }
        String onHardhat;
        try (HardhatNode hardhat = HardhatNode.start()) {
            onHardhat = run(hardhat.url(), artifact);
        }
        assertThat(onDevnet).contains(STEPS);
        assertThat(onHardhat).contains(STEPS);
        assertThat(signature(onDevnet)).as("the order signed by the devnet and by Hardhat's node").isEqualTo(signature(onHardhat));
    }

    private static String run(String url, Path artifact) throws IOException, InterruptedException {
        return NodeScripts.run(List.of("node", "scripts/ethers-client.js"),
                Map.of("CLEARLINE_RPC_URL", url, "CLEARLINE_ARTIFACT", artifact.toString()));
    }

    private static String signature(String output) {
        return output.lines().filter(l -> l.startsWith("order signature: ")).findFirst().orElseThrow();
    }
}
