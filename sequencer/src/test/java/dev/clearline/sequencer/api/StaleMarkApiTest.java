package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.SequencerMain;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.l1.GatewayLink;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A venue whose oracle stops: past the node's mark age, the trader API takes only cancels and reduce-only orders in that
 * market, says so in {@code GET /venue}, and takes orders again once a price arrives (a real node, its state read as the
 * node's one-second round reads it).
 */
class StaleMarkApiTest {
    static final long LOT = 1_000;
    static final int ANSWER_SECONDS = 30;
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void pastTheMarkAgeOnlyCancelsAndReduceOnlyOrdersGoUntilAPriceArrives() throws Exception {
        Path dir = Files.createTempDirectory("stale-mark");
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier());
             Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), Market.GENESIS.domain(), new NativeSecp256k1Verifier(), 2)) {
            Eip712 domain = Market.GENESIS.domain();
            SequencerMain.devSetup(gateway, domain, 2); // market 1 priced at the wall clock's second
            GatewayLink link = new GatewayLink(gateway);
            long pricedAt = link.markets().get(0).lastOracleTs();
            AtomicLong now = new AtomicLong(pricedAt);
            MarkFreshness marks = new MarkFreshness(60, now::get);
            try (TraderApi api = new TraderApi(gateway, new RateLimiter(1e9, 1e9, System::nanoTime), new RateLimiter(1e9, 1e9, System::nanoTime),
                    OrderLifetime.unlimited(), marks, "127.0.0.1", 0, 16 * 1024)) {
                Signer maker = DevAccounts.trader(0), taker = DevAccounts.trader(1);
                AtomicLong nonces = new AtomicLong(1);
                link.observeMarks(marks);

                now.set(pricedAt + 60);
                Order ask = new Order(maker.address(), 1, Side.SELL, 10_100, 3 * LOT, 0, TimeInForce.GTC, 0, 0, nonces.getAndIncrement(), 1_000_000);
                HttpResponse<String> placed = post(api, "/orders", OrderJson.order(maker, ask, domain).toString());
                assertThat(placed.statusCode()).as("a mark exactly as old as the rule allows: " + placed.body()).isEqualTo(200);

                now.set(pricedAt + 61);
                Order bid = new Order(taker.address(), 1, Side.BUY, 10_100, LOT, 0, TimeInForce.GTC, 0, 0, nonces.getAndIncrement(), 1_000_000);
                HttpResponse<String> refused = post(api, "/orders", OrderJson.order(taker, bid, domain).toString());
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                JsonNode why = WsClient.JSON.readTree(refused.body());
                assertThat(why.path("error").asText()).isEqualTo("STALE_MARK");
                assertThat(why.path("message").asText()).contains("market 1's mark price is 61 s old", "reduce-only orders are still taken");
                assertThat(WsClient.JSON.readTree(get(api, "/orders/" + domain.orderDigest(bid))).path("order").path("status").asText())
                        .as("the refused order never reached the log").isNotEqualTo("open");
                try (WsClient ws = new WsClient(api.port())) {
                    Order again = new Order(taker.address(), 1, Side.BUY, 10_100, LOT, 0, TimeInForce.GTC, 0, 0, nonces.getAndIncrement(), 1_000_000);
                    JsonNode w = ws.request(OrderJson.op("place", OrderJson.order(taker, again, domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                    assertThat(w.path("error").asText()).as("over WebSocket too: " + w).isEqualTo("STALE_MARK");
                }
                // an amend moves the maker's ask: its replacement can grow a position like any order
                Order moved = new Order(maker.address(), 1, Side.SELL, 10_200, 3 * LOT, 0, TimeInForce.GTC, 0, 0, nonces.getAndIncrement(), 1_000_000);
                ObjectNode amend = WsClient.JSON.createObjectNode();
                amend.set("cancel", OrderJson.cancel(maker, domain.orderDigest(ask), domain));
                amend.set("order", OrderJson.order(maker, moved, domain));
                assertThat(post(api, "/orders/amend", amend.toString()).statusCode()).isEqualTo(503);

                JsonNode venue = WsClient.JSON.readTree(get(api, "/venue"));
                assertThat(venue.path("maxMarkAge").asLong()).isEqualTo(60);
                assertThat(venue.path("staleMarks").toString()).isEqualTo("[{\"market\":1,\"markAge\":61}]");
                assertThat(metrics(api)).as("what the operator's alert reads").contains("\nclearline_api_stale_marks 1\n");

                // the maker gets out: its ask cancelled, and a reduce-only order is the exchange's to judge (no position: refused there)
                HttpResponse<String> cancelled = post(api, "/orders/cancel", OrderJson.cancel(maker, domain.orderDigest(ask), domain).toString());
                assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
                Order reducing = new Order(taker.address(), 1, Side.SELL, 10_000, LOT, 0, TimeInForce.GTC, Order.REDUCE_ONLY, 0,
                        nonces.getAndIncrement(), 0);
                HttpResponse<String> reduce = post(api, "/orders", OrderJson.order(taker, reducing, domain).toString());
                assertThat(reduce.body()).as("a reduce-only order reaches the exchange").doesNotContain("STALE_MARK").contains("\"seq\"");

                // the oracle prices market 1 again: the node's next round sees it and orders go
                long ts = pricedAt + 61;
                Signer oracle = DevAccounts.oracle();
                Transition.OraclePrice price = new Transition.OraclePrice(1, 10_050, 0, ts, oracle.sign(domain.oraclePriceDigest(1, 10_050, 0, ts)));
                gateway.submit((id, s) -> new Command.Oracle(id, s, price)).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                link.observeMarks(marks);
                HttpResponse<String> taken = post(api, "/orders", OrderJson.order(taker, bid, domain).toString());
                assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);
                assertThat(WsClient.JSON.readTree(get(api, "/venue")).path("staleMarks").size()).isZero();
                assertThat(metrics(api)).contains("\nclearline_api_stale_marks 0\n");
            }
        }
    }

    static String metrics(TraderApi api) {
        dev.clearline.sequencer.metrics.MetricsText text = new dev.clearline.sequencer.metrics.MetricsText();
        api.writeMetrics(text);
        return text.toString();
    }

    HttpResponse<String> post(TraderApi api, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json")
                .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
    }

    String get(TraderApi api, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
