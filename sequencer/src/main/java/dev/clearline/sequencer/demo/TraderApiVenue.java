package dev.clearline.sequencer.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.exchange.CancelRequest;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.sequencer.api.RequestJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The trader API over REST ({@code POST /orders}, {@code POST /orders/batch-cancel}), as a trader's
 * program reaches it: the demo's orders meet the API's signature checks, rate limits and halts, and
 * show in its request counts and acknowledgement times like anyone's. An error answer (a halt, a
 * limit) is an {@link IOException} carrying the API's code and message.
 */
public final class TraderApiVenue implements DemoVenue {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final URI base;

    /** {@code base}: the API's root, {@code http://host:port}. */
    public TraderApiVenue(HttpClient http, URI base) {
        this.http = http;
        this.base = base;
    }

    @Override
    public ObjectNode place(SignedOrder order) throws IOException, InterruptedException {
        return post("/orders", RequestJson.write(order));
    }

    @Override
    public void batchCancel(List<CancelRequest> cancels) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("cancels");
        for (CancelRequest c : cancels) list.add(RequestJson.write(c));
        post("/orders/batch-cancel", body);
    }

    private ObjectNode post(String path, ObjectNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode answer = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        if (r.statusCode() != 200 || !answer.isObject()) {
            throw new IOException("the trader API answered " + path + " with HTTP " + r.statusCode() + ": " + answer.path("error").asText("")
                    + " " + answer.path("message").asText(r.body()));
        }
        return (ObjectNode) answer;
    }
}
