package dev.clearline.sequencer.api;

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
import dev.clearline.sequencer.cluster.LocalReads;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.ReplyCodec;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trader API's reads answered by the member in the node's process from its own state ({@link Gateway#readLocally},
 * {@link LocalReads}): no log entry per read, a trader reads its own acknowledged order at once, the answer is the one a
 * query in the log gets, and a member that cannot answer hands the read to the log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalReadsTest {
    static final int ANSWER_SECONDS = 30;
    final AtomicLong nonces = new AtomicLong(1);
    final HttpClient http = HttpClient.newHttpClient();
    Path dir;
    SequencerNode node;
    Gateway gateway;
    TraderApi api;
    Eip712 domain;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("local-reads");
        node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier());
        domain = Market.GENESIS.domain();
        gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), 2);
        SequencerMain.devSetup(gateway, domain, 3);
        api = new TraderApi(gateway, new RateLimiter(1e9, 1e9, System::nanoTime), new RateLimiter(1e9, 1e9, System::nanoTime), "127.0.0.1", 0,
                16 * 1024);
    }

    @AfterAll
    void stop() throws Exception {
        api.close();
        gateway.close();
        node.close();
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return WsClient.JSON.readTree(r.body());
    }

    Hash32 lastPlaced;

    /** Places a resting buy through the REST API; its hash in {@link #lastPlaced}; returns the acknowledgement's seq. */
    long place(Signer s, long price) throws Exception {
        Order o = new Order(s.address(), Market.MARKET, Side.BUY, price, Market.LOT, 0, TimeInForce.GTC, 0, 0, nonces.getAndIncrement(), 1_000_000);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/orders"))
                .POST(HttpRequest.BodyPublishers.ofString(OrderJson.order(s, o, domain).toString())).header("content-type", "application/json")
                .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        lastPlaced = domain.orderDigest(o);
        return WsClient.JSON.readTree(r.body()).path("seq").asLong();
    }

    long logPosition() throws Exception {
        return node.status().get(ANSWER_SECONDS, TimeUnit.SECONDS).logPosition();
    }

    /** A reply's body: what it says, without who asked and when (a read's own numbers). */
    static ObjectNode body(JsonNode reply) {
        ObjectNode b = reply.deepCopy();
        b.remove(java.util.List.of("clientId", "clientSeq", "time"));
        return b;
    }

    @Test
    void readsCostNoLogEntryAndATraderReadsItsOwnAcknowledgedOrderAtOnce() throws Exception {
        // the floor each read names: never below the seq of an acknowledgement this gateway has passed on
        AtomicLong floor = new AtomicLong(-1);
        gateway.readLocally((q, at) -> {
            floor.set(at);
            return node.read(q, at);
        });
        Signer s = DevAccounts.trader(1);
        long localBefore = gateway.readsLocal(), logBefore = gateway.readsThroughLog();
        for (int i = 0; i < 20; i++) {
            long acked = place(s, 9_000 - 100 * i);
            Hash32 h = lastPlaced;
            get("/state");
            assertThat(floor.get()).as("order %d acknowledged at seq %d", i, acked).isGreaterThanOrEqualTo(acked);
            // the very next read, through the API that acknowledged the order, already shows it
            assertThat(get("/orders/" + h).path("order").path("status").asText()).as("order %d", i).isEqualTo("open");
            JsonNode account = get("/accounts/" + s.address()).path("account");
            assertThat(account.path("openOrderCount").asInt()).as("order %d", i).isEqualTo(i + 1);
        }
        long position = logPosition();
        for (int i = 0; i < 50; i++) {
            get("/accounts/" + s.address());
            get("/markets/1/depth");
            get("/state");
        }
        assertThat(logPosition()).as("150 reads put nothing in the log").isEqualTo(position);
        assertThat(gateway.readsLocal() - localBefore).isEqualTo(20 * 3 + 150);
        assertThat(gateway.readsThroughLog() - logBefore).isZero();
        var metrics = new dev.clearline.sequencer.metrics.MetricsText();
        api.writeMetrics(metrics);
        assertThat(metrics.toString()).as("what an operator watches").contains("clearline_api_reads_total{path=\"member\"} " + gateway.readsLocal());

        // the same reads through the log answer the same, at the same seq: only the log moved
        for (Command.QueryKind kind : new Command.QueryKind[]{Command.QueryKind.ACCOUNT, Command.QueryKind.DEPTH, Command.QueryKind.STATE}) {
            var viaLog = gateway.queryReply(kind, kind == Command.QueryKind.DEPTH ? Market.MARKET : 0, s.address(), null)
                    .get(ANSWER_SECONDS, TimeUnit.SECONDS).json();
            var local = gateway.readReply(kind, kind == Command.QueryKind.DEPTH ? Market.MARKET : 0, s.address(), null, 0)
                    .get(ANSWER_SECONDS, TimeUnit.SECONDS).json();
            assertThat(body(local)).as("%s", kind).isEqualTo(body(viaLog));
        }
        assertThat(logPosition()).as("the log query did enter the log").isGreaterThan(position);

        // the member answers on the state machine's thread; what follows (decoding, the HTTP or WebSocket answer) does not run there
        for (int i = 0; i < 20; i++) {
            String taken = gateway.readReply(Command.QueryKind.ACCOUNT, 0, s.address(), null, 0)
                    .thenApply(r -> Thread.currentThread().getName()).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(taken).as("the thread that took up a local read's answer").doesNotStartWith("clustered-service");
        }
    }

    @Test
    void aClientNamesTheSeqItMustReadAtLeastAndABadOneIsRefusedWithWhatToSend() throws Exception {
        gateway.readLocally(node::read);
        long seq = get("/state").path("seq").asLong();
        long local = gateway.readsLocal(), throughLog = gateway.readsThroughLog();
        // a seq this node has reached: answered here at once
        assertThat(get("/accounts/" + DevAccounts.trader(2).address() + "?seq=" + seq).path("seq").asLong()).isGreaterThanOrEqualTo(seq);
        assertThat(get("/state?seq=" + seq).path("seq").asLong()).isGreaterThanOrEqualTo(seq);
        assertThat(gateway.readsLocal() - local).isEqualTo(2);
        // one it has not (a client's acknowledgement from a member ahead of this one): the member waits for it, then the log answers
        assertThat(get("/markets/1/depth?seq=" + (seq + 1_000_000)).path("depth").isObject()).isTrue();
        assertThat(gateway.readsThroughLog() - throughLog).as("answered through the log").isEqualTo(1);
        for (String bad : new String[]{"abc", "-1"}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/state?seq=" + bad))
                    .timeout(java.time.Duration.ofSeconds(ANSWER_SECONDS)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(r.body()).contains("BAD_FIELD", "seq", "must be 0 or more", "the seq of a reply you hold");
        }
    }

    @Test
    void aMemberBehindTheReadersFloorGivesItUpAndTheLogAnswersIt() throws Exception {
        gateway.readLocally(node::read);
        long seq = get("/state").path("seq").asLong();
        // straight from the member: at its own seq it answers, as the log would have carried it; past it, it waits, then gives up
        byte[] bytes = node.read(new Command.Query(1, 0, Command.QueryKind.STATE, 0, null, null, 0), seq).get(ANSWER_SECONDS, TimeUnit.SECONDS);
        assertThat(ReplyCodec.decode(bytes, 0, bytes.length).path("seq").asLong()).isEqualTo(seq);
        CompletableFuture<byte[]> ahead = node.read(new Command.Query(1, 0, Command.QueryKind.STATE, 0, null, null, 0), seq + 1_000_000);
        try {
            ahead.get(ANSWER_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("a member answered a read from a state behind its floor");
        } catch (ExecutionException e) {
            // given up only once its wait ran out on the member's own clock (LocalReadsProperties holds the limit exactly)
            assertThat(e.getCause()).isInstanceOf(LocalReads.NotHere.class).hasMessageContaining("behind").hasMessageContaining("after 1000 ms");
        }

        // a member that refuses, and one that never answers: the read still gets its answer, through the log
        long position = logPosition();
        long throughLog = gateway.readsThroughLog();
        gateway.readLocally((q, at) -> CompletableFuture.failedFuture(new LocalReads.NotHere("refused by the test")));
        assertThat(get("/state").path("seq").asLong()).isEqualTo(seq);
        gateway.readLocally((q, at) -> new CompletableFuture<>());
        assertThat(get("/state").path("seq").asLong()).isEqualTo(seq);
        assertThat(gateway.readsThroughLog() - throughLog).isEqualTo(2);
        assertThat(logPosition()).isGreaterThan(position);
        gateway.readLocally(node::read);
    }
}
