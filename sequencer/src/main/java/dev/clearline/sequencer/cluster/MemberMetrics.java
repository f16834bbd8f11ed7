package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.metrics.MetricsText;
import dev.clearline.sequencer.state.StateVitals;

import java.util.Locale;

/**
 * A member's figures in Prometheus' text format ({@code GET /metrics} on the status port), for the dashboards and
 * alerts an operator keeps: whether the member leads and applies the log, how far it applied it, how far L1 took it,
 * what waits for the next batch, snapshots, the heap. The figures of the state are those of {@link MemberStatus}, read
 * on the service thread; when the service does not answer (starting, replaying, stopped) only the node's own figures
 * are given, with {@code clearline_service_answering 0}.
 */
final class MemberMetrics {
    /** What the node knows without its service: who it is, what it ran into, its snapshots, its heap. */
    record NodeFacts(int member, int rules, long snapshots, boolean stopped, boolean terminated, long heapUsed, long heapMax, long sessionsRefused) {}

    private MemberMetrics() {}

    /** The exposition for {@code node}, with {@code status} when the service answered (else null), then what {@code more} adds. */
    static String render(NodeFacts node, MemberStatus status, java.util.function.Consumer<MetricsText> more) {
        MetricsText m = new MetricsText();
        m.gauge("clearline_service_answering", "1 when this member's service answered the status read, 0 while it starts, replays or has stopped",
                status == null ? 0 : 1);
        m.gauge("clearline_service_stopped", "1 once this member stopped applying the log (settings, rules, a snapshot or a command it cannot apply: see its log)",
                node.stopped() ? 1 : 0);
        m.gauge("clearline_cluster_terminated", "1 once the cluster stopped this member on purpose (--stop), after a snapshot", node.terminated() ? 1 : 0);
        m.counter("clearline_snapshots_total", "snapshots this member took since its process started", node.snapshots());
        m.counter("clearline_cluster_sessions_refused_total", "client sessions this member's consensus module refused for want of the cluster's secret"
                + " (a gateway given another --cluster-secret-file, or someone who reached a member's ingress)", node.sessionsRefused());
        m.gauge("clearline_heap_used_bytes", "heap in use in this member's JVM", node.heapUsed());
        m.gauge("clearline_heap_max_bytes", "the largest heap this member's JVM may use", node.heapMax());
        if (status != null) {
            StateVitals v = status.vitals();
            m.info("clearline_member_info", "this member: its id, its role in the cluster and the rules version it applies",
                    "member", Integer.toString(node.member()), "role", status.role().name(), "rules", Integer.toString(node.rules()));
            m.gauge("clearline_leader", "1 while this member leads the cluster", status.role() == io.aeron.cluster.service.Cluster.Role.LEADER ? 1 : 0);
            m.gauge("clearline_seq", "the seq of the last command this member applied (the same on every member that applied the same log)", status.seq());
            m.gauge("clearline_log_position_bytes", "the log position this member reached", status.logPosition());
            m.gauge("clearline_client_sessions", "cluster client sessions (gateways) this member knows open", status.clientSessions());
            m.gauge("clearline_command_time_seconds", "the latest clock a command carried (unix seconds): time() minus this is how far the log lags",
                    v.time());
            m.counter("clearline_batches_sealed_total", "batches sealed from the log", v.sealedBatches());
            m.counter("clearline_batches_posted_total", "batches L1 took, as the log reports it", v.batchesPosted());
            m.counter("clearline_batches_final_total", "batches L1 finalized, as the log reports it", v.batchesFinal());
            m.gauge("clearline_batch_backlog", "batches sealed and not yet posted on L1", Math.max(0, v.sealedBatches() - v.batchesPosted()));
            m.gauge("clearline_open_transitions", "transitions waiting for the next batch", v.openTransitions());
            m.counter("clearline_priority_ops_consumed_total", "L1 priority operations (deposits, forced operations) applied", v.priorityOpsConsumed());
            m.gauge("clearline_state_leaves", "leaves in the state tree", v.leaves());
            m.gauge("clearline_posting_halted", "1 while the batch poster is halted for an operator to fix (the trader API refuses new orders)",
                    v.postingHalted() ? 1 : 0);
        }
        more.accept(m);
        return m.toString();
    }
}
