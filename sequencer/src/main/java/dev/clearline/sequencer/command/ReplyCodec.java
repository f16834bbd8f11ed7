package dev.clearline.sequencer.command;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.sequencer.state.Reply;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/**
 * Replies travel from the cluster to the gateways as JSON objects, the form traders receive them
 * in: {@code {"seq":..,"clientId":..,"clientSeq":..,"time":..,"duplicate":..,<body>}}. Egress is
 * not part of the replicated state, so its form is free to change.
 *
 * <p>Encoding runs on the cluster's single service thread for every state-changing command, so it
 * walks the body's maps, lists, strings and numbers with the streaming generator itself instead of
 * letting the object mapper look up a serializer for every value (that lookup was most of the
 * encoding's cost in the profile); any other value type still goes through the mapper, so the bytes
 * are the mapper's own ({@code ReplyCodecTest} compares them).
 */
public final class ReplyCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReplyCodec() {}

    /**
     * One output buffer per thread, kept between replies: the replies of a busy service are 1-2 KB,
     * and a new builder per reply grew through several blocks each time (the codec's largest
     * allocation in the profile). The only allocation per reply left is the result array.
     */
    private static final ThreadLocal<ByteArrayBuilder> OUT = ThreadLocal.withInitial(() -> new ByteArrayBuilder(4096));

    public static byte[] encode(Reply r) {
        ByteArrayBuilder out = OUT.get();
        out.reset();
        Map<String, Object> body = r.body();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            // the header fields, then the body's; a body field named like a header one (state queries' "seq" and
            // "time") takes the header's place, as putting the body over a map of the header did
            g.writeStartObject();
            header(g, "seq", r.seq(), body);
            header(g, "clientId", r.clientId(), body);
            header(g, "clientSeq", r.clientSeq(), body);
            header(g, "time", r.time(), body);
            if (r.duplicate()) {
                g.writeFieldName("duplicate");
                write(g, body.containsKey("duplicate") ? body.get("duplicate") : Boolean.TRUE);
            }
            for (Map.Entry<String, Object> e : body.entrySet()) {
                String k = e.getKey();
                if (isHeader(k) && (r.duplicate() || !k.equals("duplicate"))) continue;
                g.writeFieldName(k);
                write(g, e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            out.reset();
            throw new IllegalStateException("a reply holds a value JSON cannot write", e);
        }
        return out.toByteArray();
    }

    private static void header(JsonGenerator g, String name, long value, Map<String, Object> body) throws IOException {
        g.writeFieldName(name);
        if (body.containsKey(name)) write(g, body.get(name));
        else g.writeNumber(value);
    }

    private static boolean isHeader(String k) {
        return switch (k) {
            case "seq", "clientId", "clientSeq", "time", "duplicate" -> true;
            default -> false;
        };
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Long l -> g.writeNumber(l);
            case Integer i -> g.writeNumber(i);
            case Boolean b -> g.writeBoolean(b);
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    // keys are strings here; a number key is written as the mapper writes it, as its decimal text
                    g.writeFieldName(e.getKey() instanceof String k ? k : String.valueOf(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case Collection<?> c -> {
                g.writeStartArray();
                for (Object o : c) write(g, o);
                g.writeEndArray();
            }
            default -> JSON.writeValue(g, v); // anything else exactly as the mapper writes it
        }
    }

    public static ObjectNode decode(byte[] bytes, int offset, int length) throws IOException {
        JsonNode n = JSON.readTree(bytes, offset, length);
        if (!(n instanceof ObjectNode o)) throw new IOException("a reply must be a JSON object");
        return o;
    }
}
