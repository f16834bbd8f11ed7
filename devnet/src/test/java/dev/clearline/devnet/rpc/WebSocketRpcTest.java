package dev.clearline.devnet.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.NodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The devnet's WebSocket, where its rules are its own (the notifications themselves are checked
 * against Hardhat's node in the compatibility suite): batches, the subscription kinds it serves,
 * what a revert does to {@code newHeads}, and {@code eth_subscribe} refused over HTTP.
 */
class WebSocketRpcTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicLong clock = new AtomicLong(1_700_000_000L);
    private Devnet devnet;
    private WebSocket socket;
    private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();

    @BeforeEach
    void connect() throws Exception {
        devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(clock::get), 0));
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(devnet.rpcUrl().replaceFirst("^http", "ws")), new WebSocket.Listener() {
                    private final StringBuilder message = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        message.append(data);
                        if (last) {
                            try {
                                received.add(JSON.readTree(message.toString()));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            message.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        socket.abort();
        devnet.close();
    }

    private JsonNode ask(String request) throws Exception {
        socket.sendText(request, true).get(10, TimeUnit.SECONDS);
        return next();
    }

    private JsonNode next() throws InterruptedException {
        JsonNode n = received.poll(10, TimeUnit.SECONDS);
        assertThat(n).as("a message within 10 s").isNotNull();
        return n;
    }

    @Test
    void aBatchOverTheSocketIsAnsweredAsOverHttp() throws Exception {
        JsonNode answer = ask("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_blockNumber\"}]");
        assertThat(answer.isArray()).isTrue();
        assertThat(answer.get(0).get("result").asText()).isEqualTo("0x7a69");
        assertThat(answer.get(1).get("id").asInt()).isEqualTo(2);
    }

    @Test
    void aSubscriptionKindNotServedIsRefusedSayingWhichAre() throws Exception {
        JsonNode answer = ask("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":[\"syncing\"]}");
        assertThat(answer.get("error").get("code").asInt()).isEqualTo(-32602);
        assertThat(answer.get("error").get("message").asText()).contains("\"newHeads\", \"logs\"").contains("\"newPendingTransactions\"");
        JsonNode unknown = ask("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_unsubscribe\",\"params\":[\"0x1234\"]}");
        assertThat(unknown.get("result").asBoolean()).as("no such subscription").isFalse();
    }

    @Test
    void afterARevertNewHeadsSendsTheBlocksMinedOnTheNewBranch() throws Exception {
        long start = devnet.node().blockNumber();
        String snapshot = ask("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"evm_snapshot\"}").get("result").asText();
        String id = ask("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}").get("result").asText();

        devnet.node().mine(null);
        devnet.node().mine(null);
        assertThat(number(next(), id)).isEqualTo(start + 1);
        assertThat(number(next(), id)).isEqualTo(start + 2);

        assertThat(ask("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"evm_revert\",\"params\":[\"" + snapshot + "\"]}").get("result").asBoolean()).isTrue();
        devnet.node().mine(clock.get() + 60);
        assertThat(number(next(), id)).as("the new branch's first block, at the height already sent once").isEqualTo(start + 1);

        assertThat(ask("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"eth_unsubscribe\",\"params\":[\"" + id + "\"]}").get("result").asBoolean()).isTrue();
        devnet.node().mine(null);
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).as("nothing once unsubscribed").isNull();
    }

    private static long number(JsonNode notification, String subscription) {
        assertThat(notification.get("method").asText()).isEqualTo("eth_subscription");
        assertThat(notification.get("params").get("subscription").asText()).isEqualTo(subscription);
        JsonNode head = notification.get("params").get("result");
        assertThat(head.has("transactions")).as("a header, not a block").isFalse();
        return Long.decode(head.get("number").asText());
    }
}
