package dev.clearline.tree.store;

import java.util.Arrays;

/**
 * A RocksDB write batch built in a Java array, in RocksDB's own serialized form (a 12-byte header:
 * sequence number, fixed64, and record count, fixed32, little-endian; then per record a type byte,
 * {@code 0x01} put or {@code 0x00} delete, and the key and value each as a varint32 length and the
 * bytes), handed to RocksDB in one call by {@code new WriteBatch(byte[])}. A version of the tree
 * writes tens of thousands of nodes; one JNI call per node cost more than writing them did.
 */
final class SerializedWriteBatch {
    private static final byte PUT = 0x01;
    private static final byte DELETE = 0x00;
    private static final int HEADER = 12;

    private byte[] rep;
    private int length = HEADER;
    private int count;

    /** @param expectedBytes the records' size ({@link #recordLength} each): when exact, {@link #toBytes} copies nothing */
    SerializedWriteBatch(int expectedBytes) {
        rep = new byte[HEADER + Math.max(0, expectedBytes)];
    }

    /** The serialized size of one put record with a key and a value of these lengths. */
    static int recordLength(int keyLength, int valueLength) {
        return 1 + varintLength(keyLength) + keyLength + varintLength(valueLength) + valueLength;
    }

    private static int varintLength(int n) {
        int bytes = 1;
        while ((n & ~0x7F) != 0) {
            n >>>= 7;
            bytes++;
        }
        return bytes;
    }

    void put(byte[] key, byte[] value) {
        ensure(recordLength(key.length, value.length));
        rep[length++] = PUT;
        bytes(key);
        bytes(value);
        count++;
    }

    /** A node record: its key is the one-byte {@code prefix} and the node key's encoding; its value {@link NodeCodec}'s, encoded in place. */
    void putNode(byte prefix, NodeKey key, Node node) {
        int valueLength = NodeCodec.encodedLength(node);
        ensure(recordLength(1 + NodeKey.ENCODED_LENGTH, valueLength));
        rep[length++] = PUT;
        rep[length++] = (byte) (1 + NodeKey.ENCODED_LENGTH); // < 128: a one-byte varint
        rep[length++] = prefix;
        key.encodeInto(rep, length);
        length += NodeKey.ENCODED_LENGTH;
        varint(valueLength);
        NodeCodec.encodeInto(node, rep, length);
        length += valueLength;
        count++;
    }

    void delete(byte[] key) {
        ensure(1 + varintLength(key.length) + key.length);
        rep[length++] = DELETE;
        bytes(key);
        count++;
    }

    int count() {
        return count;
    }

    /** The serialized batch (sequence number 0: RocksDB assigns it on write); its own array when it was sized exactly. */
    byte[] toBytes() {
        byte[] out = length == rep.length ? rep : Arrays.copyOf(rep, length);
        out[8] = (byte) count;
        out[9] = (byte) (count >>> 8);
        out[10] = (byte) (count >>> 16);
        out[11] = (byte) (count >>> 24);
        return out;
    }

    private void bytes(byte[] b) {
        varint(b.length);
        System.arraycopy(b, 0, rep, length, b.length);
        length += b.length;
    }

    private void varint(int n) {
        while ((n & ~0x7F) != 0) {
            rep[length++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        rep[length++] = (byte) n;
    }

    private void ensure(int more) {
        if (length + more > rep.length) {
            rep = Arrays.copyOf(rep, Math.max(rep.length * 2, length + more));
        }
    }
}
