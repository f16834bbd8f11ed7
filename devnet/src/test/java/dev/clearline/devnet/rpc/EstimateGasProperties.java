package dev.clearline.devnet.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.NodeConfig;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code eth_estimateGas} stops its search within 1.5 % of the smallest gas limit that works (as
 * geth does) instead of bisecting to the last unit: the limit it gives always works, and 1.5 % less
 * never does. The calls are creations whose code reverts unless the gas left when it starts is at
 * least a threshold (as contracts that check {@code gasleft()} do): they use little gas but need
 * much more, so neither the gas used nor geth's optimistic guess is enough and the search runs.
 */
class EstimateGasProperties {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FROM = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    private static Devnet devnet;

    @BeforeAll
    static void start() {
        devnet = Devnet.start(Devnet.Options.inProcess(NodeConfig.defaults(() -> 1_700_000_000L)));
    }

    @AfterAll
    static void stop() {
        devnet.close();
    }

    /** Init code: GAS, PUSH3 threshold, GT, JUMPI to a revert when the gas left is below it, else STOP. */
    private static String needsGasLeft(int threshold) {
        return "0x5a62" + String.format("%06x", threshold) + "11600a5700" + "5b600080fd";
    }

    private static JsonNode rpc(String method, String call) throws Exception {
        return JSON.readTree(devnet.dispatcher().handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":[" + call + "]}"));
    }

    private static boolean runsWith(String data, long gas) throws Exception {
        JsonNode answer = rpc("eth_call", "{\"from\":\"" + FROM + "\",\"data\":\"" + data + "\",\"gas\":\"0x" + Long.toHexString(gas) + "\"}");
        return answer.has("result");
    }

    @Test
    void theEstimateWorksAndOnePointFivePercentLessDoesNot() {
        Property.forAll(Gens.ints(1_000, 5_000_000)).tries(40).check(threshold -> {
            String data = needsGasLeft(threshold);
            JsonNode answer = rpc("eth_estimateGas", "{\"from\":\"" + FROM + "\",\"data\":\"" + data + "\"}");
            assertThat(answer.has("result")).as(answer.toString()).isTrue();
            long estimate = Long.decode(answer.get("result").asText());
            assertThat(estimate).isGreaterThan(threshold);
            assertThat(runsWith(data, estimate)).as("the call with the estimate of %d gas", estimate).isTrue();
            long less = (long) Math.floor(estimate * (1 - 0.015));
            assertThat(runsWith(data, less)).as("the call with %d gas, 1.5%% under the estimate of %d", less, estimate).isFalse();
        });
    }

    @Test
    void aCallThatNeedsNoMoreThanItUsesIsEstimatedExactly() throws Exception {
        // a plain creation that stores nothing: the gas it used is the least it needs
        String data = "0x600160020100";
        JsonNode answer = rpc("eth_estimateGas", "{\"from\":\"" + FROM + "\",\"data\":\"" + data + "\"}");
        long estimate = Long.decode(answer.get("result").asText());
        assertThat(runsWith(data, estimate)).isTrue();
        assertThat(runsWith(data, estimate - 1)).isFalse();
    }
}
