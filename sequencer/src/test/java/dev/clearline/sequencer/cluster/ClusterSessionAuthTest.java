package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.security.AuthenticationException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real node admits a client session only with the cluster's secret: a client on the member's UDP ingress (anyone who
 * reaches the port) or on its media driver (anyone on the machine) without it, or with another secret, gets no session
 * and so cannot write to the log; the node's own kind of client with the secret connects and is served, before and after,
 * and so does one presenting the second secret the node admits (a rotation's middle step).
 */
class ClusterSessionAuthTest {
    static final Market M = new Market(3);
    static final long CLIENT = 11;

    @TempDir
    Path dir;

    private static AeronCluster.Context bare(NodeConfig config, boolean udp) {
        AeronCluster.Context ctx = new AeronCluster.Context()
                .aeronDirectoryName(config.aeronDir())
                .messageTimeoutNs(TimeUnit.SECONDS.toNanos(10))
                .egressListener((sessionId, timestamp, buffer, offset, length, header) -> { });
        return udp
                ? ctx.ingressChannel("aeron:udp?term-length=64k").ingressEndpoints(config.ingressEndpoints()).egressChannel("aeron:udp?endpoint=localhost:0")
                : ctx.ingressChannel("aeron:ipc?term-length=64k").egressChannel("aeron:ipc?term-length=64k").egressStreamId(1_201);
    }

    @Test
    void onlyAClientWithTheClustersSecretGetsASessionAndTheLogTakesNothingFromTheOthers() throws Exception {
        // the node presents its own secret and admits a second one as well, as every member does in the middle of a rotation
        ClusterSecret next = ClusterSecret.parse("7a".repeat(ClusterSecret.BYTES));
        NodeConfig rotating = NodeConfig.ephemeral(dir, Market.GENESIS);
        rotating = rotating.withSecret(rotating.secret().alsoAdmitting(next));
        try (SequencerNode node = SequencerNode.start(rotating, new NativeSecp256k1Verifier())) {
            NodeConfig config = node.config();
            List<Command> opening = new ArrayList<>(M.opening(CLIENT));
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                for (Command c : opening) client.send(c);
                SequencerClusterTest.awaitPolling(client, () -> in.size() >= opening.size());
            }
            long seq = opening.size();

            // no secret: Aeron's own client, as anyone could run it, on the UDP ingress and on the node's driver
            for (boolean udp : new boolean[]{true, false}) {
                assertThatThrownBy(() -> {
                    try (AeronCluster c = AeronCluster.connect(bare(config, udp))) {
                        // had it been let in, this order would be in the log
                        byte[] b = CommandCodec.encode(M.flow(CLIENT + 1, 1, 1, new java.util.Random(1)).getFirst());
                        c.offer(new UnsafeBuffer(b), 0, b.length);
                    }
                }).as(udp ? "over UDP" : "over the node's driver").isInstanceOf(AuthenticationException.class);
            }
            // another secret: refused at once, with what to do, not retried until the deadline
            ClusterIngress wrong = new ClusterIngress(config.ingressEndpoints(), ClusterSecret.parse("0d".repeat(ClusterSecret.BYTES)));
            assertThatThrownBy(() -> ClusterClient.connect(config.aeronDir(), wrong, in::add, 30_000).close())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the cluster refused this client's secret (fingerprint " + wrong.secret().fingerprint() + ")")
                    .hasMessageContaining("--cluster-secret-file");

            assertThat(node.sessionsRefused()).as("the sessions refused, counted for /metrics").isEqualTo(3);

            // a gateway already on the rotation's next secret is let in (a member restarted with the new secret first)
            in.clear();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), new ClusterIngress(config.ingressEndpoints(), next), in::add, 20_000)) {
                client.send(new Command.Query(CLIENT, 0, Command.QueryKind.STATE, 0, null, null));
                SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                assertThat(in.poll().get("seq").asLong()).isEqualTo(seq);
            }
            // the node still serves its own clients, and nothing reached the log meanwhile
            in.clear();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                client.send(new Command.Query(CLIENT, 0, Command.QueryKind.STATE, 0, null, null));
                SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                assertThat(in.poll().get("seq").asLong()).as("commands in the log").isEqualTo(seq);
            }
            // and over the node's shared memory, as its own gateway connects
            in.clear();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), node.clientIngress(), in::add, 20_000)) {
                client.send(new Command.Query(CLIENT, 0, Command.QueryKind.STATE, 0, null, null));
                SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                assertThat(in.poll().get("seq").asLong()).isEqualTo(seq);
            }
        }
    }
}
