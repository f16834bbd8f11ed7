package dev.clearline.sequencer.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/api.md, run: every request it shows is what this code signs with the dev keys (signatures
 * are deterministic), each is sent in order to a real node, and each reply it shows has the fields
 * the node's reply has, at every level it shows. Set {@code -Dclearline.apiDoc.print=true} to print
 * the requests and replies for the document.
 */
class ApiDocTest {
    static final int ANSWER_SECONDS = 30;
    final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static Path locate(String relative) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(relative))) return p.resolve(relative);
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    /** The document's fenced blocks tagged {@code ```json request:NAME} or {@code ```json reply:NAME}, by tag. */
    static Map<String, JsonNode> blocks(String doc) throws Exception {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("```json ((?:request|reply):[a-z-]+)\\n(.*?)\\n```", Pattern.DOTALL).matcher(doc);
        while (m.find()) out.put(m.group(1), WsClient.JSON.readTree(m.group(2)));
        return out;
    }

    static String hex(byte[] b) {
        return "0x" + HexFormat.of().formatHex(b);
    }

    /** Every field the document shows is in the node's reply, with the same JSON type, level by level into objects and first array elements. */
    static void sameShape(String where, JsonNode documented, JsonNode actual) {
        assertThat(actual.getNodeType()).as("%s: type", where).isEqualTo(documented.getNodeType());
        if (documented.isObject()) {
            TreeSet<String> missing = new TreeSet<>();
            for (Iterator<String> it = documented.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!actual.has(f)) missing.add(f);
                else sameShape(where + "." + f, documented.get(f), actual.get(f));
            }
            assertThat(missing).as("%s: fields the document shows that the node's reply lacks (reply: %s)", where, actual).isEmpty();
        } else if (documented.isArray() && !documented.isEmpty() && !actual.isEmpty()) {
            sameShape(where + "[0]", documented.get(0), actual.get(0));
        }
    }

    @Test
    void everyRequestInTheApiDocumentIsWhatTheDevKeysSignAndEveryReplyHasTheShapeItShows() throws Exception {
        Eip712 domain = Market.GENESIS.domain();
        Signer maker = DevAccounts.trader(0), taker = DevAccounts.trader(1);
        Map<String, ObjectNode> requests = new LinkedHashMap<>();
        Order ask = new Order(maker.address(), 1, Side.SELL, 10_100, 2_000, 0, TimeInForce.GTC, 0, 0, 1, 10_000);
        requests.put("place", OrderJson.order(maker, ask, domain));
        Order bid = new Order(taker.address(), 1, Side.BUY, 10_100, 3_000, 0, TimeInForce.GTC, 0, 0, 1, 10_000);
        requests.put("place-crossing", OrderJson.order(taker, bid, domain));
        Hash32 bidHash = domain.orderDigest(bid);
        Order moved = new Order(taker.address(), 1, Side.BUY, 9_900, 1_000, 0, TimeInForce.GTC, 0, 0, 2, 10_000);
        ObjectNode amend = WsClient.JSON.createObjectNode();
        amend.set("cancel", OrderJson.cancel(taker, bidHash, domain));
        amend.set("order", OrderJson.order(taker, moved, domain));
        requests.put("amend", amend);
        requests.put("cancel", OrderJson.cancel(taker, domain.orderDigest(moved), domain));
        ObjectNode release = WsClient.JSON.createObjectNode();
        release.put("owner", maker.address().toString()).put("market", 1).put("amount", 5_000).put("nonce", 0)
                .put("signature", hex(maker.sign(domain.releaseDigest(maker.address(), 1, 5_000, 0)).encoded()));
        requests.put("release", release);
        ObjectNode withdraw = WsClient.JSON.createObjectNode();
        withdraw.put("owner", maker.address().toString()).put("recipient", maker.address().toString()).put("amount", 1_000_000).put("nonce", 1)
                .put("signature", hex(maker.sign(domain.withdrawDigest(maker.address(), maker.address(), 1_000_000, 1)).encoded()));
        requests.put("withdraw", withdraw);
        // a stop-loss: a market sell the node holds until the mark falls to 9,500
        Order stopLoss = new Order(maker.address(), 1, Side.SELL, 9_000, 1_000, 0, TimeInForce.IOC, Order.MARKET, 0, 3, 0);
        ObjectNode stop = WsClient.JSON.createObjectNode();
        stop.set("order", OrderJson.order(maker, stopLoss, domain));
        stop.put("triggerPrice", 9_500);
        requests.put("stop", stop);
        // a dead man's switch: every open order of the maker leaves once the node's clock reaches 2100-01-01, unless it moves it first
        long year2100 = 4_102_444_800L;
        requests.put("cancel-all-after", RequestJson.write(new CancelAllAfterRequest(maker.address(), year2100, 1,
                maker.sign(domain.cancelAllAfterDigest(maker.address(), year2100, 1)))));
        Map<String, String> paths = Map.of("place", "/orders", "place-crossing", "/orders", "amend", "/orders/amend", "cancel", "/orders/cancel",
                "release", "/margin/release", "withdraw", "/withdrawals", "stop", "/orders", "cancel-all-after", "/orders/cancel-all-after");

        boolean print = Boolean.getBoolean("clearline.apiDoc.print");
        Map<String, JsonNode> documented = print ? Map.of() : blocks(Files.readString(locate("docs/api.md")));
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier());
             Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), 2)) {
            gateway.readLocally(node::read); // the API's reads as a node answers them: from the member's state
            SequencerMain.devSetup(gateway, domain, 2);
            try (TraderApi api = new TraderApi(gateway, new RateLimiter(1_000, 1_000, System::nanoTime), new RateLimiter(4_000, 4_000, System::nanoTime), "127.0.0.1", 0, TraderApi.DEFAULT_MAX_REQUEST_BYTES)) {
                String base = "http://127.0.0.1:" + api.port();
                Map<String, JsonNode> replies = new LinkedHashMap<>();
                for (var e : requests.entrySet()) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + paths.get(e.getKey())))
                            .POST(HttpRequest.BodyPublishers.ofString(e.getValue().toString())).header("content-type", "application/json")
                            .timeout(Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as("%s: %s", e.getKey(), r.body()).isEqualTo(200);
                    replies.put(e.getKey(), WsClient.JSON.readTree(r.body()));
                }
                replies.put("account", get(base + "/accounts/" + taker.address()));
                replies.put("order", get(base + "/orders/" + domain.orderDigest(ask)));
                replies.put("depth", get(base + "/markets/1/depth"));
                replies.put("state", get(base + "/state"));
                replies.put("history", get(base + "/admin/history?from=0"));
                // a venue that takes only orders expiring within 7 days (--max-order-lifetime 7d), at a fixed clock
                try (TraderApi limited = new TraderApi(gateway, new RateLimiter(1_000, 1_000, System::nanoTime), new RateLimiter(4_000, 4_000, System::nanoTime),
                        new OrderLifetime(7 * 86_400, () -> 1_796_122_661L), "127.0.0.1", 0, TraderApi.DEFAULT_MAX_REQUEST_BYTES)) {
                    replies.put("venue", get("http://127.0.0.1:" + limited.port() + "/venue"));
                    HttpResponse<String> noExpiry = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + limited.port() + "/orders"))
                            .POST(HttpRequest.BodyPublishers.ofString(requests.get("place").toString())).header("content-type", "application/json")
                            .timeout(Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(noExpiry.statusCode()).isEqualTo(400);
                    replies.put("expiry-required", WsClient.JSON.readTree(noExpiry.body()));
                }
                // a venue whose oracle has been silent 95 s, past the minute it allows (--max-mark-age 60s)
                long pricedAt = replies.get("state").path("marketInfo").path(0).path("lastOracleTs").asLong();
                MarkFreshness marks = new MarkFreshness(60, () -> pricedAt + 95);
                try (TraderApi stale = new TraderApi(gateway, new RateLimiter(1_000, 1_000, System::nanoTime), new RateLimiter(4_000, 4_000, System::nanoTime),
                        OrderLifetime.unlimited(), marks, "127.0.0.1", 0, TraderApi.DEFAULT_MAX_REQUEST_BYTES)) {
                    new dev.clearline.sequencer.l1.GatewayLink(gateway).observeMarks(marks);
                    replies.put("venue-stale-mark", get("http://127.0.0.1:" + stale.port() + "/venue"));
                    HttpResponse<String> staleMark = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stale.port() + "/orders"))
                            .POST(HttpRequest.BodyPublishers.ofString(requests.get("place").toString())).header("content-type", "application/json")
                            .timeout(Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(staleMark.statusCode()).as(staleMark.body()).isEqualTo(503);
                    replies.put("stale-mark", WsClient.JSON.readTree(staleMark.body()));
                }
                HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/orders"))
                        .POST(HttpRequest.BodyPublishers.ofString(requests.get("place").toString())).header("content-type", "application/json")
                        .timeout(Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).isEqualTo(422);
                replies.put("refused", WsClient.JSON.readTree(refused.body()));
                HttpResponse<String> malformed = http.send(HttpRequest.newBuilder(URI.create(base + "/orders"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"trader\": ")).header("content-type", "application/json")
                        .timeout(Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
                replies.put("error", WsClient.JSON.readTree(malformed.body()));
                try (WsClient ws = new WsClient(api.port())) {
                    ObjectNode sub = WsClient.JSON.createObjectNode();
                    sub.put("op", "subscribe").put("id", 1);
                    sub.putArray("channels").add("market").add("account:" + maker.address());
                    requests.put("subscribe", sub);
                    JsonNode subscribed = ws.request(sub).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                    replies.put("subscribe", subscribed);
                    Order again = new Order(taker.address(), 1, Side.BUY, 10_000, 1_000, 0, TimeInForce.IOC, 0, 0, 3, 10_000);
                    Order rest = new Order(maker.address(), 1, Side.SELL, 10_000, 1_000, 0, TimeInForce.GTC, 0, 0, 2, 10_000);
                    ObjectNode wsPlace = OrderJson.order(maker, rest, domain);
                    wsPlace.put("op", "place").put("id", 2);
                    requests.put("ws-place", wsPlace);
                    replies.put("ws-place", ws.request(wsPlace).get(ANSWER_SECONDS, TimeUnit.SECONDS));
                    ObjectNode take = OrderJson.order(taker, again, domain);
                    take.put("op", "place").put("id", 3);
                    ws.request(take).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
                         System.nanoTime() < deadline && !(replies.containsKey("market") && replies.containsKey("account-events") && replies.containsKey("market-snapshot")
                        && replies.containsKey("account-snapshot") && replies.containsKey("account-push")); ) {
                        JsonNode pushed = ws.streams.poll(1, TimeUnit.SECONDS);
                        if (pushed == null || !pushed.has("channel")) continue;
                        if (pushed.has("snapshot")) {
                            replies.put(pushed.path("channel").asText().equals("market") ? "market-snapshot" : "account-snapshot", pushed);
                            continue;
                        }
                        if (pushed.path("channel").asText().equals("market") && pushed.path("trades").size() > 0) replies.put("market", pushed);
                        if (pushed.path("channel").asText().startsWith("account:") && pushed.has("events")) replies.putIfAbsent("account-events", pushed);
                        if (pushed.path("channel").asText().startsWith("account:") && pushed.has("account")) replies.put("account-push", pushed);
                    }
                }
                if (print) {
                    for (var e : requests.entrySet()) System.out.println("```json request:" + e.getKey() + "\n" + WsClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(e.getValue()) + "\n```");
                    for (var e : replies.entrySet()) System.out.println("```json reply:" + e.getKey() + "\n" + WsClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(e.getValue()) + "\n```");
                    return;
                }
                for (var e : requests.entrySet()) {
                    assertThat(documented.get("request:" + e.getKey())).as("docs/api.md shows request:%s as this code signs it", e.getKey())
                            .isEqualTo(WsClient.JSON.readTree(e.getValue().toString())); // as read back: numbers as the parser types them
                }
                for (var e : documented.entrySet()) {
                    if (!e.getKey().startsWith("reply:")) continue;
                    String name = e.getKey().substring("reply:".length());
                    assertThat(replies).as("a reply named %s", name).containsKey(name);
                    sameShape(e.getKey(), e.getValue(), replies.get(name));
                }
            }
        }
    }

    private JsonNode get(String url) throws Exception {
        return WsClient.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(ANSWER_SECONDS)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }
}
