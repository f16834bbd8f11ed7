package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WebSocket market and account channels as a client uses them: subscribe while orders stream
 * in, take each channel's snapshot, apply every later message, and have the book and the open
 * orders the node has.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChannelSnapshotTest {
    static final int ANSWER_SECONDS = 30;
    static final long LOT = Market.LOT, TICK = Market.TICK;

    Path dir;
    SequencerNode node;
    Gateway gateway;
    TraderApi api;
    Eip712 domain;
    final AtomicLong nonces = new AtomicLong(1);
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("channel-snapshot");
        node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier());
        domain = Market.GENESIS.domain();
        gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), 2);
        gateway.readLocally(node::read); // as a node runs it: reads and account pushes from the member's state, snapshots through the log
        SequencerMain.devSetup(gateway, domain, 2);
        api = new TraderApi(gateway, new RateLimiter(1_000_000, 1_000_000, System::nanoTime), new RateLimiter(1_000_000, 1_000_000, System::nanoTime), "127.0.0.1", 0, 64 * 1024);
    }

    @AfterAll
    void stop() throws Exception {
        api.close();
        gateway.close();
        node.close();
    }

    /**
     * Orders (resting, crossing, cancelled) are sent without waiting, and a client subscribes after a
     * random number of them: its first market message is a snapshot, every later one has a higher
     * seq, and the snapshot with the deltas applied is the node's book once the last order is in.
     */
    @Test
    void aSnapshotAndTheDeltasAfterItAreTheNodesBook() {
        Property.forAll(Gens.listOf(Gens.ints(0, 63), 10, 60), Gens.ints(0, 60)).tries(6).check((ops, subscribeAt) -> {
            Signer[] traders = {DevAccounts.trader(0), DevAccounts.trader(1)};
            try (WsClient sender = new WsClient(api.port()); WsClient watcher = new WsClient(api.port())) {
                List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
                List<Order> placed = new ArrayList<>();
                CompletableFuture<JsonNode> subscribed = null;
                for (int i = 0; i < ops.size(); i++) {
                    if (i == Math.min(subscribeAt, ops.size() - 1)) subscribed = subscribe(watcher, traders[0]);
                    int op = ops.get(i);
                    Signer s = traders[op & 1];
                    if ((op & 6) == 6 && !placed.isEmpty()) { // about a quarter: cancel an earlier order (maybe filled or gone: refused, no matter)
                        Order o = placed.get(op % placed.size());
                        Signer owner = o.trader().equals(traders[0].address()) ? traders[0] : traders[1];
                        acks.add(sender.request(OrderJson.op("cancel", OrderJson.cancel(owner, domain.orderDigest(o), domain))));
                    } else {
                        Side side = (op & 8) == 0 ? Side.BUY : Side.SELL;
                        long price = (95 + (op >> 4) + (side == Side.BUY ? 0 : 2)) * TICK; // buys 95..98, sells 97..100: some cross
                        Order o = new Order(s.address(), Market.MARKET, side, price, (1 + (op & 1)) * LOT, 0, TimeInForce.GTC, 0, 0,
                                nonces.getAndIncrement(), 1_000_000);
                        placed.add(o);
                        acks.add(sender.request(OrderJson.op("place", OrderJson.order(s, o, domain))));
                    }
                }
                long lastChange = -1; // the last command whose reply names trader 0 among the accounts it changed
                for (CompletableFuture<JsonNode> a : acks) lastChange = Math.max(lastChange, changedAt(a.get(ANSWER_SECONDS, TimeUnit.SECONDS), traders[0]));
                assertThat(subscribed.get(ANSWER_SECONDS, TimeUnit.SECONDS).path("subscribed").toString()).contains("market", "account:");
                // a last order at a price of its own: once its delta is in, every earlier one is
                Order marker = new Order(traders[0].address(), Market.MARKET, Side.BUY, (50 - nonces.get() % 40) * TICK, LOT, 0, TimeInForce.GTC,
                        0, 0, nonces.getAndIncrement(), 1_000_000);
                JsonNode markerAck = sender.request(OrderJson.op("place", OrderJson.order(traders[0], marker, domain))).get(ANSWER_SECONDS, TimeUnit.SECONDS);
                long last = markerAck.path("seq").asLong();
                lastChange = Math.max(lastChange, changedAt(markerAck, traders[0]));
                JsonNode balances = null; // trader 0's balance and positions: the snapshot's, then each push's
                long balancesSeq = -1;

                List<TreeMap<Long, Long>> book = List.of(new TreeMap<>(), new TreeMap<>()); // bids, asks: price -> size
                Map<String, Long> open = new TreeMap<>(); // trader 0's open orders: hash -> open size
                String account = "account:" + traders[0].address();
                long seen = -1, seenAccount = -1;
                boolean snapshot = false, accountSnapshot = false;
                while (seen < last || seenAccount < last) {
                    JsonNode m = watcher.streams.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
                    assertThat(m).as("messages up to seq %d (seen %d on market, %d on the account)", last, seen, seenAccount).isNotNull();
                    long seq = m.path("seq").asLong();
                    if (m.path("channel").asText().equals(account)) {
                        if (!accountSnapshot) {
                            assertThat(m.has("snapshot")).as("the account channel's first message is its snapshot: %s", m).isTrue();
                            for (JsonNode o : m.get("snapshot").path("openOrders")) {
                                open.put(o.path("orderHash").asText(), o.path("size").asLong() - o.path("filled").asLong());
                            }
                            accountSnapshot = true;
                            balances = m.get("snapshot");
                            balancesSeq = seq;
                        } else if (m.has("account")) {
                            assertThat(seq).as("a push of the balance and positions after the last one: %s", m).isGreaterThan(balancesSeq);
                            balances = m.get("account");
                            balancesSeq = seq;
                        } else {
                            assertThat(seq).as("account events after the snapshot, in order").isGreaterThan(seenAccount);
                            for (JsonNode e : m.path("events")) applyEvent(open, e, traders[0].address().toString());
                        }
                        seenAccount = Math.max(seenAccount, seq);
                        continue;
                    }
                    if (!m.path("channel").asText().equals("market")) continue;
                    if (!snapshot) {
                        assertThat(m.has("snapshot")).as("the first market message is the snapshot: %s", m).isTrue();
                        for (JsonNode d : m.get("snapshot")) {
                            if (d.path("market").asInt() != Market.MARKET) continue;
                            for (JsonNode l : d.get("bids")) book.get(0).put(l.get(0).asLong(), l.get(1).asLong());
                            for (JsonNode l : d.get("asks")) book.get(1).put(l.get(0).asLong(), l.get(1).asLong());
                        }
                        snapshot = true;
                    } else {
                        assertThat(m.has("snapshot")).isFalse();
                        assertThat(seq).as("deltas after the snapshot, in order").isGreaterThan(seen);
                        for (JsonNode d : m.path("depth")) {
                            if (d.path("market").asInt() != Market.MARKET) continue;
                            Map<Long, Long> side = book.get(d.path("side").asText().equals("BUY") ? 0 : 1);
                            if (d.path("size").asLong() == 0) side.remove(d.path("price").asLong());
                            else side.put(d.path("price").asLong(), d.path("size").asLong());
                        }
                    }
                    seen = seq;
                }
                // every command that changed the account is followed by a push of the account as of that command or later
                while (balancesSeq < lastChange) {
                    JsonNode m = watcher.streams.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
                    assertThat(m).as("a push of trader 0's account at seq %d or later (last: %d)", lastChange, balancesSeq).isNotNull();
                    if (!m.path("channel").asText().equals(account) || !m.has("account")) continue;
                    assertThat(m.path("seq").asLong()).isGreaterThan(balancesSeq);
                    balances = m.get("account");
                    balancesSeq = m.path("seq").asLong();
                }
                JsonNode now = get("/accounts/" + traders[0].address()).path("account");
                assertThat(balances.path("free")).as("the pushed free balance is the node's").isEqualTo(now.path("free"));
                assertThat(balances.path("positions")).as("the pushed positions are the node's").isEqualTo(now.path("positions"));
                JsonNode depth = get("/markets/1/depth").path("depth");
                assertThat(levels(book.get(0).descendingMap())).as("bids").isEqualTo(depth.get("bids").toString());
                assertThat(levels(book.get(1))).as("asks").isEqualTo(depth.get("asks").toString());
                Map<String, Long> expected = new TreeMap<>();
                JsonNode acct = get("/accounts/" + traders[0].address()).path("account");
                assertThat(acct.path("openOrderCount").asInt()).as("one page holds them all").isEqualTo(acct.path("openOrders").size());
                for (JsonNode o : acct.path("openOrders")) expected.put(o.path("orderHash").asText(), o.path("size").asLong() - o.path("filled").asLong());
                assertThat(open).as("trader 0's open orders: the snapshot and the events after it").isEqualTo(expected);
            }
        });
    }

    /** The reply's seq when it names {@code trader} among the accounts its command changed, else -1. */
    private static long changedAt(JsonNode reply, Signer trader) {
        for (JsonNode a : reply.path("accounts")) if (a.asText().equals(trader.address().toString())) return reply.path("seq").asLong();
        return -1;
    }

    private static CompletableFuture<JsonNode> subscribe(WsClient ws, Signer trader) {
        ObjectNode body = WsClient.JSON.createObjectNode();
        body.putArray("channels").add("market").add("account:" + trader.address());
        return ws.request(OrderJson.op("subscribe", body));
    }

    /** One account event on a model of the trader's open orders (hash to open size). */
    private static void applyEvent(Map<String, Long> open, JsonNode e, String trader) {
        switch (e.path("event").asText()) {
            case "Rested" -> {
                if (e.path("trader").asText().equals(trader)) open.put(e.path("orderHash").asText(), e.path("openSize").asLong());
            }
            case "Filled" -> {
                String maker = e.path("makerOrderHash").asText();
                if (open.containsKey(maker)) {
                    long left = open.get(maker) - e.path("size").asLong();
                    if (left > 0) open.put(maker, left);
                    else open.remove(maker);
                }
            }
            case "Cancelled", "Expired" -> open.remove(e.path("orderHash").asText());
            default -> { }
        }
    }

    private static String levels(Map<Long, Long> side) {
        ArrayNode a = WsClient.JSON.createArrayNode();
        side.forEach((p, s) -> a.addArray().add(p).add(s));
        return a.toString();
    }

    private JsonNode get(String path) throws Exception {
        return WsClient.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }
}
