package dev.clearline.devnet.node;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/** Turns revert data into the text geth puts after "execution reverted: ". */
final class RevertReason {
    private static final Map<Integer, String> PANICS = Map.of(
            0x00, "generic panic", 0x01, "assert(false)", 0x11, "arithmetic underflow or overflow",
            0x12, "division or modulo by zero", 0x21, "enum overflow", 0x22, "invalid encoded storage byte array accessed",
            0x31, "out-of-bounds array access; popping on an empty array", 0x32, "out-of-bounds access of an array or bytesN",
            0x41, "out of memory", 0x51, "uninitialized function");

    private RevertReason() {}

    /** The reason for Error(string) and Panic(uint256) data, else null (custom errors keep only their data). */
    static String describe(byte[] data) {
        if (data.length < 4) return null;
        int selector = (data[0] & 0xff) << 24 | (data[1] & 0xff) << 16 | (data[2] & 0xff) << 8 | (data[3] & 0xff);
        try {
            if (selector == 0x08c379a0 && data.length >= 68) {
                int offset = new BigInteger(1, Arrays.copyOfRange(data, 4, 36)).intValueExact();
                int len = new BigInteger(1, Arrays.copyOfRange(data, 4 + offset, 36 + offset)).intValueExact();
                return new String(Arrays.copyOfRange(data, 36 + offset, 36 + offset + len), StandardCharsets.UTF_8);
            }
            if (selector == 0x4e487b71 && data.length >= 36) {
                BigInteger code = new BigInteger(1, Arrays.copyOfRange(data, 4, 36));
                String meaning = code.bitLength() < 31 ? PANICS.get(code.intValue()) : null;
                return meaning != null ? meaning : "unknown panic code: 0x" + code.toString(16);
            }
        } catch (ArithmeticException | ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            return null;
        }
        return null;
    }
}
