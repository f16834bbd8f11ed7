package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.state.Reply;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway drops other clients' replies undecoded when no trader listens ({@link ClusterClient}):
 * the client id it reads off the bytes must be the one the decoded reply carries, wherever the
 * reply sits in the egress buffer, and anything not shaped like a reply must be decoded (-1).
 */
class ReplyClientIdTest {

    @Test
    void theClientIdReadOffTheBytesIsTheDecodedOne() {
        Property.forAll(Gens.seeds()).tries(500).check(seed -> {
            Random r = new Random(seed);
            Map<String, Object> body = new LinkedHashMap<>();
            String[] keys = {"type", "status", "orderHash", "seq", "time", "fills", "clientId"};
            for (int i = r.nextInt(4); i > 0; i--) {
                String k = keys[r.nextInt(keys.length)];
                body.put(k, r.nextBoolean() ? (Object) r.nextLong() : "\"clientId\":" + r.nextInt(100));
            }
            long clientId = r.nextInt(3) == 0 ? r.nextInt(10) : r.nextLong() & Long.MAX_VALUE;
            Reply reply = new Reply(r.nextLong() & Long.MAX_VALUE, clientId, r.nextLong(), r.nextLong() & Long.MAX_VALUE, r.nextBoolean(), body);
            byte[] bytes = ReplyCodec.encode(reply);
            long expected = ReplyCodec.decode(bytes, 0, bytes.length).path("clientId").asLong(-1);
            int offset = r.nextInt(32);
            byte[] framed = new byte[offset + bytes.length + r.nextInt(32)];
            r.nextBytes(framed);
            System.arraycopy(bytes, 0, framed, offset, bytes.length);
            long read = ClusterClient.clientIdOf(new UnsafeBuffer(framed), offset, bytes.length);
            // either exactly what decoding gives, or "cannot tell" (then the reply is decoded anyway)
            assertThat(read).isIn(expected, -1L);
            if (!body.containsKey("clientId") && !body.containsKey("seq")) assertThat(read).isEqualTo(clientId);
        });
    }

    @Test
    void whatIsNotAReplyIsDecodedAnyway() {
        for (String s : new String[] {"", "{}", "{\"seq\":1}", "{\"clientId\":}", "{\"clientId\":-5,\"x\":1}", "{\"clientId\":12x}",
                "{\"clientId\":123", "not json at all, \"clientId\" nowhere"}) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertThat(ClusterClient.clientIdOf(new UnsafeBuffer(b), 0, b.length)).as(s).isEqualTo(-1L);
        }
    }
}
