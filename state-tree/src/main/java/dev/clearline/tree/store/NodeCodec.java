package dev.clearline.tree.store;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** Byte layout of nodes and roots in a persistent store, each record ending in a CRC32C of what precedes it. */
final class NodeCodec {
    private static final byte INTERNAL = 1;
    private static final byte LEAF = 2;

    private NodeCodec() {}

    static byte[] encode(Node node) {
        ByteBuffer b;
        switch (node) {
            case Node.Internal in -> {
                b = ByteBuffer.allocate(1 + 8 + 32 + 8 + 32 + 32 + 4);
                b.put(INTERNAL).putLong(in.leftVersion()).put(in.leftHash()).putLong(in.rightVersion())
                        .put(in.rightHash()).put(in.hash());
            }
            case Node.Leaf leaf -> {
                b = ByteBuffer.allocate(1 + 32 + 32 + 32 + 4 + leaf.value().length + 4);
                b.put(LEAF).put(leaf.key()).put(leaf.valueHash()).put(leaf.hash()).putInt(leaf.value().length)
                        .put(leaf.value());
            }
        }
        return seal(b);
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
