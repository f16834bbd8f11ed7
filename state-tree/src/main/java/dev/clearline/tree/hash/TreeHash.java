package dev.clearline.tree.hash;

/**
 * The tree's two domain-separated hashes. A leaf preimage starts with {@code 0x00}, an
 * internal-node preimage with {@code 0x01}, so no leaf hash can be replayed as a node hash or the
 * reverse; both preimages are 65 bytes, one Keccak block.
 */
public final class TreeHash {
    public static final byte LEAF_PREFIX = 0x00;
    public static final byte NODE_PREFIX = 0x01;
    /** The hash of an empty subtree. Never returned by {@link #leaf} or {@link #node}, except with negligible probability. */
    public static final byte[] EMPTY = new byte[32];

    private TreeHash() {}

    /** {@code keccak(0x00 || key || valueHash)}. */
    public static byte[] leaf(byte[] key, byte[] valueHash) {
        return Keccak256.hashPrefixed(LEAF_PREFIX, key, valueHash);
    }

    /** {@code keccak(0x01 || left || right)}. */
    public static byte[] node(byte[] left, byte[] right) {
        return Keccak256.hashPrefixed(NODE_PREFIX, left, right);
    }

    /** {@code keccak(value)}: what a leaf commits to, so values of any length can be proven. */
    public static byte[] value(byte[] value) {
        return Keccak256.hash(value);
    }

    public static boolean isEmpty(byte[] hash) {
        for (byte b : hash) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
