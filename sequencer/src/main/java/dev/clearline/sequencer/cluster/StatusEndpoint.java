package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.TimeUnit;

/**
 * One member's own view over HTTP, {@code GET /member}: its id, role, seq, state root and log
 * position as this member holds them (the trader API's {@code /state} goes through the log and is
 * always the leader's answer). For health checks, load balancers that send traders to a live
 * member, and the replication tests, which compare every member's root.
 */
public final class StatusEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Server server;

    public StatusEndpoint(SequencerNode node, String host, int port) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(4, 1);
        threads.setName("member-status");
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                int status = 200;
                Object body;
                if (!"GET".equals(request.getMethod()) || !"/member".equals(path)) {
                    status = 404;
                    body = Map.of("error", "NOT_FOUND", "message", "this port serves only GET /member");
                } else {
                    try {
                        body = node.status().get(5, TimeUnit.SECONDS).toMap();
                    } catch (Exception e) {
                        status = 503;
                        body = Map.of("error", "NOT_READY", "message", "the member's service did not answer (" + e + "); it may be starting or replaying");
                    }
                }
                response.setStatus(status);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                Content.Sink.write(response, true, JSON.writeValueAsString(body), callback);
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
