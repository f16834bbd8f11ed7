package dev.clearline.evm.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.evm.Address;
import dev.clearline.evm.Bytes32;
import dev.clearline.evm.Hex;
import dev.clearline.evm.Log;
import java.math.BigInteger;
import java.util.ArrayList;

import java.util.List;
import java.util.Optional;

/**
 * One frame of geth's {@code callTracer} call tree.
 *
 * @param type CALL, STATICCALL, DELEGATECALL, CALLCODE, CREATE, CREATE2, SELFDESTRUCT
 * @param to absent when a creation failed before an address was assigned
 * @param value absent for STATICCALL and DELEGATECALL, which carry none
 * @param revertReason the decoded {@code Error(string)} message when the frame reverted with one
 * @param logs the frame's own logs, when the trace asked for them ({@code withLog}); empty otherwise
 */
public record CallFrame(
        String type,
        Address from,
        Optional<Address> to,
        Optional<BigInteger> value,
        long gas,
        long gasUsed,
        byte[] input,
        Optional<byte[]> output,
        Optional<String> error,
        Optional<String> revertReason,
        List<CallFrame> calls,
        List<Log> logs) implements Trace {

    public CallFrame {
        input = input.clone();
        output = output.map(byte[]::clone);
        calls = List.copyOf(calls);
        logs = List.copyOf(logs);
    }

    @Override
    public byte[] input() {
        return input.clone();
    }

    /** This frame with its revert reason set, and its children's, by {@code decode} applied to reverted outputs. */
    public CallFrame withRevertReasons(java.util.function.Function<byte[], Optional<String>> decode) {
        Optional<String> reason = revertReason.isPresent() || error.isEmpty() || output.isEmpty()
                ? revertReason : decode.apply(output.get());
        return new CallFrame(type, from, to, value, gas, gasUsed, input, output, error, reason,
                calls.stream().map(c -> c.withRevertReasons(decode)).toList(), logs);
    }

    /** Frames in depth-first order, this one first. */
    public List<CallFrame> flatten() {
        List<CallFrame> all = new ArrayList<>();
        all.add(this);
        calls.forEach(c -> all.addAll(c.flatten()));
        return all;
    }

    @Override
    public String toJson() {
        return TraceJson.write(toNode());
    }

    private ObjectNode toNode() {
        ObjectNode node = TraceJson.MAPPER.createObjectNode();
        node.put("type", type);
        node.put("from", from.toHex());
        to.ifPresent(t -> node.put("to", t.toHex()));
        value.ifPresent(v -> node.put("value", "0x" + v.toString(16)));
        node.put("gas", "0x" + Long.toHexString(gas));
        node.put("gasUsed", "0x" + Long.toHexString(gasUsed));
        node.put("input", Hex.encode(input));
        output.ifPresent(o -> node.put("output", Hex.encode(o)));
        error.ifPresent(e -> node.put("error", e));
        revertReason.ifPresent(r -> node.put("revertReason", r));
        if (!logs.isEmpty()) {
            ArrayNode entries = node.putArray("logs");
            for (Log log : logs) {
                ObjectNode entry = entries.addObject();
                entry.put("address", log.address().toHex());
                ArrayNode topics = entry.putArray("topics");
                log.topics().forEach(t -> topics.add(t.toHex()));
                entry.put("data", Hex.encode(log.data()));
            }
        }
        if (!calls.isEmpty()) {
            ArrayNode children = node.putArray("calls");
            calls.forEach(c -> children.add(c.toNode()));
        }
        return node;
    }

    /** Parses geth's {@code callTracer} JSON. */
    public static CallFrame fromJson(String json) {
        return fromNode(TraceJson.read(json));
    }

    private static CallFrame fromNode(JsonNode node) {
        List<CallFrame> children = new ArrayList<>();
        node.path("calls").forEach(c -> children.add(fromNode(c)));
        List<Log> logs = new ArrayList<>();
        for (JsonNode log : node.path("logs")) {
            List<Bytes32> topics = new ArrayList<>();
            log.path("topics").forEach(t -> topics.add(Bytes32.of(t.asText())));
            logs.add(new Log(Address.of(log.path("address").asText()), topics, Hex.decode(log.path("data").asText("0x"))));
        }
        return new CallFrame(
                node.path("type").asText(),
                Address.of(node.path("from").asText()),
                text(node, "to").map(Address::of),
                text(node, "value").map(v -> TraceJson.quantity(node.get("value"))),
                TraceJson.quantity(node.path("gas")).longValueExact(),
                TraceJson.quantity(node.path("gasUsed")).longValueExact(),
                Hex.decode(node.path("input").asText("0x")),
                text(node, "output").map(Hex::decode),
                text(node, "error"),
                text(node, "revertReason"),
                children,
                logs);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallFrame other && toJson().equals(other.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "CallFrame" + toJson();
    }

}
