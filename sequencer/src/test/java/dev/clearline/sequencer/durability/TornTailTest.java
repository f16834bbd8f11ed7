package dev.clearline.sequencer.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.FastSigner;
import dev.clearline.sequencer.api.OrderJson;
import dev.clearline.sequencer.api.WsClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kill -9 that lands while the archive writes a frame can leave that frame torn at the end of the
 * log's last segment. That frame was never wholly recorded, so never committed or acknowledged:
 * the restart trims it (the archive check's recovery of an open recording) and starts, with every
 * acknowledged order there. A kill that lands between the archive creating a segment file and
 * sizing it is another case ({@code EmptySegmentTest}).
 */
class TornTailTest {
    @TempDir
    Path dir;

    @Test
    void aFrameTornByKillNineAtTheEndOfTheLogIsSetAsideAndEveryAcknowledgedOrderIsThere() throws Exception {
        ChildSequencer node = ChildSequencer.start(dir, 0, "--dev-setup", "2", "--snapshot-every", "0", "--rate-per-key", "1000000");
        Map<Long, JsonNode> acked = new HashMap<>();
        try (WsClient ws = new WsClient(node.port)) {
            FastSigner s = FastSigner.dev(0);
            for (int i = 0; i < 20; i++) {
                Order o = new Order(s.address(), 1, Side.BUY, 9_000 + 100 * i, 1_000, 0, TimeInForce.GTC, 0, 0, i + 1, 1_000_000);
                JsonNode r = ws.request(OrderJson.op("place", OrderJson.order(s, o, KillNineTest.GENESIS.domain()))).get(60, TimeUnit.SECONDS);
                acked.put(r.get("seq").asLong(), r);
            }
        }
        node.kill9();
        Path segment = lastSegmentOfTheLog(dir.resolve("node"));
        long before = Files.size(segment);
        try (FileChannel f = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            // the first 20 bytes of a 96-byte data frame: its length and type made it to the file, the rest did not
            ByteBuffer torn = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            torn.putInt(0, 96).put(4, (byte) 0).put(5, (byte) 0xc0).putShort(6, (short) 1).putInt(8, (int) (before % (64 << 20)));
            f.write(torn);
        }
        node = ChildSequencer.start(dir, 1, "--snapshot-every", "0", "--rate-per-key", "1000000");
        try {
            assertThat(Files.size(segment)).as("the torn frame set aside").isEqualTo(before);
            KillNineTest.verify(node, acked, 20, KillNineTest.GENESIS);
        } finally {
            node.close();
        }
    }

    /** The highest segment file of the archive's largest recording (the replicated log, in a run without snapshots). */
    static Path lastSegmentOfTheLog(Path memberDir) throws Exception {
        try (var files = Files.list(memberDir.resolve("archive"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".rec"))
                    .max(java.util.Comparator.comparingLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (java.io.IOException e) {
                            return -1;
                        }
                    })).orElseThrow();
        }
    }
}
