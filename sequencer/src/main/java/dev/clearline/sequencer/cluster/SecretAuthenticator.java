package dev.clearline.sequencer.cluster;

import io.aeron.security.Authenticator;
import io.aeron.security.SessionProxy;
import org.agrona.collections.Long2LongHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a client session into the cluster only when it presented the {@link ClusterSecret}. Aeron
 * calls it on the consensus module's thread: first with the credentials of a connect request (or a
 * backup's query), later, once the session can be answered, to decide it. Only sessions that
 * presented the secret are remembered between the two calls, so a flood of wrong attempts costs no
 * memory; a remembered one whose decision never comes is forgotten after {@link #FORGET_AFTER_MS}.
 */
final class SecretAuthenticator implements Authenticator {
    private static final Logger log = LoggerFactory.getLogger(SecretAuthenticator.class);
    /** Longer than Aeron waits for a new session to be answered before it drops it. */
    static final long FORGET_AFTER_MS = 60_000;
    private static final byte[] NO_PRINCIPAL = new byte[0];

    private final ClusterSecret secret;
    /** Session id to the time its connect request with the right secret arrived. */
    private final Long2LongHashMap admitted = new Long2LongHashMap(-1);
    /** Connect requests without the secret since the node started: its {@code /metrics} serve it. */
    private final AtomicLong refusals;

    SecretAuthenticator(ClusterSecret secret, AtomicLong refusals) {
        this.secret = secret;
        this.refusals = refusals;
    }

    @Override
    public void onConnectRequest(long sessionId, byte[] encodedCredentials, long nowMs) {
        forgetOlderThan(nowMs - FORGET_AFTER_MS);
        if (secret.matches(encodedCredentials)) {
            admitted.put(sessionId, nowMs);
        } else {
            long refused = refusals.incrementAndGet();
            // a log line per refusal would let the flood fill the disk; the first and then every thousandth is enough to see it
            if (refused == 1 || refused % 1000 == 0) {
                log.warn("event=cluster_session_refused session={} refused_total={} reason=\"{}\" hint=\"a client without this cluster's secret "
                        + "tried to connect: give gateways and members the same --cluster-secret-file, and keep the members' ports private\"",
                        sessionId, refused, encodedCredentials == null || encodedCredentials.length == 0 ? "no secret" : "wrong secret");
            }
        }
    }

    @Override
    public void onChallengeResponse(long sessionId, byte[] encodedCredentials, long nowMs) {
        // never challenged: an answer nobody asked for admits nothing
    }

    @Override
    public void onConnectedSession(SessionProxy proxy, long nowMs) {
        long id = proxy.sessionId();
        if (admitted.get(id) == -1) {
            proxy.reject();
        } else if (proxy.authenticate(NO_PRINCIPAL)) {
            admitted.remove(id);
        } // else: the answer could not be sent yet; Aeron asks again
    }

    @Override
    public void onChallengedSession(SessionProxy proxy, long nowMs) {
        admitted.remove(proxy.sessionId());
        proxy.reject();
    }

    /** How many connect requests came without the secret since the module started. */
    long refused() {
        return refusals.get();
    }

    /** How many admitted sessions wait for their decision (bounded by what holders of the secret ask for). */
    int waiting() {
        return admitted.size();
    }

    private void forgetOlderThan(long cutoffMs) {
        if (admitted.isEmpty()) return;
        admitted.entrySet().removeIf(e -> e.getValue() < cutoffMs);
    }
}
