package dev.clearline.engine.witness;

import dev.clearline.tree.Bytes32;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One witnessed leaf: its key and its value in the pre-state, or null when the leaf does not exist
 * (the step then reads it as absent: a zero balance or position, no order, no market, genesis).
 */
public record WitnessLeaf(Bytes32 key, byte[] value) {
    public WitnessLeaf {
        if (value != null) {
            if (value.length == 0) throw new IllegalArgumentException("a present leaf has a non-empty value");
            if (value.length > 0xffff) throw new IllegalArgumentException("a leaf value is at most 65535 bytes, got " + value.length);
            value = value.clone();
        }
    }

    public boolean present() {
        return value != null;
    }

    @Override
    public byte[] value() {
        return value == null ? null : value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WitnessLeaf l && l.key.equals(key) && Arrays.equals(l.value, value);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return key + "=" + (value == null ? "absent" : "0x" + HexFormat.of().formatHex(value));
    }
}
