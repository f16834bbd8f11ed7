package dev.clearline.sequencer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.cluster.ClusterClient;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerClusterTest;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.cluster.ServiceStop;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member whose latest snapshot does not load (here: written under other settings, as an image
 * this build cannot read would be) stops with the reason and what to do, instead of hanging or
 * starting empty; {@code --drop-latest-snapshot} sets the snapshot aside, and the next start
 * replays the log to the state the snapshot held and beyond.
 */
class UnreadableSnapshotTest {
    static final Market M = new Market(3);
    static final long CLIENT = 12;

    @TempDir
    Path dir;

    @Test
    void aMemberStopsOnASnapshotItCannotLoadAndStartsFromTheLogOnceItIsSetAside() throws Exception {
        List<Command> commands = new ArrayList<>(M.opening(CLIENT));
        commands.addAll(M.flow(CLIENT, commands.size() + 1, 40, new Random(5)));
        List<ObjectNode> replies = new ArrayList<>();
        NodeConfig config;
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier())) {
            config = node.config();
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingressEndpoints(), in::add, 20_000)) {
                for (Command c : commands) client.send(c);
                SequencerClusterTest.awaitPolling(client, () -> in.size() >= commands.size());
                assertThat(node.requestSnapshot()).isTrue();
                SequencerClusterTest.awaitPolling(client, () -> node.snapshotCount() >= 1);
            }
            replies.addAll(in);
        }
        SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < commands.size(); i++) straight.apply(commands.get(i), replies.get(i).get("time").asLong());

        Genesis other = new Genesis(Market.GENESIS.chainId(), Market.GENESIS.verifyingContract(), Market.GENESIS.books(),
                new BatchPolicy(Market.GENESIS.batches().maxTransitions() + 1, Market.GENESIS.batches().maxAgeSeconds()));
        NodeConfig otherConfig = new NodeConfig(config.dir(), other, config.memberId(), config.members(), config.timing(),
                config.snapshotInterval(), config.idle());
        try (SequencerNode node = SequencerNode.start(otherConfig, new NativeSecp256k1Verifier())) {
            ServiceStop stop = node.stopped().get(30, TimeUnit.SECONDS);
            assertThat(stop.cause()).isEqualTo(ServiceStop.Cause.SNAPSHOT_UNREADABLE);
            assertThat(stop.why()).contains("does not load", "same settings", "--drop-latest-snapshot");
        }

        assertThat(SequencerMain.dropLatestSnapshot(dir)).as("set aside").isZero();
        assertThat(SequencerMain.dropLatestSnapshot(dir)).as("nothing left to set aside").isEqualTo(1);
        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingressEndpoints(), in::add, 20_000)) {
                client.send(new Command.Query(CLIENT, 0, Command.QueryKind.STATE, 0, null, null));
                SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                ObjectNode state = in.poll();
                assertThat(state.get("seq").asLong()).isEqualTo(commands.size());
                assertThat(state.get("stateRoot").asText()).isEqualTo(straight.stateRoot().toString());
            }
            assertThat(node.stopped().isDone()).isFalse();
        }
    }
}
