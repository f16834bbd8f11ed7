package dev.clearline.devnet.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.NodeConfig;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;

/**
 * {@code hardhat_metadata}'s instance id tells one node's run from another and a chain from the one
 * {@code hardhat_reset} left, as on Hardhat's node (its shape is checked on both nodes by
 * {@code L1Compatibility}): a tool that caches what it read sees that the chain behind the URL changed.
 */
class HardhatMetadataTest {
    public static final class AnyJson extends org.web3j.protocol.core.Response<JsonNode> {}

    private static JsonNode call(Web3jService service, String method) throws IOException {
        AnyJson r = new Request<>(method, List.of(), service, AnyJson.class).send();
        assertThat(r.hasError()).as("%s: %s", method, r.hasError() ? r.getError().getMessage() : "").isFalse();
        return r.getResult();
    }

    @Test
    void aResetOrAnotherRunIsAnotherInstance() throws Exception {
        try (Devnet one = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L));
             Devnet two = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L))) {
            one.node().setBalance("0x00000000000000000000000000000000000000b0", BigInteger.ONE);
            one.node().mine(null);
            JsonNode before = call(one.web3jService(), "hardhat_metadata");
            assertThat(before.get("latestBlockNumber").asLong()).isOne();
            assertThat(call(two.web3jService(), "hardhat_metadata").get("instanceId")).as("another run").isNotEqualTo(before.get("instanceId"));

            assertThat(call(one.web3jService(), "hardhat_reset").asBoolean()).isTrue();
            JsonNode after = call(one.web3jService(), "hardhat_metadata");
            assertThat(after.get("instanceId")).as("a reset chain is another instance").isNotEqualTo(before.get("instanceId"));
            assertThat(after.get("latestBlockNumber").asLong()).isZero();
            assertThat(after.get("latestBlockHash").asText()).isEqualTo(one.node().head().hash());
            assertThat(call(one.web3jService(), "hardhat_metadata").get("instanceId")).isEqualTo(after.get("instanceId"));
        }
    }
}
