package dev.clearline.tree;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable 32-byte value: a tree key, a root or a value hash. Ordered as an unsigned big-endian integer. */
public final class Bytes32 implements Comparable<Bytes32> {
    public static final Bytes32 ZERO = new Bytes32(new byte[32]);
    private final byte[] bytes;

    private Bytes32(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Wraps a copy of {@code bytes}.
     *
     * @throws InvalidLengthException if {@code bytes} is not exactly 32 bytes long
     */
    public static Bytes32 of(byte[] bytes) {
        if (bytes == null || bytes.length != 32) {
            throw new InvalidLengthException(bytes == null ? -1 : bytes.length);
        }
        return new Bytes32(bytes.clone());
    }

    /** Parses 64 hex digits, with or without {@code 0x}. */
    public static Bytes32 fromHex(String hex) {
        String h = hex.startsWith("0x") ? hex.substring(2) : hex;
        if (h.length() != 64) {
            throw new InvalidLengthException(h.length() / 2);
        }
        return new Bytes32(HexFormat.of().parseHex(h));
    }

    /** Takes ownership of {@code bytes} without copying; for arrays the tree created itself. */
    static Bytes32 wrap(byte[] bytes) {
        return new Bytes32(bytes);
    }

    public byte[] toArray() {
        return bytes.clone();
    }

    /** The backing array, for hot paths inside the tree; callers must not modify it. */
    byte[] unsafeArray() {
        return bytes;
    }

    public boolean isZero() {
        return equals(ZERO);
    }

    public String toHex() {
        return "0x" + HexFormat.of().formatHex(bytes);
    }

    @Override
    public int compareTo(Bytes32 o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes32 b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }

    /** A key, root or hash that is not 32 bytes long: the caller's input is wrong. */
    public static final class InvalidLengthException extends IllegalArgumentException {
        private final int length;

        InvalidLengthException(int length) {
            super("expected exactly 32 bytes, got " + (length < 0 ? "null" : length + " bytes")
                    + "; keys, roots and value hashes are bytes32 (hash a longer identifier with keccak256 first)");
            this.length = length;
        }

        public int length() {
            return length;
        }
    }
}
