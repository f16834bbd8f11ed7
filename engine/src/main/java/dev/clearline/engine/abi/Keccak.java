package dev.clearline.engine.abi;

import org.bouncycastle.crypto.digests.KeccakDigest;

/** Keccak-256 (Ethereum's, not SHA3-256). */
public final class Keccak {
    private Keccak() {}

    public static byte[] hash(byte[] data) {
        return hash(data, 0, data.length);
    }

    public static byte[] hash(byte[] data, int offset, int length) {
        KeccakDigest d = new KeccakDigest(256);
        d.update(data, offset, length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    /** keccak(a || b) without building the concatenation. */
    public static byte[] hash(byte[] a, byte[] b) {
        KeccakDigest d = new KeccakDigest(256);
        d.update(a, 0, a.length);
        d.update(b, 0, b.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }
}
