package dev.clearline.engine.abi;

import dev.clearline.tree.hash.Keccak256;

/**
 * Keccak-256 (Ethereum's, not SHA3-256): the state tree's own, which its tests hold to Bouncy Castle's on every
 * length up to two blocks. Bouncy Castle's digest object (about 400 bytes of state and buffer) was a new one per
 * hash, 4.5 % of what an acknowledged order allocated (EIP-712 digests on the verify pool, addresses from keys).
 */
public final class Keccak {
    private Keccak() {}

    public static byte[] hash(byte[] data) {
        return Keccak256.hash(data, 0, data.length);
    }

    public static byte[] hash(byte[] data, int offset, int length) {
        return Keccak256.hash(data, offset, length);
    }

    /** keccak(a || b). */
    public static byte[] hash(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return Keccak256.hash(both, 0, both.length);
    }
}
