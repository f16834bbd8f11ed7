package dev.clearline.tree.store;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** Byte layout of nodes and roots in a persistent store, each record ending in a CRC32C of what precedes it. */
final class NodeCodec {
    private static final byte INTERNAL = 1;
    private static final byte LEAF = 2;
    private static final int INTERNAL_LENGTH = 1 + 8 + 32 + 8 + 32 + 32 + 4;

    private NodeCodec() {}

    static byte[] encode(Node node) {
        byte[] out = new byte[encodedLength(node)];
        encodeInto(node, out, 0);
        return out;
    }

    /** Bytes {@link #encode} produces for {@code node}. */
    static int encodedLength(Node node) {
        return switch (node) {
            case Node.Internal in -> INTERNAL_LENGTH;
            case Node.Leaf leaf -> 1 + 32 + 32 + 32 + 4 + leaf.value().length + 4;
        };
    }

    /**
     * Writes {@link #encode}'s bytes at {@code out[off]} (which must have {@link #encodedLength}
     * bytes free): a commit encodes its nodes straight into the write batch, with no array per node.
     */
    static void encodeInto(Node node, byte[] out, int off) {
        int at = off;
        switch (node) {
            case Node.Internal in -> {
                out[at++] = INTERNAL;
                NodeKey.putLong(out, at, in.leftVersion());
                System.arraycopy(in.leftHash(), 0, out, at + 8, 32);
                NodeKey.putLong(out, at + 40, in.rightVersion());
                System.arraycopy(in.rightHash(), 0, out, at + 48, 32);
                System.arraycopy(in.hash(), 0, out, at + 80, 32);
                at += 112;
            }
            case Node.Leaf leaf -> {
                out[at++] = LEAF;
                System.arraycopy(leaf.key(), 0, out, at, 32);
                System.arraycopy(leaf.valueHash(), 0, out, at + 32, 32);
                System.arraycopy(leaf.hash(), 0, out, at + 64, 32);
                int len = leaf.value().length;
                out[at + 96] = (byte) (len >>> 24);
                out[at + 97] = (byte) (len >>> 16);
                out[at + 98] = (byte) (len >>> 8);
                out[at + 99] = (byte) len;
                System.arraycopy(leaf.value(), 0, out, at + 100, len);
                at += 100 + len;
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(out, off, at - off);
        int c = (int) crc.getValue();
        out[at] = (byte) (c >>> 24);
        out[at + 1] = (byte) (c >>> 16);
        out[at + 2] = (byte) (c >>> 8);
        out[at + 3] = (byte) c;
    }

    /** @return the node, or {@code null} if the bytes are damaged */
    static Node decode(byte[] in) {
        if (!checksumHolds(in)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(in, 0, in.length - 4);
        byte type = b.get();
        if (type == INTERNAL && in.length == 1 + 8 + 32 + 8 + 32 + 32 + 4) {
            long lv = b.getLong();
            byte[] lh = bytes(b, 32);
            long rv = b.getLong();
            byte[] rh = bytes(b, 32);
            return new Node.Internal(lv, lh, rv, rh, bytes(b, 32));
        }
        if (type == LEAF && in.length >= 1 + 96 + 4 + 4) {
            byte[] key = bytes(b, 32);
            byte[] vh = bytes(b, 32);
            byte[] hash = bytes(b, 32);
            int len = b.getInt();
            if (len != b.remaining()) {
                return null;
            }
            return new Node.Leaf(key, bytes(b, len), vh, hash);
        }
        return null;
    }

    static byte[] encodeRoot(RootRef root) {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 + 32 + 4);
        b.putLong(root.version()).putLong(root.rootNodeVersion()).put(root.hash());
        return seal(b);
    }

    /** @return the root, or {@code null} if the bytes are damaged */
    static RootRef decodeRoot(byte[] in) {
        if (in.length != 8 + 8 + 32 + 4 || !checksumHolds(in)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(in);
        return new RootRef(b.getLong(), b.getLong(), bytes(b, 32));
    }

    private static byte[] seal(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static boolean checksumHolds(byte[] in) {
        if (in.length < 5) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(in, 0, in.length - 4);
        return (int) crc.getValue() == ByteBuffer.wrap(in, in.length - 4, 4).getInt();
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }
}
