package dev.clearline.sequencer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.cluster.ClusterClient;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerClusterTest;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.cluster.SnapshottedMember;
import dev.clearline.sequencer.cluster.ServiceStop;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member restarted under other genesis settings than its snapshot was made with stops as a
 * configuration mismatch naming the setting (setting the snapshot aside would not help: the log is
 * the same). A member whose latest snapshot does not load (here: bytes of its recording damaged on
 * disk) stops with the reason and what to do, instead of hanging or starting empty;
 * {@code --drop-latest-snapshot} sets the snapshot aside, and the next start replays the log to the
 * state the snapshot held and beyond.
 */
class UnreadableSnapshotTest {
    static final Market M = new Market(3);
    static final long CLIENT = 12;

    @TempDir
    Path dir;

    /**
     * Flips one payload byte of the largest data frame in a recording segment and rewrites the frame's CRC-32C where
     * the archive keeps it ({@code FrameChecksum}: the header's session-id field), so the segment still verifies.
     */
    static void damageLargestFrame(Path segment) throws java.io.IOException {
        java.nio.ByteBuffer all = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(segment)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int best = -1, bestLength = 0;
        for (int at = 0; at + 32 <= all.capacity(); ) {
            int length = all.getInt(at);
            if (length <= 0) break;
            if (all.getShort(at + 6) == 1 && length > bestLength) { // a data frame
                best = at;
                bestLength = length;
            }
            at += (length + 31) & ~31;
        }
        assertThat(bestLength).as("a data frame with an image in it").isGreaterThan(64);
        int payload = best + 32, payloadLength = bestLength - 32;
        all.put(payload + payloadLength / 2, (byte) (all.get(payload + payloadLength / 2) ^ 0x40));
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(all.array(), payload, payloadLength);
        all.putInt(best + 12, (int) crc.getValue());
        java.nio.file.Files.write(segment, all.array());
    }

    @Test
    void aMemberStopsOnOtherSettingsOrASnapshotItCannotLoadAndStartsFromTheLogOnceItIsSetAside() throws Exception {
        List<Command> commands = SnapshottedMember.session(M, CLIENT, 40, 5);
        SnapshottedMember first = SnapshottedMember.of(dir, commands);
        List<ObjectNode> replies = first.replies();
        NodeConfig config = first.config();
        SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < commands.size(); i++) straight.apply(commands.get(i), replies.get(i).get("time").asLong());

        Genesis other = new Genesis(Market.GENESIS.chainId(), Market.GENESIS.verifyingContract(), Market.GENESIS.books(),
                new BatchPolicy(Market.GENESIS.batches().maxTransitions(), Market.GENESIS.batches().maxAgeSeconds() + 8));
        NodeConfig otherConfig = new NodeConfig(config.dir(), other, config.memberId(), config.members(), config.timing(),
                config.snapshotInterval(), config.idle(), config.maxReplyBytes(), config.logStorage());
        try (SequencerNode node = SequencerNode.start(otherConfig, new NativeSecp256k1Verifier())) {
            ServiceStop stop = node.stopped().get(30, TimeUnit.SECONDS);
            assertThat(stop.cause()).isEqualTo(ServiceStop.Cause.CONFIG_MISMATCH);
            assertThat(stop.why()).contains("--batch-seconds " + Market.GENESIS.batches().maxAgeSeconds() + " where this node runs "
                    + other.batches().maxAgeSeconds(), "Start it with the settings it was made with").doesNotContain("--drop-latest-snapshot");
        }

        // damage the service's latest snapshot where it lies in the archive, as a build that writes images this one cannot
        // read would leave it: a byte of the image changed, with the archive's own frame checksum made to match (the
        // archive check before start would refuse the member otherwise), so only the image's own checksum can tell
        long recordingId;
        try (io.aeron.cluster.RecordingLog log = new io.aeron.cluster.RecordingLog(config.dir().resolve("cluster").toFile(), false)) {
            recordingId = log.getLatestSnapshot(0).recordingId;
        }
        damageLargestFrame(config.dir().resolve("archive").resolve(recordingId + "-0.rec"));
        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            ServiceStop stop = node.stopped().get(30, TimeUnit.SECONDS);
            assertThat(stop.cause()).isEqualTo(ServiceStop.Cause.SNAPSHOT_UNREADABLE);
            assertThat(stop.why()).contains("does not load", "--drop-latest-snapshot");
            // the finding is the fact alone: each runner (the node, `up`) adds the advice in its own terms, once
            assertThat(stop.finding()).contains("checksum mismatch").doesNotContain("--drop-latest-snapshot");
        }

        assertThat(SequencerMain.dropLatestSnapshot(dir)).as("set aside").isZero();
        assertThat(SequencerMain.dropLatestSnapshot(dir)).as("nothing left to set aside").isEqualTo(1);
        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
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
