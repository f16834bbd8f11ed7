package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The trader API against a real node: trading over WebSocket and REST, and every kind of bad input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TraderApiTest {
    static final int MARKET = 1;
    static final long LOT = 1_000;
    final AtomicLong nonces = new AtomicLong(1);
    final AtomicLong clock = new AtomicLong();
    /** How long a reply may take: only the machine's load decides it (a loaded 2-core CI box can stall for seconds). */
    static final int ANSWER_SECONDS = 30;

    Path dir;
    SequencerNode node;
    Gateway gateway;
    TraderApi api;
    Eip712 domain;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("trader-api");
        node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier());
        domain = Market.GENESIS.domain();
        gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), 2);
        gateway.readLocally(node::read); // as a node runs its API: reads from the member's state, not the log
        SequencerMain.devSetup(gateway, domain, 7);
        // 5 requests per key, refilled only when the test moves the clock: floods are deterministic
        api = new TraderApi(gateway, new RateLimiter(5, 5, clock::get), new RateLimiter(1e9, 1e9, clock::get), "127.0.0.1", 0, 16 * 1024);
    }

    @AfterAll
    void stop() throws Exception {
        api.close();
        gateway.close();
        node.close();
    }

    /** Gives every key a fresh bucket (five tokens) before a step that sends several requests. */
    void refill() {
        clock.addAndGet(TimeUnit.SECONDS.toNanos(10));
    }

    Order order(Signer s, Side side, long price, long lots) {
        return new Order(s.address(), MARKET, side, price, lots * LOT, 0, TimeInForce.GTC, 0, 0, nonces.getAndIncrement(), 1_000_000);
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json")
                .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode get(String path) throws Exception {
        return WsClient.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                        .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void aCrossingPairTradesOverWebSocketAndEveryViewAgrees() throws Exception {
        refill();
        Signer maker = DevAccounts.trader(0), taker = DevAccounts.trader(1);
        try (WsClient ws = new WsClient(api.port()); WsClient watcher = new WsClient(api.port())) {
            JsonNode sub = watcher.request(OrderJson.op("subscribe", WsClient.JSON.createObjectNode()
                    .set("channels", WsClient.JSON.createArrayNode().add("market").add("account:" + maker.address())))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(sub.get("subscribed")).hasSize(2);

            Order ask = order(maker, Side.SELL, 10_100, 3);
            JsonNode a = ws.request(OrderJson.op("place", OrderJson.order(maker, ask, domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(a.path("outcomes").get(0).path("accepted").asBoolean()).as(a.toString()).isTrue();
            long askSeq = a.get("seq").asLong();
            assertThat(askSeq).isPositive();

            Order bid = order(taker, Side.BUY, 10_100, 2);
            JsonNode b = ws.request(OrderJson.op("place", OrderJson.order(taker, bid, domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(b.get("seq").asLong()).isGreaterThan(askSeq);
            JsonNode fill = null;
            for (JsonNode e : b.get("events")) if (e.get("event").asText().equals("Filled")) fill = e;
            assertThat(fill).as(b.toString()).isNotNull();
            assertThat(fill.get("makerOrderHash").asText()).isEqualTo(a.path("outcomes").get(0).get("orderHash").asText());
            assertThat(fill.get("size").asLong()).isEqualTo(2 * LOT);
            assertThat(fill.path("takerSide").asText()).as("the side that took").isEqualTo("BUY");
            // 2 lots at 10,100: notional 20,200; the dev market's maker fee 200 ppm (4.04, rounded up), taker fee 500 ppm (10.1)
            assertThat(fill.path("makerFee").asLong()).as("the maker's fee in the taker's reply").isEqualTo(5);
            assertThat(fill.path("takerFee").asLong()).as("the taker's fee").isEqualTo(11);
            assertThat(b.path("accounts").toString()).as("the accounts the fill changed").contains(maker.address().toString(), taker.address().toString());

            JsonNode status = get("/orders/" + a.path("outcomes").get(0).get("orderHash").asText()).get("order");
            assertThat(status.get("ackSeq").asLong()).isEqualTo(askSeq);
            assertThat(status.get("filled").asLong()).isEqualTo(2 * LOT);
            assertThat(status.get("status").asText()).isEqualTo("open");

            JsonNode account = get("/accounts/" + taker.address()).get("account");
            assertThat(account.get("positions").get(0).get("size").asLong()).isEqualTo(2 * LOT);
            assertThat(account.get("fills").get(0).get("stage").asText()).isEqualTo("matched");
            assertThat(account.get("fills").get(0).path("makerFee").asLong()).isEqualTo(5);
            assertThat(account.get("fills").get(0).path("takerFee").asLong()).isEqualTo(11);
            assertThat(account.get("fills").get(0).path("takerSide").asText()).isEqualTo("BUY");

            JsonNode depth = get("/markets/1/depth").get("depth");
            assertThat(depth.get("asks").toString()).contains("[10100," + LOT + "]");

            JsonNode market = watcher.streams.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(market).isNotNull();
            boolean sawTrade = false, sawAccount = false;
            for (int i = 0; i < 10 && !(sawTrade && sawAccount); i++) {
                if (market.path("channel").asText().equals("market") && market.path("trades").size() > 0) sawTrade = true;
                if (market.path("channel").asText().startsWith("account:")) sawAccount = true;
                if (!(sawTrade && sawAccount)) market = watcher.streams.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
                if (market == null) break;
            }
            assertThat(sawTrade).isTrue();
            assertThat(sawAccount).isTrue();
        }
    }

    /**
     * What an operator's dashboard reads of the API ({@code /metrics} on the status port): requests by operation over REST
     * and WebSocket alike, refusals by code, an unknown operation counted as "other" (a client's words are no labels), the
     * WebSockets open, a halt, and the venue's verdicts (accepted, or the reason of a refusal the reply carries).
     */
    @Test
    void theApiCountsWhatItTookAndRefusedAndItsSockets() throws Exception {
        try (TraderApi counted = new TraderApi(gateway, new RateLimiter(1_000, 1_000, clock::get), new RateLimiter(1_000, 1_000, clock::get),
                "127.0.0.1", 0, 16 * 1024)) {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + counted.port();
            for (int i = 0; i < 2; i++) {
                client.send(HttpRequest.newBuilder(URI.create(base + "/state")).timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            HttpResponse<String> bad = client.send(HttpRequest.newBuilder(URI.create(base + "/orders")).POST(HttpRequest.BodyPublishers.ofString("{nope"))
                    .header("content-type", "application/json").timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
            String badCode = WsClient.JSON.readTree(bad.body()).path("error").asText();
            assertThat(badCode).isNotEmpty();
            java.util.Map<String, Long> m;
            try (WsClient ws = new WsClient(counted.port())) {
                ws.request(OrderJson.op("depth", WsClient.JSON.createObjectNode())).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                JsonNode unknown = ws.request(OrderJson.op("launch-rockets", WsClient.JSON.createObjectNode())).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(unknown.path("error").asText()).isEqualTo("UNKNOWN_OP");
                counted.halt(TraderApi.Halt.POSTER, "the poster's key ran out of gas");
                m = apiMetrics(counted);
                assertThat(m).containsEntry("clearline_api_websockets", 1L).containsEntry("clearline_api_halted", 1L)
                        .containsEntry("clearline_api_requests_total{op=\"state\"}", 2L).containsEntry("clearline_api_requests_total{op=\"depth\"}", 1L)
                        .containsEntry("clearline_api_requests_total{op=\"other\"}", 1L)
                        .containsEntry("clearline_api_refusals_total{code=\"UNKNOWN_OP\"}", 1L)
                        .containsEntry("clearline_api_refusals_total{code=\"" + badCode + "\"}", 1L)
                        .doesNotContainKey("clearline_api_requests_total{op=\"launch-rockets\"}");
                counted.resume(TraderApi.Halt.POSTER);

                // the venue's verdicts: accepted, and refused by the reason the reply gives
                Signer maker = DevAccounts.trader(4), taker = DevAccounts.trader(3);
                Order ask = order(maker, Side.SELL, 20_000, 1);
                JsonNode placed = ws.request(OrderJson.op("place", OrderJson.order(maker, ask, domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(placed.path("outcomes").get(0).path("accepted").asBoolean()).as(placed.toString()).isTrue();
                Order crossing = new Order(taker.address(), MARKET, Side.BUY, 20_000, LOT, 0, TimeInForce.GTC, Order.POST_ONLY, 0,
                        nonces.getAndIncrement(), 1_000_000);
                JsonNode crossed = ws.request(OrderJson.op("place", OrderJson.order(taker, crossing, domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                JsonNode refusal = crossed.path("outcomes").get(0);
                assertThat(refusal.path("accepted").asBoolean(true)).as(crossed.toString()).isFalse();
                assertThat(refusal.path("reject").asText()).as(crossed.toString()).isEqualTo("POST_ONLY_WOULD_TAKE");
                dev.clearline.engine.order.Hash32 askHash = domain.orderDigest(ask);
                for (int i = 0; i < 2; i++) ws.request(OrderJson.op("cancel", OrderJson.cancel(maker, askHash, domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                HttpResponse<String> again = client.send(HttpRequest.newBuilder(URI.create(base + "/orders/cancel"))
                        .POST(HttpRequest.BodyPublishers.ofString(OrderJson.cancel(maker, askHash, domain).toString()))
                        .header("content-type", "application/json").timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
                String cancelRefusal = WsClient.JSON.readTree(again.body()).path("outcomes").get(0).path("reject").asText();
                assertThat(cancelRefusal).as(again.body()).isNotEmpty();
                dev.clearline.sequencer.metrics.MetricsText text = new dev.clearline.sequencer.metrics.MetricsText();
                counted.writeMetrics(text);
                dev.clearline.sequencer.metrics.AlertRules.assertFit("the trader API", text.toString(), n -> n.startsWith("clearline_api_"));
                m = apiMetrics(counted);
                assertThat(m).containsEntry("clearline_api_verdicts_total{op=\"place\",verdict=\"accepted\"}", 1L)
                        .containsEntry("clearline_api_verdicts_total{op=\"place\",verdict=\"POST_ONLY_WOULD_TAKE\"}", 1L)
                        .containsEntry("clearline_api_verdicts_total{op=\"cancel\",verdict=\"accepted\"}", 1L)
                        .as("a cancel of a cancelled order, over WebSocket and REST alike")
                        .containsEntry("clearline_api_verdicts_total{op=\"cancel\",verdict=\"" + cancelRefusal + "\"}", 2L);
                // each of those five answered by the cluster was timed; the reads and the API's own refusals before them were not
                assertThat(m).containsEntry("clearline_api_ack_seconds_count", 5L).containsEntry("clearline_api_ack_seconds_bucket{le=\"+Inf\"}", 5L);
                String ackSum = java.util.Arrays.stream(text.toString().split("\n")).filter(l -> l.startsWith("clearline_api_ack_seconds_sum ")).findFirst()
                        .orElseThrow();
                assertThat(Double.parseDouble(ackSum.split(" ")[1])).as("the time they took, in seconds").isPositive().isLessThan(5 * ANSWER_SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
            while (apiMetrics(counted).get("clearline_api_websockets") != 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(apiMetrics(counted)).as("the socket closed").containsEntry("clearline_api_websockets", 0L)
                    .containsEntry("clearline_api_halted", 0L).containsEntry("clearline_api_in_flight", 0L);
        }
    }

    private static java.util.Map<String, Long> apiMetrics(TraderApi api) {
        dev.clearline.sequencer.metrics.MetricsText text = new dev.clearline.sequencer.metrics.MetricsText();
        api.writeMetrics(text);
        return dev.clearline.sequencer.metrics.Exposition.samples(text.toString());
    }

    @Test
    void aVenueThatTakesOnlyExpiringOrdersRefusesTheRestBeforeTheClusterAndSaysSo() throws Exception {
        refill();
        long now = System.currentTimeMillis() / 1000; // the dev setup's oracle price is stamped with the wall clock too
        try (TraderApi limited = new TraderApi(gateway, new RateLimiter(1_000, 1_000, clock::get), new RateLimiter(1_000, 1_000, clock::get), new OrderLifetime(3_600, () -> now),
                "127.0.0.1", 0, 16 * 1024)) {
            JsonNode venue = WsClient.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + limited.port() + "/venue"))
                    .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(venue.path("maxOrderLifetime").asLong()).isEqualTo(3_600);
            assertThat(venue.path("now").asLong()).isEqualTo(now);
            assertThat(get("/venue").path("maxOrderLifetime").asLong()).as("the API without the rule").isZero();

            Signer s = DevAccounts.trader(5);
            long seqBefore = gateway.query(dev.clearline.sequencer.command.Command.QueryKind.STATE, 0, null, null)
                    .get(ANSWER_SECONDS, TimeUnit.SECONDS).path("seq").asLong();
            Order forever = order(s, Side.BUY, 8_000, 1);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + limited.port() + "/orders"))
                    .POST(HttpRequest.BodyPublishers.ofString(OrderJson.order(s, forever, domain).toString()))
                    .header("content-type", "application/json").timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("EXPIRY_REQUIRED", "at most 1h ahead");
            Order tooFar = withExpiry(order(s, Side.BUY, 8_000, 1), now + 3_600 + OrderLifetime.CLOCK_SKEW_SECONDS + 1);
            Order justIn = withExpiry(order(s, Side.BUY, 8_000, 1), now + 3_600 + OrderLifetime.CLOCK_SKEW_SECONDS);
            try (WsClient ws = new WsClient(limited.port())) {
                JsonNode far = ws.request(OrderJson.op("place", OrderJson.order(s, tooFar, domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(far.path("error").asText()).as(far.toString()).isEqualTo("EXPIRY_TOO_FAR");
                assertThat(get("/orders/" + domain.orderDigest(tooFar)).path("order").path("known").asBoolean())
                        .as("a refused order never reaches the cluster").isFalse();
                JsonNode in = ws.request(OrderJson.op("place", OrderJson.order(s, justIn, domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(in.path("outcomes").get(0).path("accepted").asBoolean()).as(in.toString()).isTrue();
                assertThat(in.path("seq").asLong()).as("only the order in the lifetime took a number").isEqualTo(seqBefore + 1);

                // an amend whose replacement never expires is refused whole: the order it would replace stays on the book
                ObjectNode amend = WsClient.JSON.createObjectNode();
                amend.set("cancel", OrderJson.cancel(s, domain.orderDigest(justIn), domain));
                amend.set("order", OrderJson.order(s, order(s, Side.BUY, 8_100, 1), domain));
                JsonNode refused = ws.request(OrderJson.op("amend", amend)).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(refused.path("error").asText()).as(refused.toString()).isEqualTo("EXPIRY_REQUIRED");
                assertThat(get("/orders/" + domain.orderDigest(justIn)).path("order").path("status").asText()).isEqualTo("open");

                JsonNode v = ws.request(OrderJson.op("venue", WsClient.JSON.createObjectNode())).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(v.path("maxOrderLifetime").asLong()).isEqualTo(3_600);
                assertThat(v.path("requestsPerSecondPerKey").asDouble()).isEqualTo(1_000);
            }
        }
    }

    static Order withExpiry(Order o, long expiry) {
        return new Order(o.trader(), o.marketId(), o.side(), o.price(), o.size(), o.displaySize(), o.timeInForce(), o.flags(), o.peg(), o.pegOffset(),
                expiry, o.nonce(), o.margin());
    }

    @Test
    void restPlacesAmendsAndCancelsWithTheirSequenceNumbers() throws Exception {
        refill();
        Signer s = DevAccounts.trader(2);
        Order o = order(s, Side.BUY, 9_000, 1);
        HttpResponse<String> placed = post("/orders", OrderJson.order(s, o, domain).toString());
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(200);
        long seq = WsClient.JSON.readTree(placed.body()).get("seq").asLong();
        var hash = domain.orderDigest(o);

        Order moved = order(s, Side.BUY, 9_100, 1);
        ObjectNode amend = WsClient.JSON.createObjectNode();
        amend.set("cancel", OrderJson.cancel(s, hash, domain));
        amend.set("order", OrderJson.order(s, moved, domain));
        HttpResponse<String> amended = post("/orders/amend", amend.toString());
        assertThat(amended.statusCode()).as(amended.body()).isEqualTo(200);
        assertThat(WsClient.JSON.readTree(amended.body()).get("seq").asLong()).isGreaterThan(seq);

        var movedHash = domain.orderDigest(moved);
        // one forged entry refuses the batch whole, and the refusal says which one
        ObjectNode forged = WsClient.JSON.createObjectNode();
        forged.set("cancels", WsClient.JSON.createArrayNode().add(OrderJson.cancel(s, movedHash, domain))
                .add(OrderJson.cancel(DevAccounts.trader(5), movedHash, domain).put("owner", s.address().toString())));
        HttpResponse<String> refused = post("/orders/batch-cancel", forged.toString());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        assertThat(refused.body()).contains("BAD_SIGNATURE", "entry 1 of 2", "none was sequenced");
        assertThat(get("/orders/" + movedHash).get("order").get("status").asText()).isEqualTo("open");
        ObjectNode batch = WsClient.JSON.createObjectNode();
        batch.set("cancels", WsClient.JSON.createArrayNode().add(OrderJson.cancel(s, movedHash, domain)));
        HttpResponse<String> cancelled = post("/orders/batch-cancel", batch.toString());
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(get("/orders/" + movedHash).get("order").get("status").asText()).startsWith("cancelled");
        assertThat(get("/orders/" + hash).get("order").get("status").asText()).isEqualTo("replaced");
    }

    /** A stop over REST: armed beside its order, read as armed with its trigger, cancelled by its hash; a bad trigger is named. */
    @Test
    void aStopIsArmedOverRestReadWithItsTriggerAndCancelled() throws Exception {
        refill();
        Signer s = DevAccounts.trader(3);
        Order o = order(s, Side.SELL, 9_000, 1);
        ObjectNode body = WsClient.JSON.createObjectNode();
        body.set("order", OrderJson.order(s, o, domain));
        body.put("triggerPrice", 9_500);
        HttpResponse<String> armed = post("/orders", body.toString());
        assertThat(armed.statusCode()).as(armed.body()).isEqualTo(200);
        assertThat(WsClient.JSON.readTree(armed.body()).path("outcomes").get(0).path("armed").asBoolean()).as(armed.body()).isTrue();
        var hash = domain.orderDigest(o);
        JsonNode read = get("/orders/" + hash).get("order");
        assertThat(read.path("status").asText()).isEqualTo("armed");
        assertThat(read.path("triggerPrice").asLong()).isEqualTo(9_500);
        HttpResponse<String> cancelled = post("/orders/cancel", OrderJson.cancel(s, hash, domain).toString());
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.body()).contains("\"event\":\"Disarmed\"", "\"why\":\"REQUESTED\"");
        assertThat(get("/orders/" + hash).get("order").get("status").asText()).isEqualTo("cancelled:requested");

        body.put("triggerPrice", -1);
        HttpResponse<String> bad = post("/orders", body.toString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("BAD_FIELD", "triggerPrice");
        body.put("triggerPrice", 0);
        assertThat(post("/orders", body.toString()).body()).contains("BAD_FIELD", "a price per lot above 0");
    }

    /** A trailing stop over REST: armed with its distance, its trigger that far under the mark, read with both; a bad trail is named. */
    @Test
    void aTrailingStopIsArmedOverRestWithItsDistanceAndTrigger() throws Exception {
        refill();
        Signer s = DevAccounts.trader(3);
        Order o = order(s, Side.SELL, 9_000, 1);
        ObjectNode body = WsClient.JSON.createObjectNode();
        body.set("order", OrderJson.order(s, o, domain));
        body.put("trailBy", 300);
        body.put("triggerPrice", 9_500);
        HttpResponse<String> both = post("/orders", body.toString());
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(both.body()).contains("BAD_FIELD", "not both");
        body.remove("triggerPrice");
        HttpResponse<String> armed = post("/orders", body.toString());
        assertThat(armed.statusCode()).as(armed.body()).isEqualTo(200);
        JsonNode outcome = WsClient.JSON.readTree(armed.body()).path("outcomes").get(0);
        assertThat(outcome.path("armed").asBoolean()).as(armed.body()).isTrue();
        assertThat(outcome.path("trailBy").asLong()).isEqualTo(300);
        long mark = get("/markets/" + MARKET + "/depth").path("depth").path("markPrice").asLong();
        assertThat(outcome.path("triggerPrice").asLong()).as("the mark less the trail").isEqualTo(mark - 300);
        JsonNode read = get("/orders/" + domain.orderDigest(o)).get("order");
        assertThat(read.path("status").asText()).isEqualTo("armed");
        assertThat(read.path("trailBy").asLong()).isEqualTo(300);
        assertThat(read.path("triggerPrice").asLong()).isEqualTo(outcome.path("triggerPrice").asLong());

        body.put("trailBy", 0);
        assertThat(post("/orders", body.toString()).body()).contains("BAD_FIELD", "a price distance per lot above 0");
    }

    @Test
    void theHistoryIsReadInPagesAndAPageOutsideItSaysWhereToStart() throws Exception {
        refill();
        JsonNode first = get("/admin/history").path("history");
        long bytes = first.path("bytes").asLong();
        assertThat(first.path("from").asLong()).isZero();
        assertThat(first.path("next").asLong()).isEqualTo(Math.min(bytes, dev.clearline.sequencer.state.HistoryPages.PAGE_BYTES));
        assertThat(java.util.Base64.getDecoder().decode(first.path("data").asText())).hasSize((int) first.path("next").asLong());
        HttpResponse<String> beyond = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/admin/history?from=" + (bytes + 1_000_000)))
                .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(beyond.statusCode()).isEqualTo(400);
        assertThat(beyond.body()).contains("is outside the history's", "start at 0 and follow").doesNotContain("\"data\"");
        HttpResponse<String> garbage = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/admin/history?from=abc"))
                .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("BAD_FIELD", "from must be 0 or more");
        try (WsClient ws = new WsClient(api.port())) {
            JsonNode negative = ws.request(OrderJson.op("history", WsClient.JSON.createObjectNode().put("from", -1))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(negative.path("error").asText()).isEqualTo("BAD_FIELD");
            JsonNode page = ws.request(OrderJson.op("history", WsClient.JSON.createObjectNode().put("from", 0))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(page.path("history").path("data").asText()).isNotEmpty();
        }
    }

    @Test
    void malformedJsonIsAnsweredWithWhatToSend() throws Exception {
        refill();
        HttpResponse<String> r = post("/orders", "{\"trader\": ");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("MALFORMED_JSON").contains("send one JSON object").contains("at line 1, column")
                .doesNotContain("Source", "REDACTED", "StreamReadFeature");
        try (WsClient ws = new WsClient(api.port())) {
            ws.sendRaw("not json at all");
            JsonNode answer = ws.streams.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(answer.get("error").asText()).isEqualTo("MALFORMED_JSON");
            // the socket keeps serving after a bad frame
            JsonNode state = ws.request(OrderJson.op("state", WsClient.JSON.createObjectNode())).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(state.has("stateRoot")).isTrue();
        }
    }

    @Test
    void aMessageOfExactlyTheLimitInUtf8BytesIsAnsweredAndOneByteMoreClosesTheSocket() throws Exception {
        int limit = 16 * 1024; // this test's API
        for (int extra : new int[] {0, 1}) {
            refill();
            // two-byte characters, so the message has fewer characters than bytes
            String head = "{\"op\":\"state\",\"id\":987654,\"pad\":\"";
            String tail = "\"}";
            int room = limit + extra - head.length() - tail.length();
            String text = head + "é".repeat(room / 2) + "x".repeat(room % 2) + tail;
            assertThat(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isEqualTo(limit + extra);
            try (WsClient ws = new WsClient(api.port())) {
                ws.sendRaw(text);
                if (extra == 0) {
                    JsonNode answer = ws.streams.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
                    assertThat(answer.has("stateRoot")).as("answer %s", answer).isTrue();
                } else {
                    assertThat(ws.closed.get(ANSWER_SECONDS, TimeUnit.SECONDS)).isEqualTo(1009);
                    assertThat(ws.closeReason).contains((limit + 1) + " bytes").contains("limit is " + limit);
                }
            }
        }
    }

    @Test
    void oversizedRequestsAreRefusedAndTheNodeKeepsServing() throws Exception {
        String huge = "{\"pad\":\"" + "x".repeat(40_000) + "\"}";
        HttpResponse<String> r = post("/orders", huge);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("TOO_LARGE").contains("limit");
        // refused unread, so the server closes the connection after answering, and says so: a pooling client must not send
        // its next request down it (the suite once read "header parser received no bytes" from exactly that)
        assertThat(r.headers().firstValue("connection")).hasValue("close");
        assertThat(post("/nowhere", "{}").headers().firstValue("connection")).hasValue("close");
        assertThat(get("/state").has("stateRoot")).isTrue();
        try (WsClient ws = new WsClient(api.port())) {
            ws.sendRaw(huge);
            assertThat(ws.closed.get(ANSWER_SECONDS, TimeUnit.SECONDS)).isEqualTo(1009); // MESSAGE_TOO_BIG, with a reason
            assertThat(ws.closeReason).isNotBlank();
        }
        assertThat(get("/state").has("stateRoot")).isTrue();
    }

    /**
     * An oversized body refused before it was read used to be left in the socket when Jetty closed it: the kernel then
     * resets the connection, and the reset can overtake the answer (CI read "header parser received no bytes" once).
     * Many in a row, each on a new connection, must each read their 413.
     */
    @Test
    void everyOversizedRequestReadsItsAnswer() throws Exception {
        String huge = "{\"pad\":\"" + "x".repeat(200_000) + "\"}";
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> r = post("/orders", huge);
            assertThat(r.statusCode()).as("request %d", i).isEqualTo(413);
            assertThat(r.body()).as("request %d", i).contains("TOO_LARGE");
        }
        assertThat(get("/state").has("stateRoot")).isTrue();
    }

    @Test
    void aRequestInSeveralFramesIsAnsweredAndOneOverTheLimitClosesTheSocket() throws Exception {
        try (WsClient ws = new WsClient(api.port())) {
            // any cut of a request into frames (empty ones included) is the same request
            Property.forAll(Gens.seeds()).tries(40).check(seed -> {
                refill(); // the socket's own rate limit
                java.util.Random r = new java.util.Random(seed);
                ObjectNode body = OrderJson.op("state", WsClient.JSON.createObjectNode());
                body.put("pad", "é€".repeat(r.nextInt(20)) + "x".repeat(r.nextInt(3_000)));
                int length = body.toString().length() + 20; // the id is added before the cut
                int[] cuts = r.ints(r.nextInt(6), 0, length / 2).sorted().toArray();
                JsonNode state = ws.requestInFrames(body, cuts).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(state.has("stateRoot")).as("seed %d", seed).isTrue();
            });
        }
        // each frame under the 16 KB limit, the message over it
        try (WsClient ws = new WsClient(api.port())) {
            String big = "{\"pad\":\"" + "x".repeat(20_000) + "\"}";
            ws.sendInFrames(big, 8_000, 16_000);
            assertThat(ws.closed.get(ANSWER_SECONDS, TimeUnit.SECONDS)).isEqualTo(1009); // MESSAGE_TOO_BIG, with a reason
            assertThat(ws.closeReason).isNotBlank();
        }
        assertThat(get("/state").has("stateRoot")).isTrue();
    }

    @Test
    void marginMovesIntoAPositionOverRestAndBackOverWebSocketAndBadRequestsSayWhatToSend() throws Exception {
        refill();
        Signer s = DevAccounts.trader(6);
        long free = get("/accounts/" + s.address()).get("account").get("free").asLong();
        HttpResponse<String> in = post("/margin/allocate", margin(s, true, 2_500_000, 0).toString());
        assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
        assertThat(in.body()).contains("\"seq\"");
        JsonNode account = get("/accounts/" + s.address()).get("account");
        assertThat(account.get("free").asLong()).isEqualTo(free - 2_500_000);
        assertThat(account.get("positions").get(0).get("quote").asLong()).isEqualTo(2_500_000);

        // a release of more than the flat position holds is the STF's refusal, with its help; then all of it goes back
        HttpResponse<String> tooMuch = post("/margin/release", margin(s, false, 2_500_001, 1).toString());
        assertThat(tooMuch.statusCode()).isEqualTo(422);
        assertThat(tooMuch.body()).contains("INSUFFICIENT_MARGIN");
        try (WsClient ws = new WsClient(api.port())) {
            JsonNode out = ws.request(OrderJson.op("release", margin(s, false, 2_500_000, 1))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(out.get("outcomes").get(0).get("accepted").asBoolean()).as(out.toString()).isTrue();
        }
        account = get("/accounts/" + s.address()).get("account");
        assertThat(account.get("free").asLong()).isEqualTo(free);
        assertThat(account.get("positions")).as("a flat position with nothing in it is not listed").isEmpty();
        assertThat(account.get("nonce").asLong()).isEqualTo(2);

        refill();
        long seqBefore = get("/state").get("seq").asLong();
        ObjectNode unsigned = margin(s, true, 1, 2);
        unsigned.remove("signature");
        assertThat(post("/margin/allocate", unsigned.toString()).body()).contains("UNSIGNED");
        ObjectNode noMarket = margin(s, true, 1, 2);
        noMarket.remove("market");
        assertThat(post("/margin/allocate", noMarket.toString()).body()).contains("MISSING_FIELD", "market");
        assertThat(post("/margin/release", margin(s, false, 0, 2).toString()).body()).contains("BAD_FIELD", "more than 0");
        assertThat(post("/margin", "{}").body()).contains("NOT_FOUND", "/margin/allocate", "/margin/release");
        // a withdrawal L1 could never pay (a token transfer to the zero address reverts), signed all the same
        HttpResponse<String> toNobody = post("/withdrawals", withdrawal(s, s.address(), new dev.clearline.engine.order.Address(new byte[20]), 1, 2).toString());
        assertThat(toNobody.statusCode()).isEqualTo(400);
        assertThat(toNobody.body()).contains("BAD_FIELD", "recipient", "is the zero address: L1 could never pay it");
        // the wrong method on a path that exists says which one it takes, not that the path is unknown
        HttpResponse<String> postRead = post("/state", "{}");
        assertThat(postRead.statusCode()).isEqualTo(405);
        assertThat(postRead.body()).contains("METHOD_NOT_ALLOWED", "/state is read with GET");
        HttpResponse<String> getWrite = getFrom(api, "/orders");
        assertThat(getWrite.statusCode()).isEqualTo(405);
        assertThat(getWrite.body()).contains("METHOD_NOT_ALLOWED", "takes a POST");
        assertThat(get("/state").get("seq").asLong()).as("nothing malformed reached the log").isEqualTo(seqBefore);
    }

    /** A signed Allocate ({@code allocate}) or Release of {@code amount} base units in the test market. */
    ObjectNode margin(Signer s, boolean allocate, long amount, long nonce) {
        var digest = allocate ? domain.allocateDigest(s.address(), MARKET, amount, nonce) : domain.releaseDigest(s.address(), MARKET, amount, nonce);
        ObjectNode n = WsClient.JSON.createObjectNode();
        n.put("owner", s.address().toString()).put("market", MARKET).put("amount", amount).put("nonce", nonce)
                .put("signature", "0x" + java.util.HexFormat.of().formatHex(s.sign(digest).encoded()));
        return n;
    }

    @Test
    void anUnknownMarketIsRejectedByTheEngineWithItsHelp() throws Exception {
        refill();
        Signer s = DevAccounts.trader(3);
        Order o = new Order(s.address(), 77, Side.BUY, 10_000, LOT, 0, TimeInForce.GTC, 0, 0, nonces.getAndIncrement(), 1_000_000);
        HttpResponse<String> r = post("/orders", OrderJson.order(s, o, domain).toString());
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).contains("UNKNOWN_MARKET").contains("list markets");
        assertThat(get("/markets/77/depth").get("depth").get("error").asText()).isEqualTo("UNKNOWN_MARKET");
    }

    /**
     * L1's progress reaches every account channel: a client learns that its fills went from matched to posted to final
     * without polling (a bot's walk through docs/api.md found no such message: stages could only be polled).
     */
    @Test
    void everyAccountChannelIsToldWhenL1PostsAndFinalizesBatches() throws Exception {
        refill();
        Signer s = DevAccounts.trader(2);
        try (WsClient ws = new WsClient(api.port())) {
            JsonNode sub = ws.request(OrderJson.op("subscribe", WsClient.JSON.createObjectNode()
                    .set("channels", WsClient.JSON.createArrayNode().add("account:" + s.address())))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(sub.get("subscribed")).hasSize(1);
            assertThat(post("/orders", OrderJson.order(s, order(s, Side.BUY, 7_000, 1), domain).toString()).statusCode()).isEqualTo(200);
            long now = System.currentTimeMillis() / 1000 + 10; // past the open batch's 2 s: the tick seals it
            gateway.submit((id, q) -> new dev.clearline.sequencer.command.Command.TimeTick(id, q, now)).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            JsonNode state = get("/state");
            long sealed = state.path("sealedBatches").asLong();
            long posted = state.path("l1").path("batchesPosted").asLong();
            assertThat(sealed).as("a batch sealed and not yet posted").isGreaterThan(posted);
            for (long b = posted; b < sealed; b++) {
                long index = b;
                gateway.submit((id, q) -> new dev.clearline.sequencer.command.Command.BatchPosted(id, q, index, now, now + 600)).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            }
            gateway.submit((id, q) -> new dev.clearline.sequencer.command.Command.BatchesFinal(id, q, sealed)).get(ANSWER_SECONDS, TimeUnit.SECONDS);

            boolean sawPosted = false, sawFinal = false;
            for (int i = 0; i < 50 && !(sawPosted && sawFinal); i++) {
                JsonNode m = ws.streams.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(m).as("a message on the account channel").isNotNull();
                if (!m.has("l1")) continue;
                assertThat(m.path("channel").asText()).isEqualTo("account:" + s.address());
                if (m.path("l1").path("batchesPosted").asLong() == sealed && m.path("l1").path("batchesFinal").asLong() < sealed) sawPosted = true;
                if (m.path("l1").path("batchesFinal").asLong() == sealed) sawFinal = true;
            }
            assertThat(sawPosted).as("told when the last batch was posted").isTrue();
            assertThat(sawFinal).as("told when it was final").isTrue();
        }
    }

    @Test
    void aPeggedOrderIsTakenWithItsSignedPegAndABadPegSaysWhatItTakes() throws Exception {
        refill();
        Signer s = DevAccounts.trader(6);
        // a buy pegged 5 ticks under the mark, never above 20_000: its hash is the digest of the pegged struct
        Order pegged = new Order(s.address(), MARKET, Side.BUY, 20_000, LOT, 0, TimeInForce.GTC, 0, dev.clearline.engine.order.Peg.MARK, -5, 0,
                nonces.getAndIncrement(), 1_000_000);
        HttpResponse<String> r = post("/orders", OrderJson.order(s, pegged, domain).toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode outcome = WsClient.JSON.readTree(r.body()).path("outcomes").get(0);
        assertThat(outcome.path("accepted").asBoolean()).as(r.body()).isTrue();
        assertThat(outcome.path("orderHash").asText()).isEqualTo(domain.orderDigest(pegged).toString());

        ObjectNode badPeg = OrderJson.order(s, order(s, Side.BUY, 8_000, 1), domain).put("peg", "MID");
        HttpResponse<String> refused = post("/orders", badPeg.toString());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("BAD_FIELD", "must be", "MARK", "BOOK", "MID");
        ObjectNode badOffset = OrderJson.order(s, order(s, Side.BUY, 8_000, 1), domain).put("pegOffset", 3_000_000_000L);
        HttpResponse<String> offset = post("/orders", badOffset.toString());
        assertThat(offset.statusCode()).isEqualTo(400);
        assertThat(offset.body()).contains("BAD_FIELD", "pegOffset", "ticks");
    }

    @Test
    void aReplayedOrderIsRefusedAndAnUnsignedOrWronglySignedOneNeverReachesTheLog() throws Exception {
        refill();
        Signer s = DevAccounts.trader(4);
        Order o = order(s, Side.BUY, 8_000, 1);
        String signed = OrderJson.order(s, o, domain).toString();
        assertThat(post("/orders", signed).statusCode()).isEqualTo(200);
        HttpResponse<String> again = post("/orders", signed);
        assertThat(again.statusCode()).isEqualTo(422);
        assertThat(again.body()).contains("DUPLICATE_ORDER");

        long seqBefore = get("/state").get("seq").asLong();
        HttpResponse<String> unsigned = post("/orders", OrderJson.unsigned(order(s, Side.BUY, 8_000, 1)).toString());
        assertThat(unsigned.statusCode()).isEqualTo(400);
        assertThat(unsigned.body()).contains("UNSIGNED").contains("sign its EIP-712 digest");
        Order theirs = order(s, Side.BUY, 8_000, 1);
        ObjectNode forged = OrderJson.order(DevAccounts.trader(5), theirs, domain); // signed by someone else
        HttpResponse<String> bad = post("/orders", forged.toString());
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.body()).contains("BAD_SIGNATURE");
        assertThat(get("/state").get("seq").asLong()).isEqualTo(seqBefore);
    }

    /** {@code s}'s signed dead man's switch, as the API takes it. */
    ObjectNode switchOf(Signer s, long deadline, long nonce) {
        return RequestJson.write(new CancelAllAfterRequest(s.address(), deadline, nonce, s.sign(domain.cancelAllAfterDigest(s.address(), deadline, nonce))));
    }

    /**
     * A dead man's switch over REST and WebSocket: set, shown with the account, refused when sent again or signed by
     * another key (never sequenced) or malformed; once the node's clock passes its deadline the next command takes the
     * trader's resting order off before anything else.
     */
    @Test
    void aDeadMansSwitchTakesTheTradersOrdersOffOnceItsDeadlinePassesAndBadOnesSayWhy() throws Exception {
        refill();
        Signer s = DevAccounts.trader(6);
        Order resting = order(s, Side.BUY, 7_000, 1);
        assertThat(post("/orders", OrderJson.order(s, resting, domain).toString()).statusCode()).isEqualTo(200);
        long deadline = System.currentTimeMillis() / 1000 + 3; // past the second of its arrival on a machine that stalls a second
        HttpResponse<String> set = post("/orders/cancel-all-after", switchOf(s, deadline, 100).toString());
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        JsonNode setOutcome = WsClient.JSON.readTree(set.body()).path("outcomes").get(0);
        assertThat(setOutcome.path("accepted").asBoolean()).isTrue();
        assertThat(setOutcome.path("deadline").asLong()).isEqualTo(deadline);
        assertThat(get("/accounts/" + s.address()).path("account").path("cancelAllAt").asLong()).isEqualTo(deadline);

        long seqBefore = get("/state").get("seq").asLong();
        ObjectNode forged = switchOf(DevAccounts.trader(5), deadline, 101).put("owner", s.address().toString());
        HttpResponse<String> bad = post("/orders/cancel-all-after", forged.toString());
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.body()).contains("BAD_SIGNATURE");
        ObjectNode noDeadline = switchOf(s, deadline, 101);
        noDeadline.remove("deadline");
        assertThat(post("/orders/cancel-all-after", noDeadline.toString()).body()).contains("MISSING_FIELD", "deadline");
        assertThat(post("/orders/cancel-all-after", switchOf(s, deadline, 101).put("nonce", -1).toString()).body()).contains("BAD_FIELD", "nonce");
        HttpResponse<String> getIt = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/orders/cancel-all-after"))
                .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(getIt.statusCode()).as(getIt.body()).isEqualTo(405);
        assertThat(get("/state").get("seq").asLong()).as("nothing refused before the log reached it").isEqualTo(seqBefore);
        try (WsClient ws = new WsClient(api.port())) {
            JsonNode again = ws.request(OrderJson.op("cancelAllAfter", switchOf(s, deadline + 60, 100))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(again.path("outcomes").get(0).path("reject").asText()).as(again.toString()).isEqualTo("STALE_NONCE");
        }
        assertThat(get("/accounts/" + s.address()).path("account").path("cancelAllAt").asLong()).as("the refused move moved nothing").isEqualTo(deadline);

        while (System.currentTimeMillis() / 1000 < deadline) Thread.sleep(50);
        // the trader's program came back too late: its next switch finds the old one fired in the same command, first
        JsonNode late = WsClient.JSON.readTree(post("/orders/cancel-all-after", switchOf(s, 0, 102).toString()).body());
        List<String> events = new java.util.ArrayList<>();
        for (JsonNode e : late.path("events")) events.add(e.path("event").asText() + ":" + e.path("why").asText(""));
        // this trader's order above and any other test of this class left resting: each one, after the switch's own event
        assertThat(events.getFirst()).as(late.toString()).isEqualTo("CancelAllFired:");
        assertThat(events.subList(1, events.size())).isNotEmpty().containsOnly("Cancelled:SCHEDULED");
        assertThat(late.path("events").toString()).contains(domain.orderDigest(resting).toString());
        assertThat(get("/accounts/" + s.address()).path("account").path("openOrderCount").asInt()).isZero();
        assertThat(late.path("outcomes").get(0).path("accepted").asBoolean()).isTrue();
        assertThat(get("/orders/" + domain.orderDigest(resting)).path("order").path("status").asText()).isEqualTo("cancelled:scheduled");
        assertThat(get("/accounts/" + s.address()).path("account").has("cancelAllAt")).isFalse();
    }

    @Test
    void aFloodFromOneKeyIsRateLimitedWhileOthersAreServed() throws Exception {
        refill();
        Signer flooder = DevAccounts.trader(5), other = DevAccounts.trader(3);
        try (WsClient ws = new WsClient(api.port())) {
            int limited = 0;
            for (int i = 0; i < 12; i++) {
                JsonNode r = ws.request(OrderJson.op("place", OrderJson.order(flooder, order(flooder, Side.SELL, 12_000, 1), domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                if (r.path("error").asText().equals("RATE_LIMITED")) {
                    limited++;
                    assertThat(r.get("message").asText()).contains("retry in");
                    assertThat(r.path("retryAfterMs").asLong()).as("the wait as a number: %s", r).isPositive();
                }
            }
            assertThat(limited).isEqualTo(7);
            JsonNode fine = ws.request(OrderJson.op("place", OrderJson.order(other, order(other, Side.SELL, 12_000, 1), domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(fine.path("outcomes").get(0).path("accepted").asBoolean()).as(fine.toString()).isTrue();
        }
    }

    /**
     * A key's allowance is charged once its signature holds: requests forged in a trader's name are
     * refused for their signature and leave that trader's own orders unlimited. (Charged by the name a
     * request claimed, five forgeries would have locked the trader out until the clock moved.)
     */
    @Test
    void ordersForgedInATradersNameDoNotUseUpTheirAllowance() throws Exception {
        refill();
        Signer victim = DevAccounts.trader(3), forger = DevAccounts.trader(5);
        try (WsClient ws = new WsClient(api.port())) {
            for (int i = 0; i < 12; i++) {
                ObjectNode forged = OrderJson.order(forger, order(victim, Side.BUY, 1_000, 1), domain);
                JsonNode r = ws.request(OrderJson.op("place", forged)).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(r.path("error").asText()).as(r.toString()).isEqualTo("BAD_SIGNATURE");
            }
            for (int i = 0; i < 5; i++) {
                JsonNode r = ws.request(OrderJson.op("place", OrderJson.order(victim, order(victim, Side.BUY, 1_000, 1), domain)))
                        .get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(r.path("outcomes").get(0).path("accepted").asBoolean()).as("own order %d: %s", i, r).isTrue();
            }
            JsonNode sixth = ws.request(OrderJson.op("place", OrderJson.order(victim, order(victim, Side.BUY, 1_000, 1), domain)))
                    .get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(sixth.path("error").asText()).as("the key's own sixth is over its five").isEqualTo("RATE_LIMITED");
            assertThat(sixth.path("message").asText()).contains(victim.address().toString()).contains("retry in");
        }
    }

    /**
     * Withdrawals and margin moves are checked as orders are: one signed by anyone but the owner it
     * names is refused before the log (its nonce untouched), and charged to nobody's key, so the
     * owner's own requests still have the whole allowance.
     */
    @Test
    void withdrawalsAndMarginMovesForgedInATradersNameNeverReachTheLogNorUseUpTheirAllowance() throws Exception {
        refill();
        Signer victim = DevAccounts.trader(2), forger = DevAccounts.trader(5);
        long seqBefore = get("/state").get("seq").asLong();
        long nonce = get("/accounts/" + victim.address()).get("account").get("nonce").asLong();
        ObjectNode withdrawal = withdrawal(forger, victim.address(), forger.address(), 1, nonce);
        ObjectNode allocate = margin(victim, true, 1, nonce), release = margin(victim, false, 1, nonce);
        allocate.put("signature", hex(forger.sign(domain.allocateDigest(victim.address(), MARKET, 1, nonce)).encoded()));
        release.put("signature", hex(forger.sign(domain.releaseDigest(victim.address(), MARKET, 1, nonce)).encoded()));
        HttpResponse<String> rest = post("/withdrawals", withdrawal.toString());
        assertThat(rest.statusCode()).as(rest.body()).isEqualTo(401);
        assertThat(rest.body()).contains("BAD_SIGNATURE");
        try (WsClient ws = new WsClient(api.port())) {
            for (int i = 0; i < 4; i++) {
                for (ObjectNode forged : java.util.List.of(OrderJson.op("withdraw", withdrawal), OrderJson.op("allocate", allocate), OrderJson.op("release", release))) {
                    JsonNode r = ws.request(forged).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                    assertThat(r.path("error").asText()).as(r.toString()).isEqualTo("BAD_SIGNATURE");
                }
            }
            assertThat(get("/state").get("seq").asLong()).as("no forged request reached the log").isEqualTo(seqBefore);
            for (int i = 0; i < 5; i++) {
                JsonNode r = ws.request(OrderJson.op("allocate", margin(victim, true, 1, nonce + i))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                assertThat(r.path("outcomes").get(0).path("accepted").asBoolean()).as("own request %d: %s", i, r).isTrue();
            }
            JsonNode sixth = ws.request(OrderJson.op("withdraw", withdrawal(victim, victim.address(), victim.address(), 1, nonce + 5)))
                    .get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(sixth.path("error").asText()).as("the owner's sixth is over its five: " + sixth).isEqualTo("RATE_LIMITED");
            assertThat(sixth.path("message").asText()).contains(victim.address().toString());
        }
        assertThat(get("/accounts/" + victim.address()).get("account").get("nonce").asLong()).isEqualTo(nonce + 5);
    }

    /** A Withdraw of {@code amount} from {@code owner} to {@code recipient}, signed by {@code signer} (the owner, or a forger). */
    ObjectNode withdrawal(Signer signer, dev.clearline.engine.order.Address owner, dev.clearline.engine.order.Address recipient, long amount, long nonce) {
        ObjectNode n = WsClient.JSON.createObjectNode();
        n.put("owner", owner.toString()).put("recipient", recipient.toString()).put("amount", amount).put("nonce", nonce)
                .put("signature", hex(signer.sign(domain.withdrawDigest(owner, recipient, amount, nonce)).encoded()));
        return n;
    }

    static String hex(byte[] b) {
        return "0x" + java.util.HexFormat.of().formatHex(b);
    }

    HttpResponse<String> getFrom(TraderApi which, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + which.port() + path)).GET()
                .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A node whose batches no longer reach L1 (its poster stopped for an operator to fix) halts what would need them: new
     * orders, amendments, withdrawals and margin moves are answered 503 HALTED with the reason, over REST and WebSocket,
     * before the log; a cancel still goes through and reads are served.
     */
    @Test
    void aHaltedNodeRefusesNewOrdersWithTheReasonAndStillCancelsAndReads() throws Exception {
        refill();
        Signer s = DevAccounts.trader(5);
        try (TraderApi halting = new TraderApi(gateway, new RateLimiter(1e9, 1e9, clock::get), new RateLimiter(1e9, 1e9, clock::get),
                "127.0.0.1", 0, 16 * 1024); WsClient ws = new WsClient(halting.port())) {
            Order resting = order(s, Side.BUY, 8_000, 1);
            HttpResponse<String> before = postTo(halting, "/orders", OrderJson.order(s, resting, domain).toString());
            assertThat(before.statusCode()).as(before.body()).isEqualTo(200);
            long seq = get("/state").path("seq").asLong();

            assertThat(WsClient.JSON.readTree(getFrom(halting, "/venue").body()).has("halted")).isFalse();
            halting.halt("its batches no longer reach L1 (the rollup's tip is not this node's)");
            assertThat(WsClient.JSON.readTree(getFrom(halting, "/venue").body()).path("halted").asText()).contains("the rollup's tip is not this node's");
            HttpResponse<String> refused = postTo(halting, "/orders", OrderJson.order(s, order(s, Side.BUY, 8_100, 1), domain).toString());
            assertThat(refused.statusCode()).isEqualTo(503);
            JsonNode why = WsClient.JSON.readTree(refused.body());
            assertThat(why.path("error").asText()).isEqualTo("HALTED");
            assertThat(why.path("message").asText()).contains("takes no new orders", "the rollup's tip is not this node's", "cancels and reads");
            JsonNode overSocket = ws.request(OrderJson.op("place", OrderJson.order(s, order(s, Side.BUY, 8_200, 1), domain)))
                    .get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(overSocket.path("error").asText()).as(overSocket.toString()).isEqualTo("HALTED");
            assertThat(get("/state").path("seq").asLong()).as("nothing refused reached the log").isEqualTo(seq);

            HttpResponse<String> cancelled = postTo(halting, "/orders/cancel", OrderJson.cancel(s, domain.orderDigest(resting), domain).toString());
            assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
            assertThat(get("/orders/" + domain.orderDigest(resting)).get("order").get("status").asText()).startsWith("cancelled");
            assertThat(getFrom(halting, "/state").statusCode()).isEqualTo(200);
        }
    }

    HttpResponse<String> postTo(TraderApi which, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + which.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json")
                .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A stopping API answers what it took and refuses the rest with 503 SHUTTING_DOWN, saying where to go; it closed its
     * connections at once, and a client then read a reset where the docs promise the 503.
     */
    @Test
    void aStoppingApiAnswersNewRequestsWithShuttingDown() throws Exception {
        refill();
        TraderApi stopping = new TraderApi(gateway, new RateLimiter(1e9, 1e9, clock::get), new RateLimiter(1e9, 1e9, clock::get), "127.0.0.1", 0, 16 * 1024);
        try (WsClient ws = new WsClient(stopping.port())) {
            HttpResponse<String> before = getFrom(stopping, "/state");
            assertThat(before.statusCode()).isEqualTo(200);
            stopping.stopTaking();
            HttpResponse<String> rest = getFrom(stopping, "/state");
            assertThat(rest.statusCode()).isEqualTo(503);
            assertThat(rest.body()).contains("SHUTTING_DOWN", "another member");
            Signer s = DevAccounts.trader(3);
            JsonNode place = ws.request(OrderJson.op("place", OrderJson.order(s, order(s, Side.BUY, 8_000, 1), domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(place.path("error").asText()).as(place.toString()).isEqualTo("SHUTTING_DOWN");
        } finally {
            stopping.close();
        }
        assertThat(get("/state").get("seq").asLong()).as("the shared gateway serves the other API on").isPositive();
    }

    /** An API whose clients may each send five requests, refilled only when the test moves the clock; keys unlimited. */
    TraderApi limitedByAddress() throws Exception {
        return new TraderApi(gateway, new RateLimiter(1e9, 1e9, clock::get), new RateLimiter(5, 5, clock::get), "127.0.0.1", 0, 16 * 1024);
    }

    /**
     * Reads cost the cluster a query each: a client that floods them, over REST and its sockets
     * together, is limited by its address with the wait to observe, and served again once it waits.
     */
    @Test
    void aFloodOfReadsFromOneAddressIsLimitedAcrossRestAndWebSocket() throws Exception {
        refill();
        try (TraderApi limited = limitedByAddress()) {
            int refused = 0;
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = getFrom(limited, "/state");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            try (WsClient ws = new WsClient(limited.port()); WsClient other = new WsClient(limited.port())) {
                for (WsClient socket : new WsClient[] {ws, other, ws}) {
                    JsonNode r = socket.request(OrderJson.op("depth", WsClient.JSON.createObjectNode().put("market", MARKET)))
                            .get(ANSWER_SECONDS, TimeUnit.SECONDS);
                    if (r.path("error").asText().equals("RATE_LIMITED")) {
                        refused++;
                        assertThat(r.path("message").asText()).contains("127.0.0.1").contains("retry in");
                    } else assertThat(r.has("depth")).as(r.toString()).isTrue();
                }
            }
            assertThat(refused).as("three REST reads and three WebSocket ones share five").isEqualTo(1);
            HttpResponse<String> over = getFrom(limited, "/markets/" + MARKET + "/depth");
            assertThat(over.statusCode()).isEqualTo(429);
            assertThat(WsClient.JSON.readTree(over.body()).path("error").asText()).isEqualTo("RATE_LIMITED");
            long waitMs = WsClient.JSON.readTree(over.body()).path("retryAfterMs").asLong();
            assertThat(waitMs).as(over.body()).isPositive();
            assertThat(over.headers().firstValue("retry-after")).as("HTTP's Retry-After, whole seconds rounded up")
                    .contains(Long.toString((waitMs + 999) / 1000));
            refill();
            HttpResponse<String> again = getFrom(limited, "/state");
            assertThat(again.statusCode()).as("served again after the wait: %s", again.body()).isEqualTo(200);
        }
    }

    /** Each subscription to the market channel costs the cluster a snapshot of every book: a client that floods them is limited. */
    @Test
    void aFloodOfSubscriptionsIsRateLimitedPerAddress() throws Exception {
        refill();
        try (TraderApi limited = limitedByAddress(); WsClient ws = new WsClient(limited.port())) {
            int refused = 0, snapshots = 0;
            for (int i = 0; i < 8; i++) {
                ObjectNode body = WsClient.JSON.createObjectNode();
                body.putArray("channels").add("market");
                JsonNode r = ws.request(OrderJson.op("subscribe", body)).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                if (r.path("error").asText().equals("RATE_LIMITED")) refused++;
                else assertThat(r.path("subscribed").toString()).contains("market");
            }
            assertThat(refused).as("5 a client, refilled only when the test moves the clock").isEqualTo(3);
            while (snapshots < 5) {
                JsonNode m = ws.streams.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
                if (m == null) break;
                if (m.has("snapshot")) snapshots++;
            }
            for (JsonNode m; (m = ws.streams.poll(200, TimeUnit.MILLISECONDS)) != null; ) {
                assertThat(m.has("snapshot")).as("no snapshot for a refused subscription").isFalse();
            }
            assertThat(snapshots).as("one snapshot per subscription taken").isEqualTo(5);
        }
    }

    @Test
    void aClientThatLeavesMidRequestLosesNothingAndOthersAreServed() throws Exception {
        refill();
        Signer s = DevAccounts.trader(2);
        Order o = order(s, Side.SELL, 13_000, 1);
        WsClient leaving = new WsClient(api.port());
        leaving.sendRaw(OrderJson.op("place", OrderJson.order(s, o, domain)).toString());
        leaving.abort();
        var hash = domain.orderDigest(o);
        JsonNode status = null;
        long deadline = System.currentTimeMillis() + ANSWER_SECONDS * 1_000L;
        while (true) {
            status = get("/orders/" + hash).get("order");
            if (status.get("known").asBoolean() || System.currentTimeMillis() > deadline) break;
            Thread.sleep(50);
        }
        assertThat(status.get("known").asBoolean()).as("the order the client sent before leaving was still applied").isTrue();
        try (WsClient ws = new WsClient(api.port())) {
            assertThat(ws.request(OrderJson.op("state", WsClient.JSON.createObjectNode())).get(ANSWER_SECONDS, TimeUnit.SECONDS).has("stateRoot")).isTrue();
        }
    }
}
