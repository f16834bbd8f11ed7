package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The paged HISTORY query: pages cut while the history grows fit together into the history the last page ends. */
class HistoryPagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A reply as the state machine builds one: the page, with the seq (here the count) and a root the history leads to. */
    private static JsonNode reply(CommandHistory h, long from, int max) {
        ObjectNode r = JSON.createObjectNode().put("seq", h.count()).put("stateRoot", "root after " + h.count());
        r.set("history", JSON.valueToTree(HistoryPages.page(h, from, max)));
        return r;
    }

    @Test
    void pagesCutWhileTheHistoryGrowsReadAsTheHistoryTheLastPageReached() throws Exception {
        Property.forAll(Gens.seeds(), Gens.ints(1, 40_000)).tries(40).check((seed, max) -> {
            Random r = new Random(seed);
            CommandHistory h = CommandHistory.inMemory();
            for (int i = 0, n = r.nextInt(60); i < n; i++) h.add(i, new byte[r.nextInt(6_000)]);
            int[] pages = {0};
            HistoryPages.History read = HistoryPages.read(from -> {
                // the node keeps taking commands between two pages, until it falls quiet
                if (pages[0]++ < 8) for (int i = 0, n = r.nextInt(4); i < n; i++) h.add(h.count(), randomBytes(r, r.nextInt(9_000)));
                return reply(h, from, max);
            });
            byte[] whole = h.encoded();
            assertThat(read.encoded()).isEqualTo(whole);
            assertThat(read.seq()).isEqualTo(h.count());
            assertThat(read.stateRoot()).isEqualTo("root after " + h.count());
            assertThat(pages[0]).isGreaterThanOrEqualTo(Math.max(1, (whole.length + max - 1) / max));
        });
    }

    @Test
    void aPageOutsideTheHistoryIsRefusedWithWhatToAskInstead() throws Exception {
        CommandHistory h = CommandHistory.inMemory();
        h.add(1, new byte[100]);
        JsonNode beyond = reply(h, 113, 10).path("history");
        assertThat(beyond.path("error").asText()).contains("from 113 is outside the history's 112 bytes", "start at 0 and follow \"next\"");
        assertThat(beyond.has("data")).isFalse();
        assertThat(reply(h, -1, 10).path("history").has("error")).isTrue();
        assertThat(reply(h, 112, 10).path("history").path("data").asText()).isEmpty(); // the end itself: an empty last page
        assertThatThrownBy(() -> HistoryPages.read(from -> reply(h, from + 200, 10))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused the history page from byte 0");
    }

    @Test
    void aPageThatDoesNotContinueWhereTheLastEndedIsNotTakenForOne() {
        CommandHistory h = CommandHistory.inMemory();
        h.add(1, new byte[500]);
        // a node that answers every ask with its first page (an old node ignoring "from")
        assertThatThrownBy(() -> HistoryPages.read(from -> reply(h, 0, 100))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("asked for the history page from byte 100");
    }

    @Test
    void aNodesLogOfSeveralPagesReadWhileItRunsReplaysToTheRootItReports() throws Exception {
        SequencerState node = new SequencerState(dev.clearline.sequencer.Market.GENESIS, new dev.clearline.engine.order.NativeSecp256k1Verifier());
        java.util.List<Command> session = SequencerStateTest.SESSION;
        for (int i = 0; i < session.size(); i++) node.apply(session.get(i), dev.clearline.sequencer.Market.START * 1000 + i);
        // time ticks fill the log past two pages (each a few dozen bytes, cheap to apply)
        long[] clientSeq = {session.size()};
        long[] second = {dev.clearline.sequencer.Market.START + 1_000};
        Runnable tick = () -> node.apply(new Command.TimeTick(7, ++clientSeq[0], ++second[0]), second[0] * 1000);
        while (node.history().size() < 2 * HistoryPages.PAGE_BYTES + 12_345) tick.run();
        HistoryPages.History read = HistoryPages.read(from -> {
            for (int i = 0; i < 100; i++) tick.run(); // the node keeps going between pages
            byte[] r = ReplyCodec.encode(node.apply(new Command.Query(9, 0, Command.QueryKind.HISTORY, 0, null, null, from), second[0] * 1000));
            return ReplyCodec.decode(r, 0, r.length);
        });
        assertThat(read.seq()).isEqualTo(node.seq());
        assertThat(read.stateRoot()).isEqualTo(node.stateRoot().toString());
        SequencerState replay = new SequencerState(dev.clearline.sequencer.Market.GENESIS, new dev.clearline.engine.order.NativeSecp256k1Verifier());
        CommandHistory.forEach(read.encoded(), (ts, bytes) -> {
            try {
                replay.apply(CommandCodec.decode(bytes, 0, bytes.length), ts);
            } catch (dev.clearline.sequencer.command.MalformedCommandException e) {
                throw new AssertionError("a command of the read history does not decode", e);
            }
        });
        assertThat(replay.seq()).isEqualTo(node.seq());
        assertThat(replay.stateRoot()).isEqualTo(node.stateRoot());
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
