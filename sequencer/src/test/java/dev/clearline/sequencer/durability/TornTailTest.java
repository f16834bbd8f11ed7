package dev.clearline.sequencer.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.FastSigner;
import dev.clearline.sequencer.api.OrderJson;
import dev.clearline.sequencer.api.WsClient;
import dev.clearline.sequencer.state.Genesis;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a kill -9 can leave at the end of the replicated log, and that a restart takes it with every
 * acknowledged order there (the archive check's recovery of a recording open at the kill).
 * <ul>
 *   <li>A frame torn by the kill: the kernel copies a write into the page cache a page at a time, so a
 *   process killed in the middle of one can leave a frame's first page without the rest. That frame was
 *   never wholly recorded, so never committed or acknowledged: the check trims it.</li>
 *   <li>A last frame across the 1 MiB chunk Aeron's stop-offset recovery reads (1.47.7 to 1.51.0): its verification
 *   misreads such a sound recording, and the check's own walk vouches for it.</li>
 * </ul>
 * Both are made on the log of a real node, at the place its data ends (the segment file is preallocated,
 * so that is the first zero frame header, not the file's end).
 */
class TornTailTest {
    private static final int PAGE = 4096;
    private static final int LOG_TERM_LENGTH = 4 << 20; // SequencerNode's log channel

    @TempDir
    Path dir;

    @Test
    void aFrameTornAcrossAPageByKillNineIsTrimmedAndEveryAcknowledgedOrderIsThere() throws Exception {
        ChildSequencer node = ChildSequencer.start(dir, 0, "--dev-setup", "2", "--snapshot-every", "0", "--rate-per-key", "1000000");
        Map<Long, JsonNode> acked = new HashMap<>();
        try (WsClient ws = new WsClient(node.port)) {
            for (int i = 0; i < 20; i++) place(ws, i, acked);
        }
        node.kill9();
        Path segment = firstSegmentOfTheLog(dir.resolve("node"));
        Tail tail = Tail.of(segment);
        // a data frame from the end of the data across the next page boundary: its first page written, the rest not
        int length = PAGE - (int) (tail.end % PAGE) + 64;
        ByteBuffer torn = tail.dataHeader(length);
        ByteBuffer firstPage = ByteBuffer.allocate(length - 64);
        firstPage.put(torn);
        while (firstPage.hasRemaining()) firstPage.put((byte) 0x5a);
        try (FileChannel f = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            f.write(firstPage.flip(), tail.end);
        }

        node = ChildSequencer.start(dir, 1, "--snapshot-every", "0", "--rate-per-key", "1000000");
        try {
            assertThat(Files.readString(node.log)).contains("event=archive_torn_frame_trimmed");
            KillNineTest.verify(node, acked, 20, KillNineTest.GENESIS);
        } finally {
            node.close();
        }
    }

    @Test
    void aLastFrameAcrossTheArchiveToolsReadChunkIsVouchedForAndEveryAcknowledgedOrderIsThere() throws Exception {
        KilledAcrossAMark killed = null;
        for (int attempt = 0; killed == null; attempt++) {
            // the leader's once-a-second time tick can land between the last read of the log and the kill,
            // so that the last frame no longer crosses the mark; that node is left and a fresh one tried
            assertThat(attempt).as("tries at killing a node on a last frame across 1 MiB").isLessThan(3);
            killed = killAcrossAMark(dir.resolve("try-" + attempt));
        }

        ChildSequencer node = ChildSequencer.start(killed.dir, 1, "--snapshot-every", "0", "--rate-per-key", "1000000",
                "--batch-seconds", "3600");
        try {
            assertThat(Files.readString(node.log)).contains("event=archive_tool_misread");
            var g = KillNineTest.GENESIS;
            KillNineTest.verify(node, killed.acked, killed.sent, new Genesis(g.chainId(), g.verifyingContract(), g.books(),
                    new BatchPolicy(g.batches().maxTransitions(), 3600)));
        } finally {
            node.close();
        }
    }

    private record KilledAcrossAMark(Path dir, Map<Long, JsonNode> acked, int sent) {}

    /** A new node in {@code dir} sent orders until its log's last frame crosses a 1 MiB mark and killed there, or null if that frame was not last at the kill. */
    private static KilledAcrossAMark killAcrossAMark(Path dir) throws Exception {
        Files.createDirectories(dir);
        // a long batch period: no timer writes to the log between the last acknowledgement and the kill
        ChildSequencer node = ChildSequencer.start(dir, 0, "--dev-setup", "2", "--snapshot-every", "0", "--rate-per-key", "1000000",
                "--batch-seconds", "3600");
        Path segment = firstSegmentOfTheLog(dir.resolve("node"));
        Map<Long, JsonNode> acked = new HashMap<>();
        int sent = 0;
        try (WsClient ws = new WsClient(node.port)) {
            // orders until the log's last frame crosses a 1 MiB mark, read from the file the archive writes: in bursts
            // while the mark is far (a burst's frames take a few KiB), then one at a time
            Tail tail = null;
            while (true) {
                int burst = tail == null || ((tail.end >> 20) + 1 << 20) - tail.end > 64 * 1024 ? 32 : 1;
                List<CompletableFuture<JsonNode>> replies = new ArrayList<>();
                for (int b = 0; b < burst; b++) replies.add(send(ws, sent++));
                for (CompletableFuture<JsonNode> r : replies) acked.put(r.get(60, TimeUnit.SECONDS).get("seq").asLong(), r.join());
                tail = Tail.of(segment, tail);
                if (tail.lastStart >> 20 != (tail.end - 1) >> 20) break;
                assertThat(sent).as("the log reaches a 1 MiB mark").isLessThan(20_000);
            }
        }
        node.kill9();
        Tail tail = Tail.of(segment);
        return tail.lastStart >> 20 != (tail.end - 1) >> 20 ? new KilledAcrossAMark(dir, acked, sent) : null;
    }

    private static void place(WsClient ws, int i, Map<Long, JsonNode> acked) throws Exception {
        JsonNode r = send(ws, i).get(60, TimeUnit.SECONDS);
        acked.put(r.get("seq").asLong(), r);
    }

    private static CompletableFuture<JsonNode> send(WsClient ws, int i) throws Exception {
        FastSigner s = FastSigner.dev(0);
        Order o = new Order(s.address(), 1, Side.BUY, 9_000 + 100 * i, 1_000, 0, TimeInForce.GTC, 0, 0, i + 1, 1_000_000);
        return ws.request(OrderJson.op("place", OrderJson.order(s, o, KillNineTest.GENESIS.domain())));
    }

    /** Where the data in a log segment ends (its first zero frame header), and the last frame before it. */
    private record Tail(long end, long lastStart, ByteBuffer lastHeader) {
        static Tail of(Path segment) throws Exception {
            return of(segment, null);
        }

        /** The tail read on from an earlier one of the same segment (the archive only appends), or from the start. */
        static Tail of(Path segment, Tail earlier) throws Exception {
            try (FileChannel f = FileChannel.open(segment, StandardOpenOption.READ)) {
                ByteBuffer h = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer last = earlier == null ? null : earlier.lastHeader;
                long offset = earlier == null ? 0 : earlier.end, lastStart = earlier == null ? 0 : earlier.lastStart;
                while (true) {
                    h.clear();
                    f.read(h, offset);
                    int length = h.getInt(0);
                    if (length == 0) break;
                    last = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).put(h.flip());
                    lastStart = offset;
                    offset += (length + 31) & ~31;
                }
                assertThat(last).as("frames in " + segment).isNotNull();
                return new Tail(offset, lastStart, last);
            }
        }

        /** A data frame's header at {@link #end} in the last frame's stream and term, with a checksum its bytes do not match. */
        ByteBuffer dataHeader(int length) {
            ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(0, length).put(4, (byte) 0).put(5, (byte) 0xc0).putShort(6, (short) 1);
            b.putInt(8, (int) (end % LOG_TERM_LENGTH));
            b.putInt(12, 0x1234_5678);
            // the last frame's stream and term: the data of these short runs ends well inside the first term
            assertThat(end).isLessThan(LOG_TERM_LENGTH / 2);
            b.putInt(16, lastHeader.getInt(16)).putInt(20, lastHeader.getInt(20));
            return b;
        }
    }

    /** The replicated log's first segment file: recording 0's, the first recording a new member makes. */
    static Path firstSegmentOfTheLog(Path memberDir) {
        return memberDir.resolve("archive").resolve("0-0.rec");
    }
}
