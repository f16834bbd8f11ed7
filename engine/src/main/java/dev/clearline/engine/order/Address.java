package dev.clearline.engine.order;

import java.util.Arrays;
import java.util.HexFormat;

/** A 20-byte Ethereum address. */
public record Address(byte[] bytes) implements Comparable<Address> {
    /** The insurance fund's reserved owner: nobody holds its key, only liquidations move into it. */
    public static final Address INSURANCE_FUND = fromHex("0x00000000000000000000000000000000000000f1");

    public Address {
        if (bytes.length != 20) throw new IllegalArgumentException("an address is 20 bytes, got " + bytes.length);
        bytes = bytes.clone();
    }

    public static Address fromHex(String hex) {
        String h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        return new Address(HexFormat.of().parseHex(h));
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Address a && Arrays.equals(bytes, a.bytes);
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
        return "0x" + HexFormat.of().formatHex(bytes);
    }
}
