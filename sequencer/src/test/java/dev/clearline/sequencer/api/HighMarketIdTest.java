package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.command.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Market ids are uint32 on L1; the engine keeps them in Java ints, where one from 2^31 up is negative. A market listed
 * as 2147483649 (0x80000001) trades through the API under that number: orders name it, and the state, the depth, the
 * account, the fill events (with their fees) and the market list all show it, listed after market 1 as on L1. Before,
 * every view showed -2147483647, an id no request could name.
 */
class HighMarketIdTest {
    static final long HIGH = 0x8000_0001L;
    static final long LOT = 1_000;
    static final int ANSWER_SECONDS = 30;

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aMarketAbove2To31TradesAndIsShownUnderItsL1Id() throws Exception {
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier());
             Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), Market.GENESIS.domain(), new NativeSecp256k1Verifier(), 2);
             TraderApi api = new TraderApi(gateway, new RateLimiter(1e9, 1e9, () -> 0L), new RateLimiter(1e9, 1e9, () -> 0L),
                     "127.0.0.1", 0, 16 * 1024)) {
            Eip712 domain = Market.GENESIS.domain();
            Signer maker = DevAccounts.trader(0), taker = DevAccounts.trader(1), oracle = DevAccounts.oracle();
            List<CompletableFuture<?>> done = new ArrayList<>();
            long[] index = {0};
            for (long market : new long[] {HIGH, 1}) {
                long i = index[0]++;
                done.add(gateway.submit((id, s) -> new Command.L1Op(id, s,
                        new Transition.MarketConfig(i, 0, (int) market, 100, LOT, 100_000, 50_000, 200, 500, oracle.address()))));
            }
            for (Address a : new Address[] {maker.address(), taker.address()}) {
                long i = index[0]++;
                done.add(gateway.submit((id, s) -> new Command.L1Op(id, s, new Transition.Deposit(i, 0, a, 1_000_000_000L))));
            }
            Transition.OraclePrice price = new Transition.OraclePrice((int) HIGH, 10_000, 0, 1_000,
                    oracle.sign(domain.oraclePriceDigest((int) HIGH, 10_000, 0, 1_000)));
            done.add(gateway.submit((id, s) -> new Command.Oracle(id, s, price)));
            for (CompletableFuture<?> f : done) f.get(ANSWER_SECONDS, TimeUnit.SECONDS);

            Order ask = new Order(maker.address(), (int) HIGH, Side.SELL, 10_100, 3 * LOT, 0, TimeInForce.GTC, 0, 0, 1, 1_000_000);
            JsonNode a = post(api, "/orders", OrderJson.order(maker, ask, domain).toString());
            assertThat(a.path("outcomes").get(0).path("accepted").asBoolean()).as(a.toString()).isTrue();
            JsonNode depth = get(api, "/markets/" + HIGH + "/depth").path("depth");
            assertThat(depth.path("market").asLong()).as(depth.toString()).isEqualTo(HIGH);
            assertThat(depth.path("asks").toString()).contains("[10100," + 3 * LOT + "]");

            Order bid = new Order(taker.address(), (int) HIGH, Side.BUY, 10_100, 2 * LOT, 0, TimeInForce.GTC, 0, 0, 1, 1_000_000);
            JsonNode b = post(api, "/orders", OrderJson.order(taker, bid, domain).toString());
            JsonNode fill = null;
            for (JsonNode e : b.path("events")) if (e.path("event").asText().equals("Filled")) fill = e;
            assertThat(fill).as(b.toString()).isNotNull();
            assertThat(fill.path("market").asLong()).isEqualTo(HIGH);
            // 2 lots at 10,100: maker fee 200 ppm of 20,200 rounded up, taker fee 500 ppm
            assertThat(fill.path("makerFee").asLong()).as("fees are found by the fill's market").isEqualTo(5);
            assertThat(fill.path("takerFee").asLong()).isEqualTo(11);

            JsonNode account = get(api, "/accounts/" + taker.address()).path("account");
            assertThat(account.path("positions").get(0).path("market").asLong()).as(account.toString()).isEqualTo(HIGH);
            assertThat(account.path("positions").get(0).path("size").asLong()).isEqualTo(2 * LOT);
            assertThat(account.path("fills").get(0).path("market").asLong()).isEqualTo(HIGH);
            assertThat(get(api, "/accounts/" + maker.address()).path("account").path("openOrders").get(0).path("market").asLong()).isEqualTo(HIGH);

            JsonNode state = get(api, "/state");
            assertThat(state.path("markets").toString()).as("listed in L1's (unsigned) order").isEqualTo("[1," + HIGH + "]");
            List<Long> info = new ArrayList<>();
            for (JsonNode m : state.path("marketInfo")) info.add(m.path("market").asLong());
            assertThat(info).containsExactly(1L, HIGH);

            try (WsClient ws = new WsClient(api.port())) {
                JsonNode d = ws.request(OrderJson.op("depth", WsClient.JSON.createObjectNode().put("market", HIGH))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(d.path("depth").path("asks").toString()).as(d.toString()).contains("[10100," + LOT + "]");
                JsonNode over = ws.request(OrderJson.op("depth", WsClient.JSON.createObjectNode().put("market", 1L << 32))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(over.toString()).as("a market id past uint32 is refused, not wrapped").contains("BAD_FIELD", "4294967295");
            }
            HttpResponse<String> over = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/markets/4294967296/depth"))
                    .timeout(Duration.ofSeconds(ANSWER_SECONDS)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(over.statusCode()).isEqualTo(400);
            assertThat(over.body()).contains("BAD_FIELD", "0 to 4294967295");
        }
    }

    JsonNode get(TraderApi api, String path) throws Exception {
        return WsClient.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(Duration.ofSeconds(ANSWER_SECONDS)).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    JsonNode post(TraderApi api, String path, String body) throws Exception {
        return WsClient.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json")
                .timeout(Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }
}
