package dev.clearline.sequencer.cluster;

import java.util.Objects;

/**
 * What a client needs to open a session with the cluster: where its members take commands and the
 * secret they admit sessions with.
 *
 * @param endpoints every member's ingress, {@code id=host:port,...}, or {@link #SAME_DRIVER}
 * @param secret    the cluster's {@link ClusterSecret}
 */
public record ClusterIngress(String endpoints, ClusterSecret secret) {
    /**
     * The endpoints of a cluster that is a single member on the client's own media driver (the node's
     * gateway in the same JVM): commands and replies then go through shared memory, not UDP through
     * the driver's sender and receiver (two datagrams and their system calls per order saved). Only
     * for a single member: with several, the leader may be elsewhere.
     */
    public static final String SAME_DRIVER = "ipc";

    public ClusterIngress {
        Objects.requireNonNull(endpoints, "ingress endpoints");
        Objects.requireNonNull(secret, "cluster secret");
    }

    /** The single member on this client's media driver ({@link #SAME_DRIVER}). */
    public static ClusterIngress sameDriver(ClusterSecret secret) {
        return new ClusterIngress(SAME_DRIVER, secret);
    }

    public boolean isSameDriver() {
        return SAME_DRIVER.equals(endpoints);
    }
}
