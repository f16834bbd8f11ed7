package dev.clearline.evm;

import java.nio.charset.StandardCharsets;

/**
 * Hex text for byte arrays, the way Ethereum tools write it: lower case with a {@code 0x} prefix.
 *
 * <p>Table-driven in one pass: the devnet converts every hash, address, log and calldata of a
 * request through here, and on its C1-compiled request path the JDK's per-digit
 * {@code Character.digit} (what web3j's {@code Numeric} uses) was among the largest single costs.
 */
public final class Hex {
    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
    /** The value of each ASCII hex digit; -1 for every other character. */
    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < 10; i++) VALUES['0' + i] = (byte) i;
        for (int i = 0; i < 6; i++) {
            VALUES['a' + i] = (byte) (10 + i);
            VALUES['A' + i] = (byte) (10 + i);
        }
    }

    private Hex() {}

    /** {@code 0x}-prefixed lower-case hex of {@code bytes}. */
    public static String encode(byte[] bytes) {
        byte[] out = new byte[2 + bytes.length * 2];
        out[0] = '0';
        out[1] = 'x';
        for (int i = 0, o = 2; i < bytes.length; i++, o += 2) {
            out[o] = DIGITS[(bytes[i] >> 4) & 0xf];
            out[o + 1] = DIGITS[bytes[i] & 0xf];
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /**
     * The bytes of {@code hex}, with or without a {@code 0x} prefix.
     *
     * @throws IllegalArgumentException if the text has an odd length or a non-hex character
     */
    public static byte[] decode(String hex) {
        int start = hasPrefix(hex) ? 2 : 0;
        int digits = hex.length() - start;
        if (digits % 2 != 0) {
            throw new IllegalArgumentException("hex text '" + abbreviate(hex) + "' has an odd number of digits; pad it with a leading 0");
        }
        byte[] out = new byte[digits / 2];
        for (int i = 0, c = start; i < out.length; i++, c += 2) {
            int hi = value(hex.charAt(c));
            int lo = value(hex.charAt(c + 1));
            if ((hi | lo) < 0) {
                throw new IllegalArgumentException("'" + abbreviate(hex) + "' is not hex; use digits 0-9 and a-f, optionally after 0x");
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    /** Whether every character of {@code text} from {@code from} on is a hex digit (either case). */
    public static boolean isDigits(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (value(text.charAt(i)) < 0) return false;
        }
        return true;
    }

    /** The value of hex digit {@code c}, or -1. */
    public static int value(char c) {
        return c < 128 ? VALUES[c] : -1;
    }

    private static boolean hasPrefix(String hex) {
        return hex.length() >= 2 && hex.charAt(0) == '0' && (hex.charAt(1) == 'x' || hex.charAt(1) == 'X');
    }

    static String abbreviate(String text) {
        return text.length() <= 24 ? text : text.substring(0, 20) + "...";
    }
}
