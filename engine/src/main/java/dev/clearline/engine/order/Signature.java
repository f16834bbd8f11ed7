package dev.clearline.engine.order;

import java.math.BigInteger;
import java.util.Arrays;

/** An ECDSA secp256k1 signature as Ethereum writes it: r || s || v with v in {27, 28}. */
public record Signature(byte[] encoded) {
    public static final int LENGTH = 65;
    /** Half the curve order: signatures with a larger s are malleable twins and are refused. */
    static final BigInteger HALF_N = new BigInteger("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0", 16);

    public Signature {
        if (encoded.length != LENGTH) throw new IllegalArgumentException("a signature is 65 bytes (r, s, v), got " + encoded.length);
        encoded = encoded.clone();
    }

    public static Signature of(byte[] r32, byte[] s32, int v) {
        byte[] e = new byte[LENGTH];
        System.arraycopy(r32, 0, e, 0, 32);
        System.arraycopy(s32, 0, e, 32, 32);
        e[64] = (byte) v;
        return new Signature(e);
    }

    @Override
    public byte[] encoded() {
        return encoded.clone();
    }

    public byte[] r() {
        return Arrays.copyOfRange(encoded, 0, 32);
    }

    public byte[] s() {
        return Arrays.copyOfRange(encoded, 32, 64);
    }

    public int v() {
        return encoded[64] & 0xff;
    }

    /** v is 27 or 28, 0 < r, 0 < s <= n/2: the only form the STF accepts (Solidity checks the same). */
    public boolean isCanonical() {
        BigInteger r = new BigInteger(1, r());
        BigInteger s = new BigInteger(1, s());
        return (v() == 27 || v() == 28) && r.signum() > 0 && s.signum() > 0 && s.compareTo(HALF_N) <= 0
                && r.compareTo(HALF_N.shiftLeft(1)) <= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Signature s && Arrays.equals(encoded, s.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }
}
