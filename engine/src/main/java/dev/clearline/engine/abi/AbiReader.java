package dev.clearline.engine.abi;

/**
 * Reads a static tuple written by {@link AbiWriter}, insisting on the canonical form (the exact
 * padding {@code abi.decode} would accept for the declared width), so one value has one encoding.
 */
public final class AbiReader {
    private final byte[] in;
    private int pos;

    public AbiReader(byte[] in, int words) {
        if (in.length != words * 32) {
            throw new IllegalArgumentException("expected " + words + " ABI words, got " + in.length + " bytes");
        }
        this.in = in;
    }

    /** An unsigned integer of {@code bits} (at most 63, so it fits a non-negative long). */
    public long uint(int bits) {
        for (int i = 0; i < 24; i++) if (in[pos + i] != 0) throw bad("uint" + bits);
        long v = low64();
        if (bits < 64 && (v >>> bits) != 0) throw bad("uint" + bits);
        if (v < 0) throw bad("uint" + bits);
        pos += 32;
        return v;
    }

    /** A signed integer that must fit int64. */
    public long int64() {
        long v = low64();
        byte ext = (byte) (v < 0 ? 0xff : 0);
        for (int i = 0; i < 24; i++) if (in[pos + i] != ext) throw bad("int64");
        pos += 32;
        return v;
    }

    public boolean bool() {
        long v = uint(1);
        return v == 1;
    }

    public byte[] address() {
        for (int i = 0; i < 12; i++) if (in[pos + i] != 0) throw bad("address");
        byte[] a = new byte[20];
        System.arraycopy(in, pos + 12, a, 0, 20);
        pos += 32;
        return a;
    }

    public byte[] bytes32() {
        byte[] b = new byte[32];
        System.arraycopy(in, pos, b, 0, 32);
        pos += 32;
        return b;
    }

    private long low64() {
        long v = 0;
        for (int i = 24; i < 32; i++) v = (v << 8) | (in[pos + i] & 0xff);
        return v;
    }

    private IllegalArgumentException bad(String type) {
        return new IllegalArgumentException("ABI word " + pos / 32 + " is not a canonical " + type);
    }
}
