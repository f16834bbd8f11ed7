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
        encodeInto(out, r);
        return out.toByteArray();
    }

    /**
     * Encodes replies into one buffer it keeps, for a thread that sends each reply before it
     * encodes the next (the service): no array per reply. The bytes are {@code encode}'s.
     */
    public static final class Writer {
        private final Buffer out = new Buffer();

        /** Encodes {@code r}; its bytes are {@link #bytes()}{@code [0, length)} until the next call. */
        public int write(Reply r) {
            out.reset();
            encodeInto(out, r);
            return out.size;
        }

        public byte[] bytes() {
            return out.bytes;
        }
    }

    /** A growable byte sink the generator flushes into (it buffers on its own, so writes come in chunks). */
    private static final class Buffer extends java.io.OutputStream {
        byte[] bytes = new byte[4096];
        int size;

        void reset() {
            size = 0;
        }

        private void room(int more) {
            if (size + more > bytes.length) bytes = java.util.Arrays.copyOf(bytes, Math.max(size + more, 2 * bytes.length));
        }

        @Override
        public void write(int b) {
            room(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            room(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }
    }

    /** Writes {@code r} into {@code out}; both callers reset their buffer before each reply, so a failed one leaves nothing behind. */
    private static void encodeInto(java.io.OutputStream out, Reply r) {
        try {
            writeTo(JSON.createGenerator(out), r);
        } catch (IOException e) {
            throw new IllegalStateException("a reply holds a value JSON cannot write", e);
        }
    }

    private static void writeTo(JsonGenerator generator, Reply r) throws IOException {
        Map<String, Object> body = r.body();
        try (JsonGenerator g = generator) {
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
        }
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
