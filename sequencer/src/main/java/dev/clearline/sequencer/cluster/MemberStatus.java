package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.state.StateVitals;
import io.aeron.cluster.service.Cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one member holds, read on its service thread: its role, the seq of the last command it
 * applied, its state root and the log position it reached. Members that applied the same log
 * prefix have the same seq and root; comparing them is how tests and operators see agreement.
 * {@code clientSessions} counts the cluster client sessions (gateways) this member knows open: a
 * number that only grows means sessions of dead gateways are not being timed out. {@code vitals}
 * are the state's own figures (L1's progress, what waits for a batch, its size: {@link StateVitals}).
 */
public record MemberStatus(int memberId, Cluster.Role role, long seq, String stateRoot, long logPosition, int clientSessions,
                           StateVitals vitals) {
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("member", memberId);
        m.put("role", role.name());
        m.put("seq", seq);
        m.put("stateRoot", stateRoot);
        m.put("logPosition", logPosition);
        m.put("clientSessions", clientSessions);
        m.put("time", vitals.time());
        m.put("sealedBatches", vitals.sealedBatches());
        m.put("batchesPosted", vitals.batchesPosted());
        m.put("batchesFinal", vitals.batchesFinal());
        m.put("openTransitions", vitals.openTransitions());
        m.put("priorityOpsConsumed", vitals.priorityOpsConsumed());
        m.put("leaves", vitals.leaves());
        m.put("postingHalted", vitals.postingHalted());
        return m;
    }
}
