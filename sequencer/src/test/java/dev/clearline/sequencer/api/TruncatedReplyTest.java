package dev.clearline.sequencer.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.order.Eip712;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An order whose reply outgrows the largest the node sends (a sweep of tens of thousands of makers;
 * here a node whose limit is 2,500 bytes and a sweep of twelve) is still acknowledged, with its seq
 * and verdict, its lists left out and named, and every subscribed stream channel is told.
 */
class TruncatedReplyTest {
    private static final int SECONDS = 30;

    @Test
    void aSweepTooLargeToListIsAcknowledgedAndTheStreamsAreTold() throws Exception {
        Path dir = Files.createTempDirectory("truncated-reply");
        Eip712 domain = Market.GENESIS.domain();
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS).withMaxReply(2_500), new NativeSecp256k1Verifier());
             Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), 2)) {
            SequencerMain.devSetup(gateway, domain, 3);
            try (TraderApi api = new TraderApi(gateway, new RateLimiter(1_000, 1_000, () -> 0L), new RateLimiter(1_000, 1_000, () -> 0L), "127.0.0.1", 0, 16 * 1024);
                 WsClient ws = new WsClient(api.port()); WsClient watcher = new WsClient(api.port())) {
                Signer maker = DevAccounts.trader(0), taker = DevAccounts.trader(1);
                JsonNode sub = watcher.request(OrderJson.op("subscribe", WsClient.JSON.createObjectNode()
                        .set("channels", WsClient.JSON.createArrayNode().add("market").add("account:" + taker.address())))).get(SECONDS, TimeUnit.SECONDS);
                assertThat(sub.get("subscribed")).hasSize(2);
                for (int i = 0; i < 12; i++) {
                    JsonNode a = ws.request(OrderJson.op("place", OrderJson.order(maker, order(maker, Side.SELL, 10_100 + 100 * i, i + 1), domain)))
                            .get(SECONDS, TimeUnit.SECONDS);
                    assertThat(a.path("outcomes").get(0).path("accepted").asBoolean()).as(a.toString()).isTrue();
                    assertThat(a.has("truncated")).as("a small reply is whole").isFalse();
                }
                watcher.streams.clear();

                JsonNode sweep = ws.request(OrderJson.op("place", OrderJson.order(taker, order(taker, Side.BUY, 11_200, 12), domain)))
                        .get(SECONDS, TimeUnit.SECONDS);
                assertThat(sweep.path("outcomes").get(0).path("accepted").asBoolean()).as(sweep.toString()).isTrue();
                assertThat(sweep.get("seq").asLong()).isPositive();
                JsonNode t = sweep.get("truncated");
                assertThat(t).as(sweep.toString()).isNotNull();
                assertThat(t.get("bytes").asInt()).isGreaterThan(2_500);
                assertThat(t.get("leftOut").toString()).contains("events");
                assertThat(sweep.has("events")).isFalse();
                // what it did is there to read
                String hash = sweep.path("outcomes").get(0).path("orderHash").asText();
                JsonNode status = ws.request(OrderJson.op("order", WsClient.JSON.createObjectNode().put("orderHash", hash))).get(SECONDS, TimeUnit.SECONDS);
                assertThat(status.path("order").path("filled").asLong()).isEqualTo(12 * 1_000);

                java.util.Set<String> told = new java.util.HashSet<>();
                for (int i = 0; i < 10 && told.size() < 2; i++) {
                    JsonNode m = watcher.streams.poll(SECONDS, TimeUnit.SECONDS);
                    assertThat(m).as("a stream message").isNotNull();
                    if (m.path("seq").asLong() == sweep.get("seq").asLong()) {
                        assertThat(m.has("truncated")).as(m.toString()).isTrue();
                        told.add(m.path("channel").asText());
                    }
                }
                assertThat(told).containsExactlyInAnyOrder("market", "account:" + taker.address());
            }
        }
    }

    private long nonce = 1;

    private Order order(Signer s, Side side, long price, long lots) {
        return new Order(s.address(), Market.MARKET, side, price, lots * 1_000, 0, TimeInForce.GTC, 0, 0, nonce++, 1_000_000);
    }
}
