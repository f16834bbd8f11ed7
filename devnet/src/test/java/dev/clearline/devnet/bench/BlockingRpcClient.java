package dev.clearline.devnet.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * The benchmarks' JSON-RPC client: the JDK's blocking {@link HttpURLConnection}, which keeps
 * connections alive per thread and answers on the calling thread. The JDK's {@code HttpClient}
 * hands every exchange to its selector thread and back, which on a loaded two-core machine
 * measured the scheduler more than the server, and once failed a run with "header parser
 * received no bytes" when it reused a connection the server had closed.
 *
 * <p>The body is not streamed ({@code setFixedLengthStreamingMode}): a streamed request cannot be
 * sent again, so before reusing a kept-alive connection for one the JDK probes it with a read that
 * waits 1 ms ({@code poll(fd, POLLIN, 1)} in strace) to see whether the server has closed it. That
 * wait was on every request: about 1.1 ms of a 1.2 ms round trip of {@code eth_chainId} against
 * either node, so the benchmark measured its own client (4 threads could not pass ~3,500
 * requests/s whatever the node). Buffered, the JDK writes headers and body at once and reuses the
 * connection without the probe (75 against 1,155 us per {@code eth_chainId} on one thread).
 */
final class BlockingRpcClient {
    private final URL url;

    BlockingRpcClient(String url) {
        try {
            this.url = URI.create(url).toURL();
        } catch (IOException e) {
            throw new IllegalArgumentException("not an RPC URL: " + url, e);
        }
    }

    /** POSTs {@code body}; returns the answer. One retry for a connection the server closed while idle. */
    byte[] post(byte[] body) throws IOException {
        try {
            return once(body);
        } catch (IOException stale) {
            return once(body);
        }
    }

    private byte[] once(byte[] body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = c.getOutputStream()) {
            out.write(body);
        }
        int status = c.getResponseCode();
        InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
        byte[] answer;
        try (in) {
            answer = in == null ? new byte[0] : in.readAllBytes(); // read to the end so the connection is reused
        }
        if (status != 200) throw new IOException("HTTP " + status + ": " + new String(answer, StandardCharsets.UTF_8));
        return answer;
    }
}
