package dev.clearline.testkit.property;

import java.util.Collection;
import java.util.HexFormat;
import java.util.stream.Collectors;

/** Renders inputs for failure reports: byte arrays as hex, arrays and lists element by element. */
public final class Pretty {
    private Pretty() {}

    public static String show(Object value) {
        if (value == null) return "null";
        if (value instanceof byte[] b) return "0x" + HexFormat.of().formatHex(b);
        if (value instanceof long[] a) return java.util.Arrays.toString(a);
        if (value instanceof int[] a) return java.util.Arrays.toString(a);
        if (value instanceof Object[] a) return java.util.Arrays.stream(a).map(Pretty::show).collect(Collectors.joining(", ", "[", "]"));
        if (value instanceof Collection<?> c) {
            return c.stream().map(Pretty::show).collect(Collectors.joining(",\n  ", "[\n  ", "\n]"))
                    .replace("[\n  \n]", "[]");
        }
        return String.valueOf(value);
    }
}
