package dev.clearline.engine.abi;

import java.util.Arrays;

/**
 * Writes a static tuple the way Solidity's {@code abi.encode} does: one 32-byte big-endian word
 * per field, signed integers sign-extended, addresses and small unsigned integers left-padded
 * with zeros. Only static types are needed by the state leaves and EIP-712 structs.
 */
public final class AbiWriter {
    private final byte[] out;
    private int pos;

    public AbiWriter(int words) {
        this.out = new byte[words * 32];
    }

    /** An unsigned integer that the caller guarantees is non-negative (uint8..uint64). */
    public AbiWriter uint(long v) {
        if (v < 0) throw new IllegalArgumentException("uint field is negative: " + v);
        return int64(v);
    }

    /** A signed integer of up to 64 bits, sign-extended to 256 bits (int64..int256). */
    public AbiWriter int64(long v) {
        if (v < 0) Arrays.fill(out, pos, pos + 24, (byte) 0xff);
        for (int i = 0; i < 8; i++) out[pos + 31 - i] = (byte) (v >>> (8 * i));
        pos += 32;
        return this;
    }

    public AbiWriter bool(boolean v) {
        out[pos + 31] = (byte) (v ? 1 : 0);
        pos += 32;
        return this;
    }

    public AbiWriter address(byte[] a20) {
        if (a20.length != 20) throw new IllegalArgumentException("address must be 20 bytes, got " + a20.length);
        System.arraycopy(a20, 0, out, pos + 12, 20);
        pos += 32;
        return this;
    }

    public AbiWriter bytes32(byte[] b32) {
        if (b32.length != 32) throw new IllegalArgumentException("bytes32 must be 32 bytes, got " + b32.length);
        System.arraycopy(b32, 0, out, pos, 32);
        pos += 32;
        return this;
    }

    public byte[] toBytes() {
        if (pos != out.length) throw new IllegalStateException("wrote " + pos / 32 + " of " + out.length / 32 + " words");
        return out;
    }
}
