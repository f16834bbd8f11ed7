package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.ReplyCodec;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.security.AuthenticationException;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongPredicate;

/**
 * A gateway's connection to the cluster: sends commands into the log, hands every reply to a
 * consumer. Not thread-safe: one thread sends and polls (the gateway's cluster thread).
 * Connecting is retried, since a node that just started may not have elected itself yet.
 */
public final class ClusterClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterClient.class);

    private final AeronCluster cluster;
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 16));
    private final IdleStrategy idle = SequencerNode.idle().get();
    private long lastKeepAlive = System.nanoTime();

    private ClusterClient(AeronCluster cluster) {
        this.cluster = cluster;
    }

    public static ClusterClient connect(String aeronDir, ClusterIngress ingress, Consumer<ObjectNode> replies, long timeoutMs)
            throws InterruptedException {
        return connect(aeronDir, ingress, replies, leader -> { }, timeoutMs);
    }

    /**
     * Connects to whichever member leads. When another member takes over, the connection follows
     * it by itself and calls {@code newLeader} (on the polling thread, inside {@link #poll}) with
     * the new leader's member id: commands sent before that may have been lost with the old
     * leader, so the caller sends every unanswered one again, in order, before anything new.
     */
    public static ClusterClient connect(String aeronDir, ClusterIngress ingress, Consumer<ObjectNode> replies, IntConsumer newLeader,
                                        long timeoutMs) throws InterruptedException {
        return connect(aeronDir, ingress, replies, newLeader, clientId -> true, timeoutMs);
    }

    /**
     * As above, but a reply whose {@code clientId} {@code wanted} refuses is dropped before it is
     * decoded. The cluster sends every state-changing reply to every gateway (market data); a
     * gateway nobody subscribed to needs only its own, and decoding the others' JSON was most of a
     * follower gateway's cost per order. A reply whose client cannot be read cheaply is decoded.
     */
    public static ClusterClient connect(String aeronDir, ClusterIngress ingress, Consumer<ObjectNode> replies, IntConsumer newLeader,
                                        LongPredicate wanted, long timeoutMs) throws InterruptedException {
        return connectRaw(aeronDir, ingress, (buffer, offset, length) -> {
            long client = clientIdOf(buffer, offset, length);
            if (client >= 0 && !wanted.test(client)) return;
            byte[] b = new byte[length];
            buffer.getBytes(offset, b);
            try {
                replies.accept(ReplyCodec.decode(b, 0, length));
            } catch (IOException e) {
                log.warn("event=bad_reply error=\"{}\"", e.getMessage());
            }
        }, newLeader, timeoutMs);
    }

    /** Receives each reply's bytes as they arrived; they are valid only during the call (the gateway forwards them undecoded). */
    @FunctionalInterface
    public interface RawReplies {
        void onReply(DirectBuffer buffer, int offset, int length);
    }

    /** As above, but every reply is handed over as bytes, undecoded: the caller reads what it needs off them. */
    public static ClusterClient connectRaw(String aeronDir, ClusterIngress ingress, RawReplies replies, IntConsumer newLeader,
                                           long timeoutMs) throws InterruptedException {
        EgressListener listener = new EgressListener() {
            @Override
            public void onMessage(long sessionId, long timestamp, DirectBuffer buffer, int offset, int length, Header header) {
                replies.onReply(buffer, offset, length);
            }

            @Override
            public void onNewLeader(long clusterSessionId, long leadershipTermId, int leaderMemberId, String ingressEndpoints) {
                log.info("event=new_leader member={} term={}", leaderMemberId, leadershipTermId);
                newLeader.accept(leaderMemberId);
            }
        };
        // saturating: a caller waiting "forever" passes Long.MAX_VALUE, which plain addition turns into a past deadline
        long now = System.currentTimeMillis();
        long deadline = timeoutMs > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + timeoutMs;
        while (true) {
            try {
                boolean local = ingress.isSameDriver();
                AeronCluster c = AeronCluster.connect(new AeronCluster.Context()
                        .aeronDirectoryName(aeronDir)
                        .credentialsSupplier(ingress.secret().credentials())
                        .ingressChannel(local ? "aeron:ipc?term-length=1m" : "aeron:udp?term-length=1m")
                        .ingressEndpoints(local ? null : ingress.endpoints())
                        .egressChannel(local ? "aeron:ipc?term-length=64m" : "aeron:udp?endpoint=localhost:0|term-length=64m|sparse=true")
                        .egressListener(listener)
                        .messageTimeoutNs(5_000_000_000L));
                return new ClusterClient(c);
            } catch (AuthenticationException e) {
                // another try would meet the same secret: say so now rather than at the deadline
                throw new SecretRefused("the cluster refused this client's secret (fingerprint " + ingress.secret().fingerprint()
                        + "): give it the --cluster-secret-file the members were started with", e);
            } catch (RuntimeException e) {
                if (System.currentTimeMillis() > deadline) throw e;
                log.info("event=cluster_connect_retry reason=\"{}\"", e.getMessage());
                Thread.sleep(250);
            }
        }
    }

    /** The cluster's leader refused the secret this client presented: trying again changes nothing until one of them is restarted. */
    public static final class SecretRefused extends IllegalStateException {
        SecretRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final byte[] CLIENT_ID_FIELD = "\"clientId\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** {@code clientId} is the second field of every reply ({@link ReplyCodec}), within its first bytes. */
    private static final int CLIENT_ID_SCAN = 64;

    /** The reply's {@code clientId} read off its bytes without decoding it, or -1 when it is not where replies put it. */
    static long clientIdOf(DirectBuffer buffer, int offset, int length) {
        int end = offset + Math.min(length, CLIENT_ID_SCAN);
        outer:
        for (int i = offset; i + CLIENT_ID_FIELD.length < end; i++) {
            for (int k = 0; k < CLIENT_ID_FIELD.length; k++) {
                if (buffer.getByte(i + k) != CLIENT_ID_FIELD[k]) continue outer;
            }
            long v = 0;
            int digits = 0;
            for (int j = i + CLIENT_ID_FIELD.length; j < offset + length && digits < 19; j++, digits++) {
                byte c = buffer.getByte(j);
                if (c < '0' || c > '9') break;
                v = v * 10 + (c - '0');
            }
            int next = i + CLIENT_ID_FIELD.length + digits;
            return digits > 0 && next < offset + length && (buffer.getByte(next) == ',' || buffer.getByte(next) == '}') ? v : -1;
        }
        return -1;
    }

    /** Offers one command; false when the cluster pushed back (the caller retries after polling). */
    public boolean offer(Command c) {
        byte[] b = CommandCodec.encode(c);
        out.putBytes(0, b);
        return cluster.offer(out, 0, b.length) > 0;
    }

    /** Offers a message that is not a command (a {@link dev.clearline.sequencer.command.StreamWish}); false on back pressure. */
    public boolean offer(byte[] message) {
        out.putBytes(0, message);
        return cluster.offer(out, 0, message.length) > 0;
    }

    /** Offers until accepted, polling replies meanwhile. */
    public void send(Command c) {
        idle.reset();
        while (!offer(c)) {
            if (cluster.isClosed()) throw new IllegalStateException("the cluster connection is closed");
            idle.idle(poll());
        }
    }

    /** Delivers waiting replies; returns how many fragments it read. */
    public int poll() {
        long now = System.nanoTime();
        if (now - lastKeepAlive > 1_000_000_000L) {
            cluster.sendKeepAlive();
            lastKeepAlive = now;
        }
        return cluster.pollEgress();
    }

    /** The member that leads as far as this connection knows. */
    public int leaderMemberId() {
        return cluster.leaderMemberId();
    }

    public boolean isClosed() {
        return cluster.isClosed();
    }

    @Override
    public void close() {
        cluster.close();
    }
}
