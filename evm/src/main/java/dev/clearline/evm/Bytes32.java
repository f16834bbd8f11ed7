package dev.clearline.evm;

import java.math.BigInteger;
import java.util.Arrays;

/** A 32-byte word: a state root, a storage slot or value, a log topic. Immutable. */
public record Bytes32(byte[] bytes) {
    public static final int LENGTH = 32;
    public static final Bytes32 ZERO = new Bytes32(new byte[LENGTH]);

    public Bytes32 {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("a 32-byte word was expected, got "
                    + (bytes == null ? "null" : bytes.length + " bytes") + "; left-pad it to 64 hex digits");
        }
        bytes = bytes.clone();
    }

    /** Parses hex of exactly 64 digits, with or without {@code 0x}. */
    public static Bytes32 of(String hex) {
        byte[] raw = Hex.decode(hex);
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException("'" + Hex.abbreviate(hex) + "' is " + raw.length
                    + " bytes, a word has 32 (64 hex digits)");
        }
        return new Bytes32(raw);
    }

    /** The big-endian 32-byte form of a non-negative integer below 2^256. */
    public static Bytes32 of(BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > 256) {
            throw new IllegalArgumentException(value + " does not fit an unsigned 256-bit word");
        }
        byte[] raw = value.toByteArray();
        byte[] out = new byte[LENGTH];
        int copy = Math.min(raw.length, LENGTH);
        System.arraycopy(raw, raw.length - copy, out, LENGTH - copy, copy);
        return new Bytes32(out);
    }

    public static Bytes32 of(long value) {
        return of(BigInteger.valueOf(value));
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The word read as an unsigned big-endian integer. */
    public BigInteger toBigInteger() {
        return new BigInteger(1, bytes);
    }

    public String toHex() {
        return Hex.encode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes32 other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
