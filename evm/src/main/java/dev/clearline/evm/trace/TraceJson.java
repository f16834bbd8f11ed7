package dev.clearline.evm.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;

/** JSON plumbing shared by the trace records; Jackson stays inside this package. */
final class TraceJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private TraceJson() {}

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain JSON nodes failed to serialise", e);
        }
    }

    static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("trace JSON does not parse: " + e.getOriginalMessage(), e);
        }
    }

    /** A number written either as a JSON number or as geth's 0x-hex quantity. */
    static BigInteger quantity(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return BigInteger.ZERO;
        }
        if (node.isNumber()) {
            return node.bigIntegerValue();
        }
        String text = node.asText();
        return text.startsWith("0x") ? new BigInteger(text.substring(2).isEmpty() ? "0" : text.substring(2), 16) : new BigInteger(text);
    }
}
