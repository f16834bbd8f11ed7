package dev.clearline.sequencer.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.state.Reply;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway routes replies by the header it reads off their bytes, without decoding them: what it
 * reads must be what decoding gives, it must read every reply the state writes, and anything laid
 * out otherwise must read as "cannot tell" (null: the gateway decodes it), never as wrong values.
 */
class ReplyHeaderTest {

    @Test
    void theHeaderReadOffTheBytesIsTheDecodedOne() {
        Property.forAll(Gens.seeds()).tries(500).check(seed -> {
            Random r = new Random(seed);
            boolean typed = r.nextInt(4) > 0;
            Map<String, Object> body = typed ? ReplyBodies.typed(r) : ReplyBodies.map(r, 0);
            if (r.nextInt(5) == 0) body.put("seq", r.nextLong()); // a state query's own seq takes the header's place
            long clientSeq = r.nextBoolean() ? r.nextLong() : r.nextInt(1000) - 500;
            Reply reply = new Reply(r.nextLong() & Long.MAX_VALUE, r.nextLong() & Long.MAX_VALUE, clientSeq,
                    r.nextLong() & Long.MAX_VALUE, r.nextBoolean(), body);
            byte[] bytes = ReplyCodec.encode(reply);
            int offset = r.nextInt(16);
            byte[] framed = new byte[offset + bytes.length + r.nextInt(16)];
            r.nextBytes(framed);
            System.arraycopy(bytes, 0, framed, offset, bytes.length);
            ReplyHeader h = ReplyHeader.read(framed, offset, bytes.length);
            if (typed) assertThat(h).as("a reply that starts its body with its type").isNotNull();
            if (h != null) assertSame(h, ReplyCodec.decode(bytes, 0, bytes.length));
        });
    }

    @Test
    void everyReplyOfATradingSessionIsRead() throws Exception {
        Market m = new Market(3);
        List<dev.clearline.sequencer.command.Command> cs = new ArrayList<>(m.opening(7));
        cs.addAll(m.flow(7, cs.size() + 1, 80, new Random(11)));
        cs.add(cs.get(3)); // a repeat: answered as a duplicate
        cs.add(new Command.Query(7, -1, Command.QueryKind.STATE, 0, null, null));
        cs.add(new Command.Query(7, -2, Command.QueryKind.DEPTH, Market.MARKET, null, null));
        cs.add(new Command.TimeTick(7, cs.size() + 5, Market.START)); // after a gap: out of order
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < cs.size(); i++) {
            byte[] bytes = ReplyCodec.encode(s.apply(cs.get(i), Market.START * 1000 + i));
            ReplyHeader h = ReplyHeader.read(bytes, 0, bytes.length);
            assertThat(h).as(new String(bytes, StandardCharsets.UTF_8)).isNotNull();
            assertSame(h, ReplyCodec.decode(bytes, 0, bytes.length));
        }
    }

    @Test
    void bytesLaidOutOtherwiseReadAsCannotTell() {
        byte[] good = ReplyCodec.encode(new Reply(5, 9, -3, 100, false, Map.of("type", "query")));
        int typeEnds = new String(good, StandardCharsets.UTF_8).indexOf("\"query\"") + "\"query\"".length();
        Property.forAll(Gens.ints(0, typeEnds - 1)).check(cut -> assertThat(ReplyHeader.read(good, 0, cut)).isNull());
        for (String s : new String[] {"", "{}", "{\"seq\":1}", "{\"seq\":1,\"clientId\":2,\"clientSeq\":3,\"time\":4}",
                "{\"seq\":1,\"clientId\":2,\"clientSeq\":3,\"time\":4,\"type\":5}",
                "{\"seq\":1,\"clientId\":2,\"clientSeq\":3,\"time\":4,\"type\":\"a\\\"b\"}",
                "{\"seq\":99999999999999999999,\"clientId\":2,\"clientSeq\":3,\"time\":4,\"type\":\"tick\"}",
                "{\"seq\":-,\"clientId\":2,\"clientSeq\":3,\"time\":4,\"type\":\"tick\"}",
                "{\"seq\":1, \"clientId\":2,\"clientSeq\":3,\"time\":4,\"type\":\"tick\"}",
                "{\"clientId\":2,\"seq\":1,\"clientSeq\":3,\"time\":4,\"type\":\"tick\"}"}) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertThat(ReplyHeader.read(b, 0, b.length)).as(s).isNull();
        }
        byte[] extremes = "{\"seq\":9223372036854775807,\"clientId\":0,\"clientSeq\":-9223372036854775808,\"time\":1,\"type\":\"tick\",\"x\":1}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(ReplyHeader.read(extremes, 0, extremes.length)).isEqualTo(new ReplyHeader(Long.MAX_VALUE, 0, Long.MIN_VALUE, false, "tick"));
    }

    private static void assertSame(ReplyHeader h, ObjectNode decoded) {
        assertThat(h.seq()).isEqualTo(decoded.path("seq").asLong());
        assertThat(h.clientId()).isEqualTo(decoded.path("clientId").asLong());
        assertThat(h.clientSeq()).isEqualTo(decoded.path("clientSeq").asLong());
        assertThat(h.duplicate()).isEqualTo(decoded.path("duplicate").asBoolean(false));
        assertThat(h.type()).isEqualTo(decoded.path("type").asText());
    }
}
