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

    /**
     * The WebSocket answer to request {@code id}: {@code {"id":<id>,<the reply's fields>}}, the same
     * text as setting the id and then the decoded reply's fields on a new object and printing it
     * ({@code ReplyBytesTest}), without the decoding.
     */
    public String frame(JsonNode id) {
        // a number (what clients send) is its digits; anything else as Jackson prints it (toString builds a generator and a serializer)
        String idText = id == null ? "null" : id.isIntegralNumber() && id.canConvertToLong() ? Long.toString(id.asLong()) : id.toString();
        if (bytes.length <= 2) return "{\"id\":" + idText + "}";
        return "{\"id\":" + idText + "," + new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
    }
}
