package dev.clearline.sequencer.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.state.Reply;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The streaming reply encoder writes exactly the bytes the object mapper wrote for the same reply. */
class ReplyCodecTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What the encoder used to be: the header fields, then the body over them, through the mapper. */
    private static byte[] mapperBytes(Reply r) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", r.seq());
        m.put("clientId", r.clientId());
        m.put("clientSeq", r.clientSeq());
        m.put("time", r.time());
        if (r.duplicate()) m.put("duplicate", true);
        m.putAll(r.body());
        return MAPPER.writeValueAsBytes(m);
    }

    @Test
    void randomBodiesEncodeAsTheMapperWritesThem() {
        Property.forAll(Gens.seeds()).tries(300).check(seed -> {
            Random r = new Random(seed);
            Map<String, Object> body = map(r, 0);
            if (r.nextInt(4) == 0) body.put("seq", r.nextLong()); // a body field named like a header one replaces it in place
            if (r.nextInt(4) == 0) body.put("time", r.nextInt());
            if (r.nextInt(6) == 0) body.put("duplicate", r.nextBoolean()); // in place when the header has one, else where the body has it
            if (r.nextInt(8) == 0) body.put("clientId", null);
            Reply reply = new Reply(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextBoolean(), body);
            assertThat(new String(ReplyCodec.encode(reply))).isEqualTo(new String(mapperBytes(reply)));
        });
    }

    @Test
    void aTradingSessionsRepliesEncodeAsTheMapperWritesThem() throws Exception {
        Market m = new Market(3);
        List<Command> cs = new ArrayList<>(m.opening(7));
        cs.addAll(m.flow(7, cs.size() + 1, 60, new Random(5)));
        cs.add(new Command.Query(7, -1, Command.QueryKind.STATE, 0, null, null));
        cs.add(new Command.Query(7, -2, Command.QueryKind.ACCOUNT, 0, m.traders.getFirst().address(), null));
        cs.add(new Command.Query(7, -3, Command.QueryKind.DEPTH, Market.MARKET, null, null));
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < cs.size(); i++) {
            Reply reply = s.apply(cs.get(i), Market.START * 1000 + i);
            assertThat(new String(ReplyCodec.encode(reply))).isEqualTo(new String(mapperBytes(reply)));
            assertThat(ReplyCodec.decode(ReplyCodec.encode(reply), 0, ReplyCodec.encode(reply).length).path("clientSeq").asLong())
                    .isEqualTo(cs.get(i).clientSeq());
        }
    }

    @Test
    void theServicesKeptBufferWritesTheSameBytesReplyAfterReply() {
        // one writer for all: a long reply after short ones grows its buffer, a short one after a long one leaves no tail
        ReplyCodec.Writer w = new ReplyCodec.Writer();
        Property.forAll(Gens.listOf(Gens.seeds(), 1, 12)).tries(60).check(seeds -> {
            for (long seed : seeds) {
                Random r = new Random(seed);
                Map<String, Object> body = map(r, 0);
                if (r.nextInt(3) == 0) body.put("blob", "x".repeat(r.nextInt(20_000)));
                Reply reply = new Reply(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextBoolean(), body);
                int n = w.write(reply);
                assertThat(Arrays.copyOf(w.bytes(), n)).isEqualTo(ReplyCodec.encode(reply));
            }
        });
    }

    private static Map<String, Object> map(Random r, int depth) {
        return ReplyBodies.map(r, depth);
    }
}
