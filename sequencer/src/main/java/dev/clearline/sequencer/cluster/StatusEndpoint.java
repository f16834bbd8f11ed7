package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.sequencer.metrics.GetServer;
import dev.clearline.sequencer.metrics.MetricsText;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One member's own view over HTTP, {@code GET /member}: its id, role, seq, state root and log
 * position as this member holds them (the trader API's {@code /state} goes through the log and is
 * always the leader's answer). For health checks, load balancers that send traders to a live
 * member, and the replication tests, which compare every member's root. {@code GET /metrics} gives
 * the same figures and the node's own in Prometheus' text format ({@link MemberMetrics}).
 */
public final class StatusEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final GetServer server;

    public StatusEndpoint(SequencerNode node, String host, int port) throws Exception {
        this(node, host, port, m -> { });
    }

    /** As above, {@code more} adding its own figures to {@code /metrics} (the L1 side's, on a node that has one). */
    public StatusEndpoint(SequencerNode node, String host, int port, Consumer<MetricsText> more) throws Exception {
        server = new GetServer("member-status", host, port, Map.of("/member", () -> member(node), "/metrics",
                () -> new GetServer.Answer(200, GetServer.Answer.METRICS, metrics(node, more))));
    }

    private static GetServer.Answer member(SequencerNode node) {
        int status = 200;
        Object body;
        try {
            body = node.status().get(5, TimeUnit.SECONDS).toMap();
        } catch (Exception e) {
            status = 503;
            body = Map.of("error", "NOT_READY", "message", "the member's service did not answer (" + e + "); it may be starting or replaying");
        }
        try {
            return new GetServer.Answer(status, GetServer.Answer.JSON, JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of plain values always writes", e);
        }
    }

    /** The member's metrics: its service's figures when it answers within a second, the node's own always. */
    private static String metrics(SequencerNode node, Consumer<MetricsText> more) {
        MemberStatus status;
        try {
            status = node.status().get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            status = null; // starting, replaying or stopped: clearline_service_answering says so
        }
        Runtime rt = Runtime.getRuntime();
        return MemberMetrics.render(new MemberMetrics.NodeFacts(node.config().memberId(), node.config().rules(), node.snapshotCount(),
                node.stopped().isDone(), node.terminated().isDone(), rt.totalMemory() - rt.freeMemory(), rt.maxMemory(),
                node.sessionsRefused()), status, more);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
