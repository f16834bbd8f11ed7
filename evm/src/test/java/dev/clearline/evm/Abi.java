package dev.clearline.evm;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Hand-rolled ABI encodings for test revert data, independent of the decoder under test. */
final class Abi {
    private Abi() {}

    static byte[] word(BigInteger v) {
        return Bytes32.of(v).bytes();
    }

    static byte[] selector(String hex) {
        return Hex.decode(hex);
    }

    static byte[] errorString(String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Hex.decode("08c379a0"));
        out.writeBytes(word(BigInteger.valueOf(32)));
        out.writeBytes(word(BigInteger.valueOf(text.length)));
        byte[] padded = new byte[(text.length + 31) / 32 * 32];
        System.arraycopy(text, 0, padded, 0, text.length);
        out.writeBytes(padded);
        return out.toByteArray();
    }

    static byte[] panic(int code) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Hex.decode("4e487b71"));
        out.writeBytes(word(BigInteger.valueOf(code)));
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
