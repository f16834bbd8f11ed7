package dev.clearline.contracts;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One input of an ABI function, error or event.
 *
 * @param name the declared name (may be empty)
 * @param type the ABI type as written in the ABI JSON, e.g. {@code uint256}, {@code tuple[]}
 * @param components a tuple's members, empty for other types
 * @param indexed whether an event input is a topic
 */
public record AbiParameter(String name, String type, List<AbiParameter> components, boolean indexed) {
    public AbiParameter {
        components = List.copyOf(components);
    }

    /** The canonical type used in signatures: tuples are spelled out, e.g. {@code (uint256,address)[]}. */
    public String canonicalType() {
        if (!type.startsWith("tuple")) {
            return type;
        }
        String members = components.stream().map(AbiParameter::canonicalType).collect(Collectors.joining(","));
        return "(" + members + ")" + type.substring("tuple".length());
    }
}
