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
 * A JSON-RPC endpoint in front of a real node that goes away part-way through a run of payments:
 * it passes everything through until {@code passing} transactions were sent on, then closes the
 * connection with no answer on every further transaction (which never reaches the node) and, when
 * {@code readsToo}, on every contract read ({@code eth_call}) as well.
 */
final class FailingSendsProxy implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger sends = new AtomicInteger();

    FailingSendsProxy(String target, int passing) throws IOException {
        this(target, passing, false);
    }

    FailingSendsProxy(String target, int passing, boolean readsToo) throws IOException {
        HttpClient client = HttpClient.newHttpClient();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String request = new String(body, StandardCharsets.UTF_8);
                if (request.contains("\"eth_sendRawTransaction\"") && sends.incrementAndGet() > passing) {
                    return; // closed with no answer: the transaction was never sent on
                }
                if (readsToo && request.contains("\"eth_call\"") && sends.get() >= passing) return;
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
