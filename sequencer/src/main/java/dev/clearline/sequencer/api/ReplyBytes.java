package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.command.ReplyHeader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One reply from the cluster as it arrived: its bytes, the header fields the gateway routes by,
 * and the decoded JSON only when someone asks for it. A trader's WebSocket answer is the reply's
 * own bytes behind the request's id ({@link #frame}), so the common path never decodes and
 * re-encodes a reply.
 */
public final class ReplyBytes {
    private final byte[] bytes;
    private final ReplyHeader header;
    private volatile ObjectNode json;

    ReplyBytes(byte[] bytes, ReplyHeader header, ObjectNode json) {
        this.bytes = bytes;
        this.header = header;
        this.json = json;
    }

    public ReplyHeader header() {
        return header;
    }

    /** The reply decoded (once; later calls share it). Do not change it: every reader sees the same object. */
    public ObjectNode json() {
        ObjectNode j = json;
        if (j == null) {
            try {
                json = j = ReplyCodec.decode(bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new IllegalStateException("the cluster sent a reply that is not JSON: " + e.getMessage(), e);
            }
        }
        return j;
    }

    /** Whether the reply's bytes hold {@code text} (ASCII) anywhere. */
    boolean contains(byte[] text) {
        return occurrences(text, true) > 0;
    }

    /** How many times {@code text} (ASCII) occurs in the reply's bytes, without overlaps. */
    int occurrences(byte[] text) {
        return occurrences(text, false);
    }

    private int occurrences(byte[] text, boolean firstOnly) {
        int found = 0;
        outer:
        for (int i = 0; i + text.length <= bytes.length; i++) {
            for (int j = 0; j < text.length; j++) if (bytes[i + j] != text[j]) continue outer;
            found++;
            if (firstOnly) return found;
            i += text.length - 1;
        }
        return found;
    }

    /**
     * The WebSocket answer to request {@code id} as UTF-8: {@code {"id":<id>,<the reply's fields>}},
     * the same text as setting the id and then the decoded reply's fields on a new object and
     * printing it ({@code ReplyBytesTest}), without the decoding. Bytes, not a String: the socket
     * sends them as the text frame's payload, where a String was built from the reply and then
     * encoded again by Jetty (two copies of every reply; 1.5 KB less per acknowledgement on the
     * gateway's thread in the A/B of 2026-11-30 23:30 UTC).
     */
    public byte[] frame(JsonNode id) {
        // a number (what clients send) is its digits; anything else as Jackson prints it (toString builds a generator and a serializer)
        String idText = id == null ? "null" : id.isIntegralNumber() && id.canConvertToLong() ? Long.toString(id.asLong()) : id.toString();
        if (bytes.length <= 2) return ("{\"id\":" + idText + "}").getBytes(StandardCharsets.UTF_8);
        // UTF-8 bytes straight into the WebSocket frame: no String of the reply, which Jetty would encode again
        byte[] idBytes = idText.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[ID_PREFIX.length + idBytes.length + bytes.length];
        System.arraycopy(ID_PREFIX, 0, out, 0, ID_PREFIX.length);
        System.arraycopy(idBytes, 0, out, ID_PREFIX.length, idBytes.length);
        out[ID_PREFIX.length + idBytes.length] = ',';
        System.arraycopy(bytes, 1, out, ID_PREFIX.length + idBytes.length + 1, bytes.length - 1);
        return out;
    }

    private static final byte[] ID_PREFIX = "{\"id\":".getBytes(StandardCharsets.US_ASCII);
}
