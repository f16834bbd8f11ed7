package dev.clearline.engine.order;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 20-byte Ethereum address. Immutable; its hash code is computed once because addresses key
 * the exchange's hot maps.
 */
public final class Address implements Comparable<Address> {
    /** The insurance fund's reserved owner: nobody holds its key, only liquidations move into it. */
    public static final Address INSURANCE_FUND = fromHex("0x00000000000000000000000000000000000000f1");
    /** The zero address: no key holds it and tokens refuse transfers to it. */
    public static final Address ZERO = new Address(new byte[20]);

    private final byte[] bytes;
    private final int hash;

    public Address(byte[] bytes) {
        if (bytes.length != 20) throw new IllegalArgumentException("an address is 20 bytes, got " + bytes.length);
        this.bytes = bytes.clone();
        this.hash = Arrays.hashCode(this.bytes);
    }

    public static Address fromHex(String hex) {
        String h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        return new Address(HexFormat.of().parseHex(h));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Address a && a.hash == hash && Arrays.equals(bytes, a.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(Address o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return "0x" + HexFormat.of().formatHex(bytes);
    }
}
