package dev.clearline.evm.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Geth's struct-log trace: {@code {gas, failed, returnValue, structLogs}}.
 *
 * @param gas gas used by the whole execution
 * @param returnValue return (or revert) data as hex without prefix, as geth writes it
 */
public record StructTrace(long gas, boolean failed, String returnValue, List<StructLog> structLogs) implements Trace {

    public StructTrace {
        structLogs = List.copyOf(structLogs);
    }

    /** The opcode names in execution order. */
    public List<String> ops() {
        return structLogs.stream().map(StructLog::op).toList();
    }

    @Override
    public String toJson() {
        ObjectNode root = TraceJson.MAPPER.createObjectNode();
        root.put("gas", gas);
        root.put("failed", failed);
        root.put("returnValue", returnValue);
        ArrayNode logs = root.putArray("structLogs");
        for (StructLog step : structLogs) {
            ObjectNode node = logs.addObject();
            node.put("pc", step.pc());
            node.put("op", step.op());
            node.put("gas", step.gas());
            node.put("gasCost", step.gasCost());
            node.put("depth", step.depth());
            step.error().ifPresent(e -> node.put("error", e));
            step.stack().ifPresent(stack -> {
                ArrayNode items = node.putArray("stack");
                stack.forEach(v -> items.add("0x" + v.toString(16)));
            });
            step.memory().ifPresent(memory -> {
                ArrayNode items = node.putArray("memory");
                memory.forEach(items::add);
            });
            step.storage().ifPresent(storage -> {
                ObjectNode slots = node.putObject("storage");
                new java.util.TreeMap<>(storage).forEach(slots::put);
            });
            if (step.refund() != 0) {
                node.put("refund", step.refund());
            }
        }
        return TraceJson.write(root);
    }

    /** Parses geth's JSON (as {@code debug_traceTransaction} with the default tracer returns it). */
    public static StructTrace fromJson(String json) {
        JsonNode root = TraceJson.read(json);
        List<StructLog> steps = new ArrayList<>();
        for (JsonNode node : root.path("structLogs")) {
            Optional<List<BigInteger>> stack = Optional.ofNullable(node.get("stack")).map(items -> {
                List<BigInteger> values = new ArrayList<>();
                items.forEach(item -> values.add(TraceJson.quantity(item)));
                return values;
            });
            Optional<List<String>> memory = Optional.ofNullable(node.get("memory")).map(items -> {
                List<String> words = new ArrayList<>();
                items.forEach(item -> words.add(item.asText()));
                return words;
            });
            Optional<Map<String, String>> storage = Optional.ofNullable(node.get("storage")).map(items -> {
                Map<String, String> slots = new LinkedHashMap<>();
                items.properties().forEach(e -> slots.put(e.getKey(), e.getValue().asText()));
                return slots;
            });
            steps.add(new StructLog(
                    node.path("pc").asLong(),
                    node.path("op").asText(),
                    node.path("gas").asLong(),
                    node.path("gasCost").asLong(),
                    node.path("depth").asInt(),
                    stack,
                    memory,
                    storage,
                    node.path("refund").asLong(0),
                    Optional.ofNullable(node.get("error")).map(JsonNode::asText)));
        }
        return new StructTrace(root.path("gas").asLong(), root.path("failed").asBoolean(),
                root.path("returnValue").asText(""), steps);
    }
}
