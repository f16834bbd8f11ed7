package dev.clearline.engine.order;

import java.util.Arrays;
import java.util.HexFormat;

/** A 32-byte hash (an order hash, a digest, a root). */
public record Hash32(byte[] bytes) {
    public static final Hash32 ZERO = new Hash32(new byte[32]);

    public Hash32 {
        if (bytes.length != 32) throw new IllegalArgumentException("a hash is 32 bytes, got " + bytes.length);
        bytes = bytes.clone();
    }

    public static Hash32 fromHex(String hex) {
        String h = hex.startsWith("0x") ? hex.substring(2) : hex;
        return new Hash32(HexFormat.of().parseHex(h));
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash32 h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "0x" + HexFormat.of().formatHex(bytes);
    }
}
