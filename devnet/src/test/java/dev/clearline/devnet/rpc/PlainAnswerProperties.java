package dev.clearline.devnet.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written answer is byte for byte what Jackson writes, and it steps aside for every other shape. */
class PlainAnswerProperties {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static final Gen<JsonNode> IDS = Gens.oneOf(
            Gens.longs(Long.MIN_VALUE, Long.MAX_VALUE).map(n -> (JsonNode) F.numberNode(n.longValue())),
            Gens.ints(-1000, 1000).map(n -> (JsonNode) F.numberNode(n.intValue())),
            Gens.longs(1, Long.MAX_VALUE).map(n -> (JsonNode) F.numberNode(BigInteger.valueOf(n).shiftLeft(8))),
            Gens.<JsonNode>elements(F.numberNode(1.5), F.textNode("7"), F.nullNode()));

    private static final Gen<JsonNode> RESULTS = Gens.oneOf(
            Gens.bytes(0, 40).map(b -> (JsonNode) F.textNode(dev.clearline.evm.Hex.encode(b))),
            Gens.listOf(Gens.elements('a', '0', '"', '\\', '\n', 'é', ' ', '~', '\u007f'), 0, 8).map(cs -> {
                StringBuilder b = new StringBuilder();
                cs.forEach(b::append);
                return (JsonNode) F.textNode(b.toString());
            }),
            Gens.<JsonNode>elements(F.nullNode(), F.booleanNode(true), F.numberNode(3), F.objectNode().put("a", "b"), F.arrayNode().add("0x1")));

    @Test
    void writesWhatJacksonWritesOrNothing() {
        Property.forAll(IDS, RESULTS).tries(400).check((id, result) -> {
            ObjectNode answer = F.objectNode();
            answer.put("jsonrpc", "2.0");
            answer.set("id", id);
            answer.set("result", result);
            byte[] plain = PlainAnswer.bytes(answer);
            if (plain != null) {
                assertThat(new String(plain, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(jackson(answer));
            }
            boolean plainShape = id.isIntegralNumber() && id.canConvertToLong() && result.isTextual()
                    && result.asText().chars().allMatch(c -> c >= 0x20 && c <= 0x7e && c != '"' && c != '\\');
            assertThat(plain != null).as("the fast path is taken exactly for numbered hex-like answers").isEqualTo(plainShape);
        });
    }

    private static String jackson(JsonNode answer) {
        try {
            return JSON.writeValueAsString(answer);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void errorsAndOtherShapesAreLeftToJackson() {
        ObjectNode error = F.objectNode();
        error.put("jsonrpc", "2.0");
        error.put("id", 1);
        error.putObject("error").put("code", -32000).put("message", "nonce too low");
        assertThat(PlainAnswer.bytes(error)).isNull();
        assertThat(PlainAnswer.bytes(F.arrayNode().add(error))).isNull();
        for (List<String> order : List.of(List.of("id", "jsonrpc", "result"), List.of("jsonrpc", "result", "id"))) {
            ObjectNode reordered = F.objectNode();
            for (String k : order) {
                switch (k) {
                    case "id" -> reordered.put("id", 1);
                    case "jsonrpc" -> reordered.put("jsonrpc", "2.0");
                    default -> reordered.put("result", "0x1");
                }
            }
            assertThat(PlainAnswer.bytes(reordered)).isNull();
        }
    }
}
