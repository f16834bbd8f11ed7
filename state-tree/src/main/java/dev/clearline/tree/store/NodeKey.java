package dev.clearline.tree.store;

/**
 * Where a node lives: the version that wrote it and its path from the root (the first
 * {@code depth} bits of any key below it). A version never writes the same path twice, so the
 * pair is unique, and older versions' nodes stay untouched while later ones are written.
 */
public record NodeKey(long version, int depth, long p0, long p1, long p2, long p3) {
    /** Encoded length: version (8) || depth (2) || path (32). */
    public static final int ENCODED_LENGTH = 42;

    /** The node at {@code depth} on the path of {@code key} (any key below the node), written by {@code version}. */
    public static NodeKey of(long version, int depth, byte[] key) {
        return new NodeKey(version, depth, mask(getLong(key, 0), depth), mask(getLong(key, 8), depth - 64),
                mask(getLong(key, 16), depth - 128), mask(getLong(key, 24), depth - 192));
    }

    /** The node at {@code depth} (at most this node's) on this node's path, written by {@code version}. */
    public NodeKey ancestor(long ancestorVersion, int ancestorDepth) {
        return new NodeKey(ancestorVersion, ancestorDepth, mask(p0, ancestorDepth), mask(p1, ancestorDepth - 64),
                mask(p2, ancestorDepth - 128), mask(p3, ancestorDepth - 192));
    }

    /** {@code w} with only its first {@code bits} bits kept (none for 0 or fewer, all for 64 or more). */
    private static long mask(long w, int bits) {
        return bits <= 0 ? 0 : bits >= 64 ? w : w & (-1L << (64 - bits));
    }

    /** The key of this node's child on side {@code right}, written by {@code childVersion}. */
    public NodeKey child(long childVersion, boolean right) {
        long q0 = p0, q1 = p1, q2 = p2, q3 = p3;
        if (right) {
            long mask = 1L << (63 - (depth & 63));
            switch (depth >>> 6) {
                case 0 -> q0 |= mask;
                case 1 -> q1 |= mask;
                case 2 -> q2 |= mask;
                default -> q3 |= mask;
            }
        }
        return new NodeKey(childVersion, depth + 1, q0, q1, q2, q3);
    }

    public byte[] encode() {
        byte[] out = new byte[ENCODED_LENGTH];
        encodeInto(out, 0);
        return out;
    }

    /** Writes the {@link #ENCODED_LENGTH}-byte encoding at {@code out[off]}. */
    void encodeInto(byte[] out, int off) {
        putLong(out, off, version);
        out[off + 8] = (byte) (depth >>> 8);
        out[off + 9] = (byte) depth;
        putLong(out, off + 10, p0);
        putLong(out, off + 18, p1);
        putLong(out, off + 26, p2);
        putLong(out, off + 34, p3);
    }

    public static NodeKey decode(byte[] in) {
        return new NodeKey(getLong(in, 0), ((in[8] & 0xFF) << 8) | (in[9] & 0xFF),
                getLong(in, 10), getLong(in, 18), getLong(in, 26), getLong(in, 34));
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFFL);
        }
        return v;
    }

    // Written out: the record's generated equals goes through a chain of method handles that the
    // JIT did not always inline, and the node cache compares keys on every look-up.
    @Override
    public boolean equals(Object o) {
        return o instanceof NodeKey k && version == k.version && depth == k.depth && p0 == k.p0 && p1 == k.p1
                && p2 == k.p2 && p3 == k.p3;
    }

    @Override
    public int hashCode() {
        long h = version * 0x9E3779B97F4A7C15L + depth;
        h = h * 31 + p0;
        h = h * 31 + p1;
        h = h * 31 + p2;
        h = h * 31 + p3;
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public String toString() {
        return "node(version " + version + ", depth " + depth + ", path "
                + String.format("%016x%016x%016x%016x", p0, p1, p2, p3) + ")";
    }
}
