package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.SequencerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The service inside a real single-member Aeron Cluster: log, snapshot, restart, replay. */
public class SequencerClusterTest {
    static final Market M = new Market(3);
    static final long CLIENT = 11;

    @TempDir
    Path dir;

    @Test
    void aRestartedNodeRecoversFromSnapshotPlusLogToTheUninterruptedRunsRootAndSequence() throws Exception {
        List<Command> commands = new ArrayList<>(M.opening(CLIENT));
        commands.addAll(M.flow(CLIENT, commands.size() + 1, 60, new Random(3)));
        int half = commands.size() / 2;
        List<ObjectNode> replies = new ArrayList<>();
        NodeConfig config;

        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier())) {
            config = node.config();
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                for (Command c : commands.subList(0, half)) client.send(c);
                awaitPolling(client, () -> in.size() >= half);
                assertThat(node.requestSnapshot()).isTrue();
                awaitPolling(client, () -> node.snapshotCount() >= 1);
                for (Command c : commands.subList(half, commands.size())) client.send(c);
                awaitPolling(client, () -> in.size() >= commands.size());
            }
            replies.addAll(in);
        }
        // every command acknowledged once, in log order, seq 1..n
        assertThat(replies).extracting(r -> r.get("seq").asLong()).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, commands.size()).boxed().toList());
        assertThat(replies).extracting(r -> r.get("clientSeq").asLong()).containsExactlyElementsOf(
                commands.stream().map(Command::clientSeq).toList());

        // the same commands at the timestamps the log gave them, without any cluster
        SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < commands.size(); i++) straight.apply(commands.get(i), replies.get(i).get("time").asLong());

        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                client.send(new Command.Query(CLIENT, 0, Command.QueryKind.STATE, 0, null, null));
                awaitPolling(client, () -> !in.isEmpty());
                ObjectNode state = in.poll();
                assertThat(state.get("seq").asLong()).isEqualTo(commands.size());
                assertThat(state.get("stateRoot").asText()).isEqualTo(straight.stateRoot().toString());

                // a resend of an acknowledged request after the restart is answered, not applied again
                in.clear();
                client.send(commands.getLast());
                awaitPolling(client, () -> !in.isEmpty());
                ObjectNode again = in.poll();
                assertThat(again.get("duplicate").asBoolean()).isTrue();
                assertThat(again.get("seq").asLong()).isEqualTo(commands.size());
            }
        }
    }

    /** Polls {@code client} until {@code done} (at most 30 s): replies come in only as the client is polled. */
    public static void awaitPolling(ClusterClient client, BooleanSupplier done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for the cluster");
            if (client.poll() == 0) Thread.sleep(1);
        }
    }
}
