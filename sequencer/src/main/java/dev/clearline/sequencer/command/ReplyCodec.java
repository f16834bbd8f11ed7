package dev.clearline.sequencer.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.sequencer.state.Reply;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replies travel from the cluster to the gateways as JSON objects, the form traders receive them
 * in: {@code {"seq":..,"clientId":..,"clientSeq":..,"time":..,"duplicate":..,<body>}}. Egress is
 * not part of the replicated state, so its form is free to change.
 */
public final class ReplyCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReplyCodec() {}

    public static byte[] encode(Reply r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", r.seq());
        m.put("clientId", r.clientId());
        m.put("clientSeq", r.clientSeq());
        m.put("time", r.time());
        if (r.duplicate()) m.put("duplicate", true);
        m.putAll(r.body());
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a reply holds a value JSON cannot write", e);
        }
    }

    public static ObjectNode decode(byte[] bytes, int offset, int length) throws IOException {
        JsonNode n = JSON.readTree(bytes, offset, length);
        if (!(n instanceof ObjectNode o)) throw new IOException("a reply must be a JSON object");
        return o;
    }
}
