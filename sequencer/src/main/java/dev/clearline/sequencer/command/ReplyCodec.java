package dev.clearline.sequencer.command;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.sequencer.state.Reply;

import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
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

    public static byte[] encode(Reply r) {
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", r.seq());
            m.put("clientId", r.clientId());
            m.put("clientSeq", r.clientSeq());
            m.put("time", r.time());
            if (r.duplicate()) m.put("duplicate", true);
            m.putAll(r.body()); // a body's own "seq" or "time" (state queries) takes the header's place
            write(g, m);
        } catch (IOException e) {
            throw new IllegalStateException("a reply holds a value JSON cannot write", e);
        }
        return out.toByteArray();
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
