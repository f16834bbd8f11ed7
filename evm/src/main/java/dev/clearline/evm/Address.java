package dev.clearline.evm;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** A 20-byte account address. Immutable: the constructor and {@link #bytes()} copy. */
public record Address(byte[] bytes) implements Comparable<Address> {
    public static final int LENGTH = 20;
    public static final Address ZERO = new Address(new byte[LENGTH]);
    /** The highest precompiled contract address under Shanghai rules (0x09, BLAKE2F). */
    private static final int LAST_PRECOMPILE = 9;

    public Address {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("an address has 20 bytes, got "
                    + (bytes == null ? "null" : bytes.length + " bytes") + "; pass the 40 hex digits of the account");
        }
        bytes = bytes.clone();
    }

    /** Parses {@code 0x}-prefixed (or bare) hex of exactly 40 digits. */
    public static Address of(String hex) {
        byte[] raw = Hex.decode(hex);
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException("'" + Hex.abbreviate(hex) + "' is " + raw.length
                    + " bytes, an address has 20 (40 hex digits)");
        }
        return new Address(raw);
    }

    /** The address whose last 8 bytes hold {@code n}: handy for test accounts and precompiles. */
    public static Address ofLong(long n) {
        byte[] raw = new byte[LENGTH];
        for (int i = 0; i < 8; i++) {
            raw[LENGTH - 1 - i] = (byte) (n >>> (8 * i));
        }
        return new Address(raw);
    }

    /** Whether this is a precompiled contract (0x01..0x09 under Shanghai), which runs although it has no code. */
    boolean isPrecompile() {
        for (int i = 0; i < LENGTH - 1; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        int last = bytes[LENGTH - 1] & 0xff;
        return last >= 1 && last <= LAST_PRECOMPILE;
    }

    /** The address a CREATE from {@code sender} with {@code nonce} deploys to: keccak(rlp([sender, nonce]))[12:]. */
    public static Address ofCreate(Address sender, long nonce) {
        if (nonce < 0) {
            throw new IllegalArgumentException("nonce " + nonce + " is negative");
        }
        byte[] nonceRlp = rlpOfLong(nonce);
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        int payload = 1 + LENGTH + nonceRlp.length;
        list.write(0xc0 + payload); // payload is at most 30 bytes, so the short list form applies
        list.write(0x80 + LENGTH);
        list.writeBytes(sender.bytes);
        list.writeBytes(nonceRlp);
        byte[] hash = Keccak.hash(list.toByteArray());
        return new Address(Arrays.copyOfRange(hash, 12, 32));
    }

    private static byte[] rlpOfLong(long value) {
        if (value == 0) {
            return new byte[] {(byte) 0x80};
        }
        if (value < 0x80) {
            return new byte[] {(byte) value};
        }
        int length = (Long.SIZE - Long.numberOfLeadingZeros(value) + 7) / 8;
        byte[] out = new byte[1 + length];
        out[0] = (byte) (0x80 + length);
        for (int i = 0; i < length; i++) {
            out[length - i] = (byte) (value >>> (8 * i));
        }
        return out;
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Lower-case {@code 0x}-prefixed hex. */
    public String toHex() {
        return Hex.encode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Address other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Address o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
