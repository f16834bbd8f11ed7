package dev.clearline.evm;

import java.util.HexFormat;

/** Hex text for byte arrays, the way Ethereum tools write it: lower case with a {@code 0x} prefix. */
public final class Hex {
    private static final HexFormat FORMAT = HexFormat.of();

    private Hex() {}

    /** {@code 0x}-prefixed lower-case hex of {@code bytes}. */
    public static String encode(byte[] bytes) {
        return "0x" + FORMAT.formatHex(bytes);
    }

    /**
     * The bytes of {@code hex}, with or without a {@code 0x} prefix.
     *
     * @throws IllegalArgumentException if the text has an odd length or a non-hex character
     */
    public static byte[] decode(String hex) {
        String digits = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("hex text '" + abbreviate(hex) + "' has an odd number of digits; pad it with a leading 0");
        }
        try {
            return FORMAT.parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + abbreviate(hex) + "' is not hex; use digits 0-9 and a-f, optionally after 0x", e);
        }
    }

    static String abbreviate(String text) {
        return text.length() <= 24 ? text : text.substring(0, 20) + "...";
    }
}
