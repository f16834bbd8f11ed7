package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A test's WebSocket session with the trader API (the JDK's client): requests by id, streams in a queue. */
public final class WsClient implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();

    private final WebSocket ws;
    private final Map<Long, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
    public final LinkedBlockingQueue<JsonNode> streams = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();
    public volatile String closeReason;
    private final AtomicLong ids = new AtomicLong();

    public WsClient(int port) throws Exception {
        this.ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new Listener()).get(60, TimeUnit.SECONDS); // a starved machine's handshake
    }

    /** Sends {@code body} with a fresh id; the future completes with the answer carrying that id. */
    public CompletableFuture<JsonNode> request(ObjectNode body) {
        long id = ids.incrementAndGet();
        body.put("id", id);
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        waiting.put(id, f);
        synchronized (ws) {
            // bounded: a server that stopped reading fails the caller instead of blocking it forever
            ws.sendText(body.toString(), true).orTimeout(30, TimeUnit.SECONDS).join();
        }
        return f;
    }

    /** Sends {@code body} with a fresh id as one message cut into frames at {@code cuts} (ascending offsets); the future completes with its answer. */
    public CompletableFuture<JsonNode> requestInFrames(ObjectNode body, int... cuts) {
        long id = ids.incrementAndGet();
        body.put("id", id);
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        waiting.put(id, f);
        sendInFrames(body.toString(), cuts);
        return f;
    }

    /** Sends {@code text} as one message cut into frames at {@code cuts} (ascending offsets). */
    public void sendInFrames(String text, int... cuts) {
        synchronized (ws) {
            int from = 0;
            for (int cut : cuts) {
                ws.sendText(text.substring(from, cut), false).orTimeout(30, TimeUnit.SECONDS).join();
                from = cut;
            }
            ws.sendText(text.substring(from), true).orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    public void sendRaw(String text) {
        synchronized (ws) {
            ws.sendText(text, true).join();
        }
    }

    public void abort() {
        ws.abort();
    }

    @Override
    public void close() {
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode n = JSON.readTree(partial.toString());
                    CompletableFuture<JsonNode> f = n.has("id") && !n.get("id").isNull() ? waiting.remove(n.get("id").asLong()) : null;
                    if (f != null) f.complete(n);
                    else streams.add(n);
                } catch (Exception e) {
                    streams.add(JSON.createObjectNode().put("unparsable", partial.toString()));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason = reason;
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
