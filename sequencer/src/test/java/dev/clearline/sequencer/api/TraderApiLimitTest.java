package dev.clearline.sequencer.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.SequencerMain;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.command.CommandCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The largest request the API offers, a batch cancel of {@link CommandCodec#MAX_BATCH_CANCELS} signed cancels, is taken at
 * the limit a node serves with ({@link TraderApi#DEFAULT_MAX_REQUEST_BYTES}): pretty-printed over REST, compact over
 * WebSocket. At the old 64 KiB both were refused (413 over REST; over WebSocket the socket closed with 1009), in the middle
 * of the emergency cancel a bot sends them for.
 */
class TraderApiLimitTest {
    private static final int ANSWER_SECONDS = 60;

    @Test
    void aBatchCancelOfTheMostOrdersTheApiTakesIsAnsweredOverRestAndWebSocket() throws Exception {
        Path dir = Files.createTempDirectory("trader-api-limit");
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier())) {
            Eip712 domain = Market.GENESIS.domain();
            try (Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), 2)) {
                SequencerMain.devSetup(gateway, domain, 1);
                try (TraderApi api = new TraderApi(gateway, new RateLimiter(1e9, 1e9, System::nanoTime), new RateLimiter(1e9, 1e9, System::nanoTime),
                        "127.0.0.1", 0, TraderApi.DEFAULT_MAX_REQUEST_BYTES);
                     WsClient ws = new WsClient(api.port())) {
                    Signer s = DevAccounts.trader(0);
                    int n = CommandCodec.MAX_BATCH_CANCELS;

                    ObjectNode overRest = batch(s, domain, rest(ws, s, domain, n, 1));
                    byte[] pretty = WsClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(overRest).getBytes(StandardCharsets.UTF_8);
                    assertThat(pretty.length).as("the pretty batch is over the old 64 KiB limit").isGreaterThan(64 * 1024);
                    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                                    + "/orders/batch-cancel")).POST(HttpRequest.BodyPublishers.ofByteArray(pretty)).header("content-type", "application/json")
                            .timeout(Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    assertEveryCancelAccepted(WsClient.JSON.readTree(r.body()), n);

                    ObjectNode overWs = batch(s, domain, rest(ws, s, domain, n, 1 + n));
                    assertThat(overWs.toString().getBytes(StandardCharsets.UTF_8).length).as("compact, still over 64 KiB").isGreaterThan(64 * 1024);
                    JsonNode answer = ws.request(OrderJson.op("batchCancel", overWs)).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                    assertEveryCancelAccepted(answer, n);
                    assertThat(ws.closed).as("the socket stays open").isNotDone();
                }
            }
        }
    }

    /** Places {@code n} resting bids of one lot far under the mark, pipelined over the socket; their hashes. */
    private static List<Hash32> rest(WsClient ws, Signer s, Eip712 domain, int n, long firstNonce) throws Exception {
        List<Hash32> hashes = new ArrayList<>();
        List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Order o = new Order(s.address(), 1, Side.BUY, 100, 1_000, 0, TimeInForce.GTC, 0, 0, firstNonce + i, 1_000);
            hashes.add(domain.orderDigest(o));
            answers.add(ws.request(OrderJson.op("place", OrderJson.order(s, o, domain))));
        }
        for (CompletableFuture<JsonNode> a : answers) {
            JsonNode placed = a.get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(placed.path("outcomes").get(0).path("accepted").asBoolean()).as(placed.toString()).isTrue();
        }
        return hashes;
    }

    private static ObjectNode batch(Signer s, Eip712 domain, List<Hash32> hashes) {
        ObjectNode batch = WsClient.JSON.createObjectNode();
        ArrayNode cancels = batch.putArray("cancels");
        for (Hash32 h : hashes) cancels.add(OrderJson.cancel(s, h, domain));
        return batch;
    }

    private static void assertEveryCancelAccepted(JsonNode reply, int n) {
        JsonNode outcomes = reply.path("outcomes");
        assertThat(outcomes.size()).as(reply.toString()).isEqualTo(n);
        for (JsonNode o : outcomes) assertThat(o.path("accepted").asBoolean()).as(o.toString()).isTrue();
    }
}
