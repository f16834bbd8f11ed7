package dev.clearline.conformance.stf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.contracts.Artifacts;
import dev.clearline.prover.trace.StepCallAbi;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HexFormat;

/**
 * The same four step contracts deployed on another EVM through JSON-RPC (Hardhat's node), and
 * {@code step} run there with {@code eth_call}. A revert comes back as the JSON-RPC error's data,
 * decoded with the same artifacts as the embedded EVM's.
 */
final class HardhatStepRunner implements Differential.StepRunner {
    /** Hardhat's first default account (the mnemonic in devnet's hardhat.config.js), unlocked on its node. */
    private static final String FROM = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

    private final String url;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();
    private final HexFormat hex = HexFormat.of();
    private final StepHarness decoder;
    private final String verifier;
    private long id;

    HardhatStepRunner(String url, StepHarness decoder) throws IOException, InterruptedException {
        this.url = url;
        this.decoder = decoder;
        Artifacts artifacts = Artifacts.onClasspath();
        String[] families = new String[3];
        for (int i = 0; i < 3; i++) families[i] = deploy(artifacts.load(StepHarness.CONTRACTS[i]).creationBytecode());
        StringBuilder init = new StringBuilder(hex.formatHex(artifacts.load("StepVerifier").creationBytecode()));
        for (String f : families) init.append("000000000000000000000000").append(f.substring(2));
        verifier = deploy(hex.parseHex(init.toString()));
    }

    private String deploy(byte[] code) throws IOException, InterruptedException {
        String tx = rpc("eth_sendTransaction", "[{\"from\":\"" + FROM + "\",\"gas\":\"0x1c9c380\",\"data\":\"0x" + hex.formatHex(code) + "\"}]")
                .get("result").asText();
        JsonNode receipt = rpc("eth_getTransactionReceipt", "[\"" + tx + "\"]").get("result");
        if (!"0x1".equals(receipt.get("status").asText())) throw new IllegalStateException("deployment failed on Hardhat: " + receipt);
        return receipt.get("contractAddress").asText();
    }

    @Override
    public StepHarness.Outcome step(byte[] preRoot, byte[] transition, byte[] witness, long batchIndex, byte[] domainSeparator) {
        byte[] input = StepCallAbi.encode(preRoot, transition, witness, batchIndex, domainSeparator);
        try {
            JsonNode r = rpc("eth_call", "[{\"from\":\"" + FROM + "\",\"to\":\"" + verifier + "\",\"gas\":\"0x1c9c380\",\"data\":\"0x"
                    + hex.formatHex(input) + "\"},\"latest\"]");
            if (r.has("result")) {
                return new StepHarness.Outcome(StepCallAbi.Result.decode(hex.parseHex(r.get("result").asText().substring(2))), null, 0);
            }
            JsonNode data = r.path("error").path("data");
            String revert = data.isTextual() ? data.asText() : data.path("data").asText("");
            return new StepHarness.Outcome(null, revert.startsWith("0x") ? decoder.decodeRevert(hex.parseHex(revert.substring(2)))
                    : "error " + r.get("error"), 0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private JsonNode rpc(String method, String params) throws IOException, InterruptedException {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + (++id) + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return json.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
    }
}
