package dev.clearline.sequencer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A single member that applied some commands and took a snapshot, then stopped: what the archive
 * and snapshot tests start from (a restart meets the log and the snapshot's recordings).
 */
public record SnapshottedMember(NodeConfig config, List<ObjectNode> replies) {
    /** The market's opening and {@code count} commands of its random flow from {@code seed}, sent by {@code client}. */
    public static List<Command> session(Market m, long client, int count, long seed) {
        List<Command> commands = new ArrayList<>(m.opening(client));
        commands.addAll(m.flow(client, commands.size() + 1, count, new Random(seed)));
        return commands;
    }

    /** A member's directory after {@link #snapshottingEverySecond}: its config and the last seq it acknowledged. */
    public record Stopped(NodeConfig config, long lastSeq) {}

    /**
     * Starts a member in {@code dir} that snapshots every second, sends it {@code commands}, waits for
     * every reply and for {@code snapshots} snapshots, and stops it.
     */
    public static Stopped snapshottingEverySecond(Path dir, List<Command> commands, int snapshots) throws Exception {
        NodeConfig config = NodeConfig.ephemeral(dir, Market.GENESIS).withSnapshotInterval(java.time.Duration.ofSeconds(1));
        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            config = node.config();
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                for (Command c : commands) client.send(c);
                SequencerClusterTest.awaitPolling(client, () -> in.size() >= commands.size());
                SequencerClusterTest.awaitPolling(client, () -> node.snapshotCount() >= snapshots);
                return new Stopped(config, in.stream().mapToLong(r -> r.get("seq").asLong()).max().orElseThrow());
            }
        }
    }

    /**
     * Starts a member in {@code dir} that snapshots every second and stores its log as {@code storage} says, sends it
     * {@code commands} in {@code rounds} parts with a snapshot after each, waits until its log was trimmed
     * ({@link LogTrim}: the first segment file gone), and stops it. Its replies are in the order of {@code commands}.
     */
    public static SnapshottedMember trimmedInRounds(Path dir, List<Command> commands, int rounds, LogStorage storage) throws Exception {
        NodeConfig config = NodeConfig.ephemeral(dir, Market.GENESIS).withSnapshotInterval(java.time.Duration.ofSeconds(1)).withLogStorage(storage);
        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            config = node.config();
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                for (int r = 0; r < rounds; r++) {
                    int from = commands.size() * r / rounds, to = commands.size() * (r + 1) / rounds;
                    for (Command c : commands.subList(from, to)) client.send(c);
                    SequencerClusterTest.awaitPolling(client, () -> in.size() >= to);
                    long taken = node.snapshotCount();
                    SequencerClusterTest.awaitPolling(client, () -> node.snapshotCount() > taken); // one at this round's position
                }
                // the snapshot timer trims after each snapshot: wait until whole files before the older one are gone
                SequencerClusterTest.awaitPolling(client, () -> TrimmedLogTest.logStart(dir) > 0);
            }
            return new SnapshottedMember(config, new ArrayList<>(in));
        }
    }

    /** Starts a member in {@code dir}, sends it {@code commands}, waits for every reply and a snapshot, and stops it. */
    public static SnapshottedMember of(Path dir, List<Command> commands) throws Exception {
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier())) {
            NodeConfig config = node.config();
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                for (Command c : commands) client.send(c);
                SequencerClusterTest.awaitPolling(client, () -> in.size() >= commands.size());
                assertThat(node.requestSnapshot()).isTrue();
                SequencerClusterTest.awaitPolling(client, () -> node.snapshotCount() >= 1);
            }
            return new SnapshottedMember(config, new ArrayList<>(in));
        }
    }
}
