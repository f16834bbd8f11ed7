package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.ReplyCodec;
import io.aeron.cluster.client.AeronCluster;
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

/**
 * A gateway's connection to the cluster: sends commands into the log, hands every reply to a
 * consumer. Not thread-safe: one thread sends and polls (the gateway's cluster thread).
 * Connecting is retried, since a node that just started may not have elected itself yet.
 */
public final class ClusterClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterClient.class);

    /**
     * Pass as the ingress endpoints when the cluster is a single member on this client's own media
     * driver (the node's gateway in the same JVM): commands and replies then go through shared
     * memory, not UDP through the driver's sender and receiver (two datagrams and their system
     * calls per order saved). Only for a single member: with several, the leader may be elsewhere.
     */
    public static final String SAME_DRIVER = "ipc";

    private final AeronCluster cluster;
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 16));
    private final IdleStrategy idle = SequencerNode.idle().get();
    private long lastKeepAlive = System.nanoTime();

    private ClusterClient(AeronCluster cluster) {
        this.cluster = cluster;
    }

    public static ClusterClient connect(String aeronDir, String ingressEndpoints, Consumer<ObjectNode> replies, long timeoutMs)
            throws InterruptedException {
        return connect(aeronDir, ingressEndpoints, replies, leader -> { }, timeoutMs);
    }

    /**
     * Connects to whichever member leads. When another member takes over, the connection follows
     * it by itself and calls {@code newLeader} (on the polling thread, inside {@link #poll}) with
     * the new leader's member id: commands sent before that may have been lost with the old
     * leader, so the caller sends every unanswered one again, in order, before anything new.
     */
    public static ClusterClient connect(String aeronDir, String ingressEndpoints, Consumer<ObjectNode> replies, IntConsumer newLeader,
                                        long timeoutMs) throws InterruptedException {
        EgressListener listener = new EgressListener() {
            @Override
            public void onMessage(long sessionId, long timestamp, DirectBuffer buffer, int offset, int length, Header header) {
                byte[] b = new byte[length];
                buffer.getBytes(offset, b);
                try {
                    replies.accept(ReplyCodec.decode(b, 0, length));
                } catch (IOException e) {
                    log.warn("event=bad_reply error=\"{}\"", e.getMessage());
                }
            }

            @Override
            public void onNewLeader(long clusterSessionId, long leadershipTermId, int leaderMemberId, String ingressEndpoints) {
                log.info("event=new_leader member={} term={}", leaderMemberId, leadershipTermId);
                newLeader.accept(leaderMemberId);
            }
        };
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                boolean local = SAME_DRIVER.equals(ingressEndpoints);
                AeronCluster c = AeronCluster.connect(new AeronCluster.Context()
                        .aeronDirectoryName(aeronDir)
                        .ingressChannel(local ? "aeron:ipc?term-length=1m" : "aeron:udp?term-length=1m")
                        .ingressEndpoints(local ? null : ingressEndpoints)
                        .egressChannel(local ? "aeron:ipc?term-length=64m" : "aeron:udp?endpoint=localhost:0|term-length=64m|sparse=true")
                        .egressListener(listener)
                        .messageTimeoutNs(5_000_000_000L));
                return new ClusterClient(c);
            } catch (RuntimeException e) {
                if (System.currentTimeMillis() > deadline) throw e;
                log.info("event=cluster_connect_retry reason=\"{}\"", e.getMessage());
                Thread.sleep(250);
            }
        }
    }

    /** Offers one command; false when the cluster pushed back (the caller retries after polling). */
    public boolean offer(Command c) {
        byte[] b = CommandCodec.encode(c);
        out.putBytes(0, b);
        return cluster.offer(out, 0, b.length) > 0;
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
