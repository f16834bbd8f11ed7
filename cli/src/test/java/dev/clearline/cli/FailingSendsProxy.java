package dev.clearline.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JSON-RPC endpoint in front of a real node that passes everything through except transactions
 * after the first {@code passing}: those never reach the node, and the connection closes with no
 * answer, as an L1 endpoint that goes away in the middle of a run of payments does.
 */
final class FailingSendsProxy implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger sends = new AtomicInteger();

    FailingSendsProxy(String target, int passing) throws IOException {
        HttpClient client = HttpClient.newHttpClient();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String request = new String(body, StandardCharsets.UTF_8);
                if (request.contains("\"eth_sendRawTransaction\"") && sends.incrementAndGet() > passing) {
                    return; // closed with no answer: the transaction was never sent on
                }
                HttpResponse<byte[]> r;
                try {
                    r = client.send(HttpRequest.newBuilder(URI.create(target)).header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                exchange.getResponseHeaders().add("content-type", "application/json");
                exchange.sendResponseHeaders(r.statusCode(), r.body().length);
                exchange.getResponseBody().write(r.body());
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Transactions asked for so far, the ones refused included (a client that retried would show here). */
    int sends() {
        return sends.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
