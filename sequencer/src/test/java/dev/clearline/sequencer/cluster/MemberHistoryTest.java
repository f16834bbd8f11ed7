package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.state.CommandHistory;
import dev.clearline.sequencer.state.HistoryPages;
import dev.clearline.sequencer.state.SequencerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member keeps its command history in {@code <dir>/command-history}, not in its heap, and a
 * restart from its snapshot (image, then the history part) gives it the same history: what the
 * {@code HISTORY} audit query answers replays to the member's root before and after. A member that
 * keeps a window of it ({@code --keep-history-hours}) drops the older commands at each snapshot,
 * and after a restart answers the commands after the window's start, at the same offsets, and
 * refuses a page before it with what to do.
 */
class MemberHistoryTest {
    static final long CLIENT = 41;

    @TempDir
    Path dir;

    @Test
    void theHistoryLivesInTheMembersFileAndComesBackWholeFromItsSnapshot() throws Exception {
        List<Command> sent = SnapshottedMember.session(new Market(5), CLIENT, 120, 9);
        NodeConfig config = SnapshottedMember.of(dir, sent).config();
        Path file = config.dir().resolve(SequencerNode.HISTORY_FILE);
        byte[] written = Files.readAllBytes(file);
        int[] commands = {0};
        CommandHistory.forEach(written, (ts, bytes) -> commands[0]++);
        assertThat(commands[0]).as("every command the member applied, in its file").isEqualTo(sent.size());

        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                HistoryPages.History read = HistoryPages.read(from -> {
                    in.clear();
                    client.send(new Command.Query(CLIENT, 0, Command.QueryKind.HISTORY, 0, null, null, from));
                    SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                    JsonNode reply = in.poll();
                    return reply;
                });
                assertThat(read.encoded()).as("the history the restarted member answers: the one it wrote before").isEqualTo(written);
                assertThat(read.seq()).isEqualTo(sent.size());
                SequencerState replay = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
                CommandHistory.forEach(read.encoded(), (ts, bytes) -> {
                    try {
                        replay.apply(CommandCodec.decode(bytes, 0, bytes.length), ts);
                    } catch (dev.clearline.sequencer.command.MalformedCommandException e) {
                        throw new AssertionError(e);
                    }
                });
                assertThat(replay.stateRoot().toString()).isEqualTo(read.stateRoot());
            }
        }
        assertThat(Files.readAllBytes(file)).as("the file the restart rebuilt from the snapshot").isEqualTo(written);
    }

    @Test
    void aMemberKeepingNoHistoryBeforeItsSnapshotsAnswersOnlyTheCommandsAfterTheLastOne() throws Exception {
        List<Command> sent = SnapshottedMember.session(new Market(5), CLIENT, 120, 9);
        int half = sent.size() / 2;
        NodeConfig config = NodeConfig.ephemeral(dir, Market.GENESIS).withLogStorage(LogStorage.DEFAULT.keepingHistory(java.time.Duration.ZERO));
        byte[] wholeBefore;
        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            config = node.config();
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                for (Command c : sent.subList(0, half)) client.send(c);
                SequencerClusterTest.awaitPolling(client, () -> in.size() >= half);
                Thread.sleep(5); // the snapshot's log time is past every command so far: the window drops them all
                assertThat(node.requestSnapshot()).isTrue();
                SequencerClusterTest.awaitPolling(client, () -> node.snapshotCount() >= 1);
                for (Command c : sent.subList(half, sent.size())) client.send(c);
                SequencerClusterTest.awaitPolling(client, () -> in.size() >= sent.size());
            }
        }
        // the file as the stopped member left it (its dropped part not yet compacted away: under 1 MiB)
        wholeBefore = Files.readAllBytes(config.dir().resolve(SequencerNode.HISTORY_FILE));

        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                HistoryPages.Source source = from -> {
                    in.clear();
                    client.send(new Command.Query(CLIENT, 0, Command.QueryKind.HISTORY, 0, null, null, from));
                    SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                    return in.poll();
                };
                JsonNode first = source.page(0).path("history");
                long start = first.path("start").asLong();
                assertThat(first.path("startCommands").asLong()).as("the commands the snapshot dropped").isEqualTo(half);
                assertThat(first.path("commands").asLong()).isEqualTo(sent.size());
                assertThat(first.path("error").asText()).contains("was dropped").contains("--keep-history-hours").contains("Start at " + start);

                HistoryPages.History window = HistoryPages.read(source, start);
                int[] commands = {0};
                CommandHistory.forEach(window.encoded(), (ts, bytes) -> commands[0]++);
                assertThat(commands[0]).as("the commands after the snapshot, replayed from the log after it").isEqualTo(sent.size() - half);
                assertThat(window.encoded()).as("at the offsets of the whole history").isEqualTo(
                        java.util.Arrays.copyOfRange(wholeBefore, (int) (wholeBefore.length - window.encoded().length), wholeBefore.length));
                assertThat(start + window.encoded().length).isEqualTo(first.path("bytes").asLong());
            }
        }
    }
}
