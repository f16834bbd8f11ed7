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

    /** A value the encoder does not walk itself. */
    record Odd(String name, long value) {}

    private static Map<String, Object> map(Random r, int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = r.nextInt(depth == 0 ? 8 : 4);
        for (int i = 0; i < n; i++) m.put(key(r), value(r, depth + 1));
        return m;
    }

    private static Object value(Random r, int depth) {
        int pick = r.nextInt(depth > 3 ? 7 : 10);
        return switch (pick) {
            case 0 -> null;
            case 1 -> key(r) + "\"\\\n\u00e9\u20ac\ud83d\ude00\u0001";
            case 2 -> r.nextLong();
            case 3 -> r.nextInt();
            case 4 -> r.nextBoolean();
            case 5 -> r.nextBoolean() ? new Odd(key(r), r.nextLong()) : java.math.BigInteger.valueOf(r.nextLong()).shiftLeft(70); // the mapper's own form
            case 6 -> r.nextDouble();
            case 7 -> map(r, depth);
            case 8 -> { List<Object> l = new ArrayList<>(); for (int i = r.nextInt(4); i > 0; i--) l.add(value(r, depth + 1)); yield l; }
            default -> Map.of(r.nextInt(100), "integer key"); // a number key: the mapper writes its decimal text
        };
    }

    private static String key(Random r) {
        return Arrays.asList("type", "outcomes", "orderHash", "accepted", "x", "", "k\u00fc").get(r.nextInt(7)) + r.nextInt(3);
    }
}
