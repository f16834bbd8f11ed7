package dev.clearline.devnet.rpc;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * JSON-RPC over HTTP/1.1 POST; 127.0.0.1 unless told otherwise.
 *
 * <p>A blocking thread per keep-alive connection rather than the JDK's {@code HttpServer}: that
 * server hands every exchange from its selector thread to a worker and back (a selector wake-up
 * and two thread switches per request), which cost more than most RPC methods themselves on a
 * two-core machine. Here a request is read, answered and written on one thread. Only what
 * JSON-RPC clients send is understood: fixed-length or chunked bodies, {@code Expect:
 * 100-continue}, keep-alive and {@code Connection: close}.
 */
public final class RpcHttpServer implements AutoCloseable {
    /** Bodies above this are refused before parsing: no sane request is larger. */
    private static final int MAX_BODY = 32 * 1024 * 1024;
    /** A request line or header longer than this is not from an RPC client. */
    private static final int MAX_LINE = 64 * 1024;
    private static final byte[] CORS = ("Access-Control-Allow-Origin: *\r\n"
            + "Access-Control-Allow-Headers: Content-Type\r\nAccess-Control-Allow-Methods: POST, OPTIONS\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);

    private final RpcDispatcher dispatcher;
    private final ServerSocket listener;
    private final Semaphore dispatching;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private RpcHttpServer(RpcDispatcher dispatcher, ServerSocket listener, int threads) {
        this.dispatcher = dispatcher;
        this.listener = listener;
        this.dispatching = new Semaphore(Math.max(1, threads));
        this.acceptor = new Thread(this::acceptLoop, "devnet-rpc-accept");
        this.acceptor.setDaemon(true);
    }

    /**
     * Starts serving {@code dispatcher} on {@code host:port} (port 0: any free port); at most
     * {@code threads} requests are dispatched at once, whatever the number of connections.
     */
    public static RpcHttpServer start(RpcDispatcher dispatcher, String host, int port, int threads) {
        ServerSocket listener;
        try {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port
                    + " (is another node running there? pick another --port)", e);
        }
        RpcHttpServer server = new RpcHttpServer(dispatcher, listener, threads);
        server.acceptor.start();
        return server;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (closed) return;
                continue; // a connection that failed while being accepted: keep serving the others
            }
            connections.add(socket);
            Thread t = new Thread(() -> serveConnection(socket), "devnet-rpc");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serveConnection(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            while (!closed && serveOne(in, out)) {
                out.flush();
            }
            out.flush();
        } catch (IOException e) {
            // The client went away mid-request: nothing to answer.
        } finally {
            connections.remove(socket);
        }
    }

    /** Reads and answers one request; false when the connection should close. */
    private boolean serveOne(InputStream in, OutputStream out) throws IOException {
        String requestLine = readLine(in);
        while (requestLine != null && requestLine.isEmpty()) requestLine = readLine(in); // tolerated between requests
        if (requestLine == null) return false;
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            respond(out, 400, "Bad Request", "{\"error\":\"not an HTTP/1.x request line\"}", false);
            return false;
        }
        String method = parts[0];
        boolean keepAlive = parts[2].equals("HTTP/1.1");
        long contentLength = -1;
        boolean chunked = false;
        boolean expectContinue = false;
        for (String header = readLine(in); ; header = readLine(in)) {
            if (header == null) return false;
            if (header.isEmpty()) break;
            int colon = header.indexOf(':');
            if (colon <= 0) continue;
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        respond(out, 400, "Bad Request", "{\"error\":\"Content-Length is not a number\"}", false);
                        return false;
                    }
                }
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> {
                    String v = value.toLowerCase(Locale.ROOT);
                    if (v.contains("close")) keepAlive = false;
                    else if (v.contains("keep-alive")) keepAlive = true;
                }
                case "expect" -> expectContinue = value.equalsIgnoreCase("100-continue");
                default -> { }
            }
        }
        if (method.equals("OPTIONS")) {
            respond(out, 204, "No Content", (byte[]) null, keepAlive);
            return skipBody(in, contentLength, chunked) && keepAlive;
        }
        if (!method.equals("POST")) {
            respond(out, 405, "Method Not Allowed", "{\"error\":\"send JSON-RPC requests with POST\"}", keepAlive);
            return skipBody(in, contentLength, chunked) && keepAlive;
        }
        if (contentLength > MAX_BODY) {
            respond(out, 413, "Payload Too Large",
                    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"request body too large\"}}", false);
            return false;
        }
        if (expectContinue) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body = chunked ? readChunked(in) : in.readNBytes((int) Math.max(0, contentLength));
        if (body == null) {
            respond(out, 413, "Payload Too Large",
                    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"request body too large\"}}", false);
            return false;
        }
        if (!chunked && body.length < contentLength) return false; // cut off mid-body
        byte[] answer;
        dispatching.acquireUninterruptibly();
        try {
            answer = dispatcher.handle(body);
        } finally {
            dispatching.release();
        }
        respond(out, 200, "OK", answer == null ? new byte[0] : answer, keepAlive);
        return keepAlive;
    }

    private static boolean skipBody(InputStream in, long contentLength, boolean chunked) throws IOException {
        if (chunked) return readChunked(in) != null;
        if (contentLength > MAX_BODY) return false;
        if (contentLength > 0) in.skipNBytes(contentLength);
        return true;
    }

    /** A chunked body, or null when it is larger than {@link #MAX_BODY}. */
    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) throw new IOException("connection closed inside a chunked body");
            int semicolon = sizeLine.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size line: " + sizeLine);
            }
            if (size == 0) {
                while (true) { // trailers up to the blank line
                    String trailer = readLine(in);
                    if (trailer == null || trailer.isEmpty()) return body.toByteArray();
                }
            }
            if (body.size() + (long) size > MAX_BODY) return null;
            body.write(in.readNBytes(size));
            readLine(in);
        }
    }

    /** One CRLF- (or LF-) terminated ISO-8859-1 line without its terminator; null at end of stream. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) return line.isEmpty() ? null : line.toString();
            if (b == '\n') {
                int n = line.length();
                if (n > 0 && line.charAt(n - 1) == '\r') line.setLength(n - 1);
                return line.toString();
            }
            if (line.length() >= MAX_LINE) throw new IOException("header line longer than " + MAX_LINE + " bytes");
            line.append((char) b);
        }
    }

    private static void respond(OutputStream out, int status, String reason, String body, boolean keepAlive) throws IOException {
        respond(out, status, reason, body == null ? null : body.getBytes(StandardCharsets.UTF_8), keepAlive);
    }

    private static void respond(OutputStream out, int status, String reason, byte[] body, boolean keepAlive) throws IOException {
        StringBuilder head = new StringBuilder(160).append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        if (body != null) {
            head.append("Content-Type: application/json\r\n");
        }
        if (status != 204) head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
        if (!keepAlive) head.append("Connection: close\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(CORS);
        out.write('\r');
        out.write('\n');
        if (body != null) out.write(body);
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String url() {
        return "http://" + listener.getInetAddress().getHostAddress() + ":" + port();
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // Already closed: nothing to release.
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException e) {
                // The connection is going away either way.
            }
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
