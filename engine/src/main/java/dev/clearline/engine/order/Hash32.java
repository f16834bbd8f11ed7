package dev.clearline.engine.order;

import java.util.Arrays;
import java.util.HexFormat;

/** A 32-byte hash (an order hash, a digest, a root). Immutable; the hash code is computed once. */
public final class Hash32 {
    public static final Hash32 ZERO = new Hash32(new byte[32]);

    private final byte[] bytes;
    private final int hash;

    public Hash32(byte[] bytes) {
        if (bytes.length != 32) throw new IllegalArgumentException("a hash is 32 bytes, got " + bytes.length);
        this.bytes = bytes.clone();
        this.hash = Arrays.hashCode(this.bytes);
    }

    public static Hash32 fromHex(String hex) {
        String h = hex.startsWith("0x") ? hex.substring(2) : hex;
        return new Hash32(HexFormat.of().parseHex(h));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** The first 8 bytes, big-endian: a 64-bit fingerprint without copying the array. */
    public long leading64() {
        long f = 0;
        for (int i = 0; i < 8; i++) f = (f << 8) | (bytes[i] & 0xFF);
        return f;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Hash32 h && h.hash == hash && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "0x" + HexFormat.of().formatHex(bytes);
    }
}
