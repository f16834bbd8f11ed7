package dev.clearline.tree.hash;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Ethereum's Keccak-256 (original padding {@code 0x01}, not SHA3's {@code 0x06}).
 *
 * <p>Hand-written because the tree spends most of its time hashing 65-byte node preimages:
 * {@link #hashPrefixed} works on 25 local longs (no lane array, no per-call allocation besides the
 * 32-byte result), which is several times cheaper than a general-purpose digest object; {@link #hash}
 * allocates only its lane array and the result (the last block is absorbed in place, not copied).
 * Stateless and thread-safe.
 */
public final class Keccak256 {
    private static final int RATE = 136;
    private static final VarHandle LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long[] RC = {
        0x0000000000000001L, 0x0000000000008082L, 0x800000000000808aL, 0x8000000080008000L,
        0x000000000000808bL, 0x0000000080000001L, 0x8000000080008081L, 0x8000000000008009L,
        0x000000000000008aL, 0x0000000000000088L, 0x0000000080008009L, 0x000000008000000aL,
        0x000000008000808bL, 0x800000000000008bL, 0x8000000000008089L, 0x8000000000008003L,
        0x8000000000008002L, 0x8000000000000080L, 0x000000000000800aL, 0x800000008000000aL,
        0x8000000080008081L, 0x8000000000008080L, 0x0000000080000001L, 0x8000000080008008L
    };

    private Keccak256() {}

    /** Keccak-256 of the whole array. */
    public static byte[] hash(byte[] input) {
        return hash(input, 0, input.length);
    }

    /** Keccak-256 of {@code input[off, off+len)}. */
    public static byte[] hash(byte[] input, int off, int len) {
        if (len < RATE) {
            return singleBlock(lane(input, off, len, 0), lane(input, off, len, 1), lane(input, off, len, 2), lane(input, off, len, 3),
                    lane(input, off, len, 4), lane(input, off, len, 5), lane(input, off, len, 6), lane(input, off, len, 7),
                    lane(input, off, len, 8), lane(input, off, len, 9), lane(input, off, len, 10), lane(input, off, len, 11),
                    lane(input, off, len, 12), lane(input, off, len, 13), lane(input, off, len, 14), lane(input, off, len, 15),
                    lane(input, off, len, 16));
        }
        long[] s = new long[25];
        int pos = off;
        int end = off + len;
        while (end - pos >= RATE) {
            for (int i = 0; i < RATE / 8; i++) {
                s[i] ^= readLong(input, pos + 8 * i);
            }
            permute(s);
            pos += RATE;
        }
        // the last, partial block straight into the lanes (no padded copy of it): whole words, then
        // the remaining bytes, then the padding (0x01 after the input, 0x80 in the block's last byte)
        int words = (end - pos) / 8;
        for (int i = 0; i < words; i++) {
            s[i] ^= readLong(input, pos + 8 * i);
        }
        pos += 8 * words;
        int lane = words;
        int shift = 0;
        for (; pos < end; pos++, shift += 8) {
            s[lane] ^= (input[pos] & 0xFFL) << shift;
        }
        s[lane] ^= 0x01L << shift;
        s[RATE / 8 - 1] ^= 0x80L << 56;
        permute(s);
        byte[] out = new byte[32];
        for (int i = 0; i < 4; i++) {
            writeLong(out, 8 * i, s[i]);
        }
        return out;
    }

    /**
     * Keccak-256 of {@code prefix || a || b} where a and b are 32 bytes each: the internal-node and
     * leaf preimages of the tree. One permutation, no intermediate buffer.
     */
    public static byte[] hashPrefixed(byte prefix, byte[] a, byte[] b) {
        // 65 bytes: prefix at byte 0, a at 1..32, b at 33..64, pad 0x01 at 65, 0x80 at 135.
        // Lanes are little-endian, so the one-byte prefix shifts every input word by 8 bits.
        long a0 = (long) LE.get(a, 0);
        long a1 = (long) LE.get(a, 8);
        long a2 = (long) LE.get(a, 16);
        long a3 = (long) LE.get(a, 24);
        long b0 = (long) LE.get(b, 0);
        long b1 = (long) LE.get(b, 8);
        long b2 = (long) LE.get(b, 16);
        long b3 = (long) LE.get(b, 24);
        long a00 = (prefix & 0xFFL) | (a0 << 8);
        long a01 = (a0 >>> 56) | (a1 << 8);
        long a02 = (a1 >>> 56) | (a2 << 8);
        long a03 = (a2 >>> 56) | (a3 << 8);
        long a04 = (a3 >>> 56) | (b0 << 8);
        long a05 = (b0 >>> 56) | (b1 << 8);
        long a06 = (b1 >>> 56) | (b2 << 8);
        long a07 = (b2 >>> 56) | (b3 << 8);
        long a08 = (b3 >>> 56) | (0x01L << 8);
        return singleBlock(a00, a01, a02, a03, a04, a05, a06, a07, a08, 0, 0, 0, 0, 0, 0, 0, 0x80L << 56);
    }

    /**
     * Keccak-f[1600] over one padded block given as its 17 rate lanes (the other 8 start at zero),
     * then the 32-byte digest. The lanes stay in locals through the 24 rounds: a lane array would be
     * allocated, zeroed and spilled on every hash of the tree's hottest loops (and was, for every
     * input under one block, a quarter of the sequencer service's allocation: key derivations, leaf
     * values, the transitions root's pairs).
     */
    private static byte[] singleBlock(long a00, long a01, long a02, long a03, long a04, long a05, long a06, long a07, long a08,
            long a09, long a10, long a11, long a12, long a13, long a14, long a15, long a16) {
        long a17 = 0, a18 = 0, a19 = 0, a20 = 0, a21 = 0, a22 = 0, a23 = 0, a24 = 0;
        for (int r = 0; r < 24; r++) {
            long c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
            long c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
            long c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
            long c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
            long c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
            long d0 = c4 ^ Long.rotateLeft(c1, 1);
            long d1 = c0 ^ Long.rotateLeft(c2, 1);
            long d2 = c1 ^ Long.rotateLeft(c3, 1);
            long d3 = c2 ^ Long.rotateLeft(c4, 1);
            long d4 = c3 ^ Long.rotateLeft(c0, 1);
            a00 ^= d0; a05 ^= d0; a10 ^= d0; a15 ^= d0; a20 ^= d0;
            a01 ^= d1; a06 ^= d1; a11 ^= d1; a16 ^= d1; a21 ^= d1;
            a02 ^= d2; a07 ^= d2; a12 ^= d2; a17 ^= d2; a22 ^= d2;
            a03 ^= d3; a08 ^= d3; a13 ^= d3; a18 ^= d3; a23 ^= d3;
            a04 ^= d4; a09 ^= d4; a14 ^= d4; a19 ^= d4; a24 ^= d4;
            // rho and pi: b[y][2x+3y] = rot(a[x][y], r[x][y]), lane index = x + 5y
            long b00 = a00;
            long b10 = Long.rotateLeft(a01, 1);
            long b20 = Long.rotateLeft(a02, 62);
            long b05 = Long.rotateLeft(a03, 28);
            long b15 = Long.rotateLeft(a04, 27);
            long b16 = Long.rotateLeft(a05, 36);
            long b01 = Long.rotateLeft(a06, 44);
            long b11 = Long.rotateLeft(a07, 6);
            long b21 = Long.rotateLeft(a08, 55);
            long b06 = Long.rotateLeft(a09, 20);
            long b07 = Long.rotateLeft(a10, 3);
            long b17 = Long.rotateLeft(a11, 10);
            long b02 = Long.rotateLeft(a12, 43);
            long b12 = Long.rotateLeft(a13, 25);
            long b22 = Long.rotateLeft(a14, 39);
            long b23 = Long.rotateLeft(a15, 41);
            long b08 = Long.rotateLeft(a16, 45);
            long b18 = Long.rotateLeft(a17, 15);
            long b03 = Long.rotateLeft(a18, 21);
            long b13 = Long.rotateLeft(a19, 8);
            long b14 = Long.rotateLeft(a20, 18);
            long b24 = Long.rotateLeft(a21, 2);
            long b09 = Long.rotateLeft(a22, 61);
            long b19 = Long.rotateLeft(a23, 56);
            long b04 = Long.rotateLeft(a24, 14);
            a00 = b00 ^ (~b01 & b02); a01 = b01 ^ (~b02 & b03); a02 = b02 ^ (~b03 & b04);
            a03 = b03 ^ (~b04 & b00); a04 = b04 ^ (~b00 & b01);
            a05 = b05 ^ (~b06 & b07); a06 = b06 ^ (~b07 & b08); a07 = b07 ^ (~b08 & b09);
            a08 = b08 ^ (~b09 & b05); a09 = b09 ^ (~b05 & b06);
            a10 = b10 ^ (~b11 & b12); a11 = b11 ^ (~b12 & b13); a12 = b12 ^ (~b13 & b14);
            a13 = b13 ^ (~b14 & b10); a14 = b14 ^ (~b10 & b11);
            a15 = b15 ^ (~b16 & b17); a16 = b16 ^ (~b17 & b18); a17 = b17 ^ (~b18 & b19);
            a18 = b18 ^ (~b19 & b15); a19 = b19 ^ (~b15 & b16);
            a20 = b20 ^ (~b21 & b22); a21 = b21 ^ (~b22 & b23); a22 = b22 ^ (~b23 & b24);
            a23 = b23 ^ (~b24 & b20); a24 = b24 ^ (~b20 & b21);
            a00 ^= RC[r];
        }
        byte[] out = new byte[32];
        LE.set(out, 0, a00);
        LE.set(out, 8, a01);
        LE.set(out, 16, a02);
        LE.set(out, 24, a03);
        return out;
    }

    /**
     * Lane {@code i} of the one padded block holding {@code input[off, off+len)} ({@code len < 136}):
     * the input's bytes little-endian, zero past its end, 0x01 right after it and 0x80 in the
     * block's last byte.
     */
    private static long lane(byte[] input, int off, int len, int i) {
        int start = 8 * i;
        long v;
        if (start + 8 <= len) {
            v = (long) LE.get(input, off + start);
        } else {
            v = 0;
            for (int k = start; k < len; k++) v |= (input[off + k] & 0xFFL) << (8 * (k - start));
            if (len >= start) v ^= 0x01L << (8 * (len - start));
        }
        if (i == RATE / 8 - 1) v ^= 0x80L << 56;
        return v;
    }

    private static long readLong(byte[] b, int off) {
        return (long) LE.get(b, off);
    }

    private static void writeLong(byte[] b, int off, long v) {
        LE.set(b, off, v);
    }

    /** Keccak-f[1600] on 25 lanes held in locals for the duration of the 24 rounds. */
    static void permute(long[] s) {
        long a00 = s[0], a01 = s[1], a02 = s[2], a03 = s[3], a04 = s[4];
        long a05 = s[5], a06 = s[6], a07 = s[7], a08 = s[8], a09 = s[9];
        long a10 = s[10], a11 = s[11], a12 = s[12], a13 = s[13], a14 = s[14];
        long a15 = s[15], a16 = s[16], a17 = s[17], a18 = s[18], a19 = s[19];
        long a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];
        for (int r = 0; r < 24; r++) {
            long c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
            long c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
            long c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
            long c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
            long c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
            long d0 = c4 ^ Long.rotateLeft(c1, 1);
            long d1 = c0 ^ Long.rotateLeft(c2, 1);
            long d2 = c1 ^ Long.rotateLeft(c3, 1);
            long d3 = c2 ^ Long.rotateLeft(c4, 1);
            long d4 = c3 ^ Long.rotateLeft(c0, 1);
            a00 ^= d0; a05 ^= d0; a10 ^= d0; a15 ^= d0; a20 ^= d0;
            a01 ^= d1; a06 ^= d1; a11 ^= d1; a16 ^= d1; a21 ^= d1;
            a02 ^= d2; a07 ^= d2; a12 ^= d2; a17 ^= d2; a22 ^= d2;
            a03 ^= d3; a08 ^= d3; a13 ^= d3; a18 ^= d3; a23 ^= d3;
            a04 ^= d4; a09 ^= d4; a14 ^= d4; a19 ^= d4; a24 ^= d4;
            // rho and pi: b[y][2x+3y] = rot(a[x][y], r[x][y]), lane index = x + 5y
            long b00 = a00;
            long b10 = Long.rotateLeft(a01, 1);
            long b20 = Long.rotateLeft(a02, 62);
            long b05 = Long.rotateLeft(a03, 28);
            long b15 = Long.rotateLeft(a04, 27);
            long b16 = Long.rotateLeft(a05, 36);
            long b01 = Long.rotateLeft(a06, 44);
            long b11 = Long.rotateLeft(a07, 6);
            long b21 = Long.rotateLeft(a08, 55);
            long b06 = Long.rotateLeft(a09, 20);
            long b07 = Long.rotateLeft(a10, 3);
            long b17 = Long.rotateLeft(a11, 10);
            long b02 = Long.rotateLeft(a12, 43);
            long b12 = Long.rotateLeft(a13, 25);
            long b22 = Long.rotateLeft(a14, 39);
            long b23 = Long.rotateLeft(a15, 41);
            long b08 = Long.rotateLeft(a16, 45);
            long b18 = Long.rotateLeft(a17, 15);
            long b03 = Long.rotateLeft(a18, 21);
            long b13 = Long.rotateLeft(a19, 8);
            long b14 = Long.rotateLeft(a20, 18);
            long b24 = Long.rotateLeft(a21, 2);
            long b09 = Long.rotateLeft(a22, 61);
            long b19 = Long.rotateLeft(a23, 56);
            long b04 = Long.rotateLeft(a24, 14);
            a00 = b00 ^ (~b01 & b02); a01 = b01 ^ (~b02 & b03); a02 = b02 ^ (~b03 & b04);
            a03 = b03 ^ (~b04 & b00); a04 = b04 ^ (~b00 & b01);
            a05 = b05 ^ (~b06 & b07); a06 = b06 ^ (~b07 & b08); a07 = b07 ^ (~b08 & b09);
            a08 = b08 ^ (~b09 & b05); a09 = b09 ^ (~b05 & b06);
            a10 = b10 ^ (~b11 & b12); a11 = b11 ^ (~b12 & b13); a12 = b12 ^ (~b13 & b14);
            a13 = b13 ^ (~b14 & b10); a14 = b14 ^ (~b10 & b11);
            a15 = b15 ^ (~b16 & b17); a16 = b16 ^ (~b17 & b18); a17 = b17 ^ (~b18 & b19);
            a18 = b18 ^ (~b19 & b15); a19 = b19 ^ (~b15 & b16);
            a20 = b20 ^ (~b21 & b22); a21 = b21 ^ (~b22 & b23); a22 = b22 ^ (~b23 & b24);
            a23 = b23 ^ (~b24 & b20); a24 = b24 ^ (~b20 & b21);
            a00 ^= RC[r];
        }
        s[0] = a00; s[1] = a01; s[2] = a02; s[3] = a03; s[4] = a04;
        s[5] = a05; s[6] = a06; s[7] = a07; s[8] = a08; s[9] = a09;
        s[10] = a10; s[11] = a11; s[12] = a12; s[13] = a13; s[14] = a14;
        s[15] = a15; s[16] = a16; s[17] = a17; s[18] = a18; s[19] = a19;
        s[20] = a20; s[21] = a21; s[22] = a22; s[23] = a23; s[24] = a24;
    }
}
