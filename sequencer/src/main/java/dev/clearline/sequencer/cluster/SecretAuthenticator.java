package dev.clearline.sequencer.cluster;

import io.aeron.security.Authenticator;
import io.aeron.security.SessionProxy;
import org.agrona.collections.Long2LongHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

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
    /** At most one log line per this long about refused sessions, however many come: the count says the rest. */
    static final long SAY_EVERY_MS = 60_000;
    private static final byte[] NO_PRINCIPAL = new byte[0];

    private final ClusterSecret secret;
    /** Session id to the time its connect request with the right secret arrived. */
    private final Long2LongHashMap admitted = new Long2LongHashMap(-1);
    /** Connect requests without the secret since the node started: its {@code /metrics} serve it. */
    private final AtomicLong refusals;
    /** When the last line about a refusal was logged (the module's clock), and how many lines so far. */
    private long saidAtMs = -SAY_EVERY_MS;
    private long lines;

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
            // a line per refusal would let a flood fill the disk, and a gateway with the wrong file asks every second:
            // one line a minute at most, with the running count
            if (nowMs - saidAtMs >= SAY_EVERY_MS) {
                saidAtMs = nowMs;
                lines++;
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

    /** How many lines about refused sessions were logged. */
    long linesLogged() {
        return lines;
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
