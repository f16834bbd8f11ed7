package dev.clearline.devnet.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes the most frequent answer, {@code {"jsonrpc":"2.0","id":<number>,"result":"<hex>"}}, without
 * Jackson's tree serializer: eth_call, eth_sendRawTransaction, eth_getBalance and most other methods
 * answer one hex string to a numbered request. Anything else (an object, an error, a string id, text
 * that would need escaping) is left to Jackson, which writes the same bytes for these shapes.
 */
final class PlainAnswer {
    private static final byte[] HEAD = "{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] RESULT = ",\"result\":\"".getBytes(StandardCharsets.ISO_8859_1);

    private PlainAnswer() {}

    /** The answer's bytes, or null if it is not of the plain shape. */
    static byte[] bytes(JsonNode answer) {
        if (!answer.isObject() || answer.size() != 3) return null;
        Iterator<Map.Entry<String, JsonNode>> fields = answer.fields();
        Map.Entry<String, JsonNode> version = fields.next();
        Map.Entry<String, JsonNode> id = fields.next();
        Map.Entry<String, JsonNode> result = fields.next();
        if (!version.getKey().equals("jsonrpc") || !id.getKey().equals("id") || !result.getKey().equals("result")) return null;
        if (!version.getValue().isTextual() || !"2.0".equals(version.getValue().asText())) return null;
        if (!id.getValue().canConvertToLong() || !id.getValue().isIntegralNumber() || !result.getValue().isTextual()) return null;
        String text = result.getValue().asText();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return null;
        }
        byte[] idText = Long.toString(id.getValue().longValue()).getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[HEAD.length + idText.length + RESULT.length + text.length() + 2];
        int at = 0;
        System.arraycopy(HEAD, 0, out, at, HEAD.length);
        at += HEAD.length;
        System.arraycopy(idText, 0, out, at, idText.length);
        at += idText.length;
        System.arraycopy(RESULT, 0, out, at, RESULT.length);
        at += RESULT.length;
        for (int i = 0; i < text.length(); i++) out[at++] = (byte) text.charAt(i); // printable ASCII, checked above
        out[at++] = '"';
        out[at] = '}';
        return out;
    }
}
