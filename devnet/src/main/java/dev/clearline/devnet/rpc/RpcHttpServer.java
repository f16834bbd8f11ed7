package dev.clearline.devnet.rpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * JSON-RPC over HTTP/1.1 POST and over a WebSocket on the same port ({@link RpcSocket}, with
 * {@code eth_subscribe}), served by Jetty 12's core server (no servlets); 127.0.0.1 unless told
 * otherwise. Jetty does the HTTP: keep-alive, fixed-length and chunked bodies,
 * {@code Expect: 100-continue}, {@code Connection: close}. This class adds what a JSON-RPC
 * endpoint for browser dapps needs: CORS on every answer and preflights, 405 for anything but
 * POST, and a body limit answered with a JSON-RPC error rather than a dropped connection.
 * Jetty was chosen by measurement against Netty and Undertow: bench-results/server-choice.md.
 */
public final class RpcHttpServer implements AutoCloseable {
    /** Bodies above this are refused before parsing: no sane request is larger (a 10,000-call batch is ~1 MB). */
    static final int MAX_BODY = 32 * 1024 * 1024;
    private static final byte[] TOO_LARGE = ("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":"
            + "\"invalid request: the body is larger than " + MAX_BODY + " bytes; split the batch\"}}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] NOT_STARTED = ("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,\"message\":"
            + "\"the devnet failed to start; see its log\"}}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] POST_ONLY = ("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":"
            + "\"invalid request: send JSON-RPC requests with POST\"}}").getBytes(StandardCharsets.UTF_8);

    // Headers every answer carries, encoded once: Jetty copies a pre-encoded field's bytes as they are.
    private static final HttpField ALLOW_ANY_ORIGIN = new PreEncodedHttpField(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    private static final HttpField JSON_CONTENT = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");

    private final Server server;
    private final ServerConnector connector;
    private final String host;

    private RpcHttpServer(Server server, ServerConnector connector, String host) {
        this.server = server;
        this.connector = connector;
        this.host = host;
    }

    /**
     * Starts serving {@code dispatcher} on {@code host:port} (port 0: any free port); at most
     * {@code threads} requests are dispatched at once, whatever the number of connections.
     */
    public static RpcHttpServer start(RpcDispatcher dispatcher, String host, int port, int threads) {
        return start(CompletableFuture.completedFuture(dispatcher), host, port, threads);
    }

    /**
     * Starts serving before the node behind it is up: requests that arrive first wait for
     * {@code dispatcher} (and are refused with a JSON-RPC error if it fails). The devnet starts its
     * HTTP server beside the node this way, so Jetty's start-up and the EVM's overlap.
     */
    public static RpcHttpServer start(CompletableFuture<RpcDispatcher> dispatcher, String host, int port, int threads) {
        // Few threads on purpose: every request ends in the node's lock, so more threads only add switches.
        QueuedThreadPool pool = new QueuedThreadPool(Math.max(8, threads + 4), 2);
        pool.setName("devnet-rpc");
        pool.setDaemon(true);
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        // Two selectors, each running its connections' requests itself (see JsonRpcHandler): two
        // requests can be parsed and answered at once while a third waits for the node's lock.
        ServerConnector connector = new ServerConnector(server, 1, 2, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(1024);
        connector.setReuseAddress(true);
        server.addConnector(connector);
        // WebSocket on the same port, as Hardhat's node and geth serve it: requests and eth_subscribe's notifications
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            // as the HTTP handler: a message is answered on the selector thread that read it (only the node's lock waits);
            // left BLOCKING, the container would make Jetty hand every HTTP request to another thread as well
            container.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
            container.setMaxTextMessageSize(MAX_BODY);
            container.setIdleTimeout(Duration.ofHours(1));
            container.addMapping("/*", (req, resp, cb) -> new RpcSocket(dispatcher));
        });
        ws.setHandler(new JsonRpcHandler(dispatcher, new Semaphore(Math.max(1, threads))));
        server.setHandler(ws);
        server.setStopTimeout(2_000);
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            throw new UncheckedIOException("cannot listen on " + host + ":" + port
                    + " (is another node running there? pick another --port)",
                    e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
        String shownHost;
        try {
            shownHost = InetAddress.getByName(host).getHostAddress();
        } catch (IOException e) {
            shownHost = host;
        }
        return new RpcHttpServer(server, connector, shownHost);
    }

    /**
     * One JSON-RPC body in, one out. Declared non-blocking so that Jetty runs it on the selector
     * thread that parsed the request instead of handing every request to another pooled thread
     * (a thread wake-up per request, which on two busy cores cost more than the request): the body
     * is read asynchronously, and only the node's lock, held briefly, can make the thread wait.
     * A long request (a large batch, a trace) holds up the other connections of its selector meanwhile.
     */
    private static final class JsonRpcHandler extends Handler.Abstract.NonBlocking {
        private final CompletableFuture<RpcDispatcher> dispatcher;
        private final Semaphore dispatching;

        JsonRpcHandler(CompletableFuture<RpcDispatcher> dispatcher, Semaphore dispatching) {
            this.dispatcher = dispatcher;
            this.dispatching = dispatching;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            var headers = response.getHeaders();
            headers.put(ALLOW_ANY_ORIGIN);
            String method = request.getMethod();
            if (HttpMethod.OPTIONS.is(method)) {
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type");
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS");
                headers.put(HttpHeader.ACCESS_CONTROL_MAX_AGE, "86400");
                response.setStatus(HttpStatus.NO_CONTENT_204);
                callback.succeeded();
                return true;
            }
            if (!HttpMethod.POST.is(method)) {
                headers.put(HttpHeader.ALLOW, "POST, OPTIONS");
                answer(response, HttpStatus.METHOD_NOT_ALLOWED_405, POST_ONLY, callback);
                return true;
            }
            if (request.getLength() > MAX_BODY) {
                answer(response, HttpStatus.PAYLOAD_TOO_LARGE_413, TOO_LARGE, callback);
                return true;
            }
            Content.Source.asByteArrayAsync(request, MAX_BODY).whenComplete((body, failure) -> {
                if (failure != null) {
                    if (failure instanceof IOException || failure.getCause() instanceof IOException) {
                        callback.failed(failure); // the client went away mid-body: nothing to answer
                    } else {
                        answer(response, HttpStatus.PAYLOAD_TOO_LARGE_413, TOO_LARGE, callback);
                    }
                    return;
                }
                byte[] result;
                dispatching.acquireUninterruptibly();
                try {
                    RpcDispatcher node;
                    try {
                        node = dispatcher.join(); // at once after start-up; during it, until the node is up
                    } catch (CompletionException | CancellationException e) {
                        answer(response, HttpStatus.SERVICE_UNAVAILABLE_503, NOT_STARTED, callback);
                        return;
                    }
                    result = node.handle(body);
                } catch (RuntimeException e) {
                    callback.failed(e);
                    return;
                } finally {
                    dispatching.release();
                }
                answer(response, HttpStatus.OK_200, result == null ? new byte[0] : result, callback);
            });
            return true;
        }

        private static void answer(Response response, int status, byte[] body, Callback callback) {
            response.setStatus(status);
            response.getHeaders().put(JSON_CONTENT);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    public int port() {
        return connector.getLocalPort();
    }

    public String url() {
        return "http://" + host + ":" + port();
    }

    @Override
    public void close() {
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping releases the port and threads; a failure here leaves nothing to do.
        }
    }
}
