package dev.clearline.devnet.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.NodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthGetProof;
import org.web3j.protocol.http.HttpService;

/**
 * The edges real clients hit, each sent over HTTP as the client sends it (raw JSON-RPC, or
 * web3j): every answer is a result or a JSON-RPC error that says what is wrong, never a Java
 * exception's name.
 */
class ClientEdgesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String BOB = "0x00000000000000000000000000000000000000b0";
    /**
     * Init code that logs (LOG0 of nothing), then CALLs {@link #BOB} with no value and returns:
     * one frame with a log and one nested call.
     */
    private static final String LOG_THEN_CALL = "0x" + "60006000a0" + "600060006000600060006000" + "60b0" + "5af1" + "5000";
    private static Devnet devnet;

    @BeforeAll
    static void start() {
        devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(() -> 1_700_000_000L), 0));
    }

    @AfterAll
    static void stop() {
        devnet.close();
    }

    private static JsonNode rpc(String method, String params) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(devnet.rpcUrl())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String errorOf(JsonNode answer) {
        assertThat(answer.has("error")).as(answer.toString()).isTrue();
        String message = answer.get("error").get("message").asText();
        assertThat(message).doesNotContainPattern("[A-Za-z]+(Exception|Error)\\b").doesNotContain("java.");
        return message;
    }

    @Test
    void getProofTakesStorageKeysAsThirtyTwoByteWordsTheWayEthersSendsThem() throws Exception {
        String word = "0x" + "0".repeat(63) + "1";
        JsonNode raw = rpc("eth_getProof", "[\"" + BOB + "\",[\"" + word + "\",\"0x2\"],\"latest\"]");
        assertThat(raw.has("result")).as(raw.toString()).isTrue();
        assertThat(raw.get("result").get("storageProof")).hasSize(2);
        Web3j web3j = Web3j.build(new HttpService(devnet.rpcUrl()));
        try {
            EthGetProof proof = web3j.ethGetProof(BOB, List.of(word), "latest").send();
            assertThat(proof.hasError()).as(String.valueOf(proof.getError() == null ? "" : proof.getError().getMessage())).isFalse();
            assertThat(proof.getProof().getStorageProof()).hasSize(1);
            assertThat(proof.getProof().getStorageProof().get(0).getValue()).isEqualTo("0x0");
        } finally {
            web3j.shutdown();
        }
        assertThat(errorOf(rpc("eth_getProof", "[\"" + BOB + "\",[\"0x" + "1".repeat(66) + "\"],\"latest\"]")))
                .contains("storage key");
    }

    @Test
    void aCallWithExactlyTheIntrinsicGasRunsAndOneLessNamesBothFigures() throws Exception {
        JsonNode exact = rpc("eth_call", "[{\"to\":\"" + BOB + "\",\"gas\":\"0x5208\"},\"latest\"]");
        assertThat(exact.path("result").asText()).as(exact.toString()).isEqualTo("0x");
        assertThat(errorOf(rpc("eth_call", "[{\"to\":\"" + BOB + "\",\"gas\":\"0x5207\"},\"latest\"]")))
                .contains("intrinsic gas too low: have 20999, want 21000");
    }

    @Test
    void callTracerFollowsOnlyTopCallAndWithLog() throws Exception {
        String call = "{\"data\":\"" + LOG_THEN_CALL + "\"}";
        JsonNode plain = rpc("debug_traceCall", "[" + call + ",\"latest\",{\"tracer\":\"callTracer\"}]").get("result");
        assertThat(plain.get("calls")).as(plain.toString()).hasSize(1);
        assertThat(plain.get("calls").get(0).get("to").asText()).isEqualTo(BOB);
        assertThat(plain.has("logs")).isFalse();

        JsonNode top = rpc("debug_traceCall", "[" + call + ",\"latest\",{\"tracer\":\"callTracer\",\"tracerConfig\":{\"onlyTopCall\":true}}]")
                .get("result");
        assertThat(top.has("calls")).as(top.toString()).isFalse();
        assertThat(top.get("type").asText()).isEqualTo("CREATE");

        JsonNode logged = rpc("debug_traceCall", "[" + call + ",\"latest\",{\"tracer\":\"callTracer\",\"tracerConfig\":{\"withLog\":true}}]")
                .get("result");
        assertThat(logged.get("logs")).as(logged.toString()).hasSize(1);
        assertThat(logged.get("logs").get(0).get("address").asText()).isEqualTo(logged.get("to").asText());
        assertThat(logged.get("logs").get(0).get("data").asText()).isEqualTo("0x");
        assertThat(logged.get("calls")).hasSize(1);
    }

    @Test
    void anUnsupportedTracerIsAnInvalidParamsErrorThatNamesTheTracersThereAre() throws Exception {
        JsonNode answer = rpc("debug_traceCall", "[{\"to\":\"" + BOB + "\"},\"latest\",{\"tracer\":\"prestateTracer\"}]");
        assertThat(errorOf(answer)).contains("prestateTracer", "callTracer");
        assertThat(answer.get("error").get("code").asInt()).isEqualTo(-32602);
        JsonNode tx = rpc("debug_traceTransaction", "[\"0x" + "ab".repeat(32) + "\",{\"tracer\":\"{step: function() {}}\"}]");
        assertThat(errorOf(tx)).contains("not supported");
    }

    @Test
    void aGarbageRawTransactionSaysItIsNotASignedTransaction() throws Exception {
        for (String garbage : List.of("0x1234", "0x", "0x02c0", "0xc0", "0x01")) {
            JsonNode answer = rpc("eth_sendRawTransaction", "[\"" + garbage + "\"]");
            assertThat(errorOf(answer)).as(garbage).containsIgnoringCase("transaction");
            assertThat(answer.get("error").get("code").asInt()).isEqualTo(-32000);
        }
        assertThat(errorOf(rpc("eth_sendRawTransaction", "[\"0x1234\"]"))).contains("not an RLP-encoded signed transaction");
    }

    @Test
    void codeCompiledForALaterForkFailsNamingTheOpcodeAndTheRules() throws Exception {
        // PUSH0 TLOAD STOP and PUSH0 PUSH0 PUSH0 MCOPY STOP: Cancun opcodes, undefined under Shanghai.
        for (String[] code : List.of(new String[] {"0x5f5c00", "TLOAD"}, new String[] {"0x5f5f5f5e00", "MCOPY"})) {
            String call = "{\"data\":\"" + code[0] + "\"}";
            assertThat(errorOf(rpc("eth_call", "[" + call + ",\"latest\"]"))).contains(code[1], "Cancun", "Shanghai", "evmVersion");
            assertThat(errorOf(rpc("eth_estimateGas", "[" + call + "]"))).contains(code[1], "Shanghai");
        }
    }

    @Test
    void theRulesAreStatedInOneLine() {
        assertThat(devnet.rules()).contains("Shanghai", "30,000,000", "calldata floor");
        assertThat(rpcBlockGasLimit()).isEqualTo(30_000_000L);
    }

    private static long rpcBlockGasLimit() {
        try {
            return Long.decode(rpc("eth_getBlockByNumber", "[\"latest\",false]").get("result").get("gasLimit").asText());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
