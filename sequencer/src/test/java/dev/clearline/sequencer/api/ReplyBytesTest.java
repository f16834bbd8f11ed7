package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.ReplyBodies;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.command.ReplyHeader;
import dev.clearline.sequencer.state.Reply;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trader's WebSocket answer is now the reply's bytes behind the request id; it must be the same
 * text the socket sent when it decoded the reply, set the id and the reply's fields on a new object
 * and printed that, for every reply and every id a client may send. (One difference in form, not
 * meaning: a character beyond 16 bits, which no reply of the state holds, stays escaped (two \\u escapes) as the
 * cluster's encoder wrote it, where printing the decoded reply wrote it raw.)
 */
class ReplyBytesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the socket sent before: a new object with the id, then the decoded reply's fields. */
    private static String decodedAndPrinted(JsonNode id, byte[] reply) throws Exception {
        ObjectNode out = JSON.createObjectNode();
        out.set("id", id);
        out.setAll(ReplyCodec.decode(reply, 0, reply.length));
        return out.toString();
    }

    private static JsonNode id(Random r) throws Exception {
        return switch (r.nextInt(8)) {
            case 0 -> null;
            case 1 -> JSON.getNodeFactory().numberNode(r.nextInt());
            case 2 -> JSON.getNodeFactory().numberNode(r.nextLong());
            case 3 -> JSON.getNodeFactory().textNode("req-\"" + r.nextInt(100) + "\"\u00e9\\\n");
            case 4 -> JSON.readTree("{\"a\":[1,2.5,\"x\"],\"b\":null}");
            case 5 -> JSON.getNodeFactory().numberNode(java.math.BigInteger.valueOf(r.nextLong()).shiftLeft(1 + r.nextInt(80))); // beyond a long, or not
            case 6 -> JSON.readTree(String.valueOf(r.nextInt(1000))); // as a client's request id arrives: parsed
            default -> JSON.getNodeFactory().numberNode(r.nextDouble());
        };
    }

    @Test
    void randomRepliesFrameAsTheDecodedOnesPrinted() {
        Property.forAll(Gens.seeds()).tries(300).check(seed -> {
            Random r = new Random(seed);
            Reply reply = new Reply(r.nextLong() & Long.MAX_VALUE, r.nextLong() & Long.MAX_VALUE, r.nextLong(), r.nextLong(), r.nextBoolean(),
                    ReplyBodies.typed(r));
            byte[] bytes = ReplyCodec.encode(reply);
            JsonNode id = id(r);
            String frame = new String(new ReplyBytes(bytes, ReplyHeader.read(bytes, 0, bytes.length), null).frame(id), StandardCharsets.UTF_8);
            // the same JSON; as text too, except that a character beyond 16 bits stays escaped as the cluster's encoder wrote it
            assertThat(JSON.readTree(frame)).isEqualTo(JSON.readTree(decodedAndPrinted(id, bytes)));
            assertThat(frame.replace("\\uD83D\\uDE00", "\ud83d\ude00")).isEqualTo(decodedAndPrinted(id, bytes));
        });
    }

    @Test
    void aTradingSessionsRepliesFrameAsTheDecodedOnesPrinted() throws Exception {
        Market m = new Market(3);
        List<Command> cs = new ArrayList<>(m.opening(7));
        cs.addAll(m.flow(7, cs.size() + 1, 60, new Random(5)));
        cs.add(new Command.Query(7, -1, Command.QueryKind.STATE, 0, null, null));
        cs.add(new Command.Query(7, -2, Command.QueryKind.ACCOUNT, 0, m.traders.getFirst().address(), null));
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        Random r = new Random(1);
        for (int i = 0; i < cs.size(); i++) {
            byte[] bytes = ReplyCodec.encode(s.apply(cs.get(i), Market.START * 1000 + i));
            JsonNode id = id(r);
            ReplyBytes reply = new ReplyBytes(bytes, ReplyHeader.read(bytes, 0, bytes.length), null);
            assertThat(new String(reply.frame(id), StandardCharsets.UTF_8)).isEqualTo(decodedAndPrinted(id, bytes));
            assertThat(reply.json()).isEqualTo(ReplyCodec.decode(bytes, 0, bytes.length));
        }
    }
}
