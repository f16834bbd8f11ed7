package dev.clearline.sequencer.oracle;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The one I/O a price source does: an HTTP GET with a timeout. A parameter, so tests and other transports plug in. */
@FunctionalInterface
public interface HttpGet {
    record Response(int status, String body) {}

    /** The answer to {@code GET uri}; an IOException when nothing came back within {@code timeout}. */
    Response get(URI uri, Duration timeout) throws IOException;

    /** The JDK's HTTP client (HTTP/1.1 and 2, TLS), one shared connection pool. */
    static HttpGet jdk() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NORMAL).build();
        return (uri, timeout) -> {
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
            try {
                HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                return new Response(r.statusCode(), r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        };
    }
}
