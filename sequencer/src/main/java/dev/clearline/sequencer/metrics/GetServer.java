package dev.clearline.sequencer.metrics;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.util.Map;
import java.util.function.Supplier;

/**
 * A small HTTP server (Jetty) that answers {@code GET} on a few fixed paths, each from a supplier read per request: the
 * status and metrics ports of a sequencer member and of a watcher. Anything else is a 404 that names the paths it
 * serves. Its threads are few and its own: a scrape never competes with a trader's request.
 */
public final class GetServer implements AutoCloseable {
    /** One answer: its HTTP status, content type and body. */
    public record Answer(int status, String contentType, String body) {
        public static final String JSON = "application/json";
        /** Prometheus' text exposition format. */
        public static final String METRICS = "text/plain; version=0.0.4; charset=utf-8";
    }

    private final Server server;

    /** Serves {@code routes} (path to answer) on {@code host:port} (0: any free port), named {@code name} in thread dumps. */
    public GetServer(String name, String host, int port, Map<String, Supplier<Answer>> routes) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(4, 1);
        threads.setName(name);
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        String served = String.join(" and ", routes.keySet().stream().sorted().map(p -> "GET " + p).toList());
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Supplier<Answer> route = "GET".equals(request.getMethod()) ? routes.get(Request.getPathInContext(request)) : null;
                Answer a = route != null ? route.get()
                        : new Answer(404, Answer.JSON, "{\"error\":\"NOT_FOUND\",\"message\":\"this port serves only " + served + "\"}");
                response.setStatus(a.status());
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, a.contentType());
                Content.Sink.write(response, true, a.body(), callback);
                return true;
            }
        });
        server.start();
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
