package dev.clearline.sequencer.oracle;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The one I/O a price source does: an HTTP GET with a timeout. A parameter, so tests and other transports plug in. */
@FunctionalInterface
public interface HttpGet {
    record Response(int status, String body) {}

    /** The answer to {@code GET uri} sent with {@code headers}; an IOException when nothing came back within {@code timeout}. */
    Response get(URI uri, Map<String, String> headers, Duration timeout) throws IOException;

    /**
     * The JDK's HTTP client (HTTP/1.1 and 2, TLS). A request with headers (an API key, as a rule) does
     * not follow redirects: the client would send the headers on to wherever the redirect points; a
     * redirect is then an answer that is not 200, logged as such.
     */
    static HttpGet jdk() {
        HttpClient following = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpClient staying = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
        return (uri, headers, timeout) -> {
            HttpClient client = headers.isEmpty() ? following : staying;
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
            headers.forEach(b::header);
            HttpRequest req = b.build();
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
