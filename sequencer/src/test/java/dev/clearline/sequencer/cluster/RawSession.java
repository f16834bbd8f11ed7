package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.sequencer.command.ReplyCodec;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;

/**
 * A bare cluster session for tests that need to see exactly which replies reach one session: its
 * own egress stream, every reply decoded into a list as it is polled.
 */
final class RawSession {
    private RawSession() {}

    /**
     * A client context on {@code node}'s media driver, replies on {@code egressStreamId} (a small
     * 64 KB term, its own) decoded into {@code sink}. The ingress settings are the gateway's:
     * IPC publications are shared per stream.
     */
    static AeronCluster.Context context(SequencerNode node, int egressStreamId, List<ObjectNode> sink) {
        EgressListener listener = new EgressListener() {
            @Override
            public void onMessage(long sessionId, long timestamp, DirectBuffer buffer, int offset, int length, Header header) {
                byte[] b = new byte[length];
                buffer.getBytes(offset, b);
                try {
                    sink.add(ReplyCodec.decode(b, 0, length));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        };
        return new AeronCluster.Context()
                .aeronDirectoryName(node.config().aeronDir())
                .credentialsSupplier(node.config().secret().credentials())
                .ingressChannel("aeron:ipc?term-length=1m")
                .egressChannel("aeron:ipc?term-length=64k")
                .egressStreamId(egressStreamId)
                .egressListener(listener)
                .messageTimeoutNs(TimeUnit.SECONDS.toNanos(10));
    }
}
