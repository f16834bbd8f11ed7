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
 * member, and the replication tests, which compare every member's root. {@code GET /metrics} gives
 * the same figures and the node's own in Prometheus' text format ({@link MemberMetrics}).
 */
public final class StatusEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Server server;

    public StatusEndpoint(SequencerNode node, String host, int port) throws Exception {
        this(node, host, port, m -> { });
    }

    /** As above, {@code more} adding its own figures to {@code /metrics} (the L1 side's, on a node that has one). */
    public StatusEndpoint(SequencerNode node, String host, int port, java.util.function.Consumer<MetricsText> more) throws Exception {
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
                if ("GET".equals(request.getMethod()) && "/metrics".equals(path)) {
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    Content.Sink.write(response, true, metrics(node, more), callback);
                    return true;
                }
                if (!"GET".equals(request.getMethod()) || !"/member".equals(path)) {
                    status = 404;
                    body = Map.of("error", "NOT_FOUND", "message", "this port serves only GET /member and GET /metrics");
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

    /** The member's metrics: its service's figures when it answers within a second, the node's own always. */
    private static String metrics(SequencerNode node, java.util.function.Consumer<MetricsText> more) {
        MemberStatus status;
        try {
            status = node.status().get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            status = null; // starting, replaying or stopped: clearline_service_answering says so
        }
        Runtime rt = Runtime.getRuntime();
        return MemberMetrics.render(new MemberMetrics.NodeFacts(node.config().memberId(), node.config().rules(), node.snapshotCount(),
                node.stopped().isDone(), node.terminated().isDone(), rt.totalMemory() - rt.freeMemory(), rt.maxMemory()), status, more);
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
