package dev.clearline.engine.stf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Leaves in a hash table, no Merkle root: the exchange's mirror of the state, run through the same
 * STF. Open addressing with each 32-byte key also kept inline as four longs, so a look-up compares
 * words in one array instead of chasing a key object; state keys are Keccak outputs, so their
 * first word already is a good hash. Leaves are never deleted (the STF only creates or replaces),
 * so probing needs no tombstones. Stored value arrays are the writers' own and must not be
 * mutated afterwards (values are always freshly encoded).
 */
public final class MemoryLeafStore implements LeafStore {
    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long[] words = new long[4 << 10];
    private byte[][] keys = new byte[1 << 10][];
    private byte[][] values = new byte[1 << 10][];
    private int size;

    @Override
    public byte[] get(byte[] key) {
        checkKey(key);
        long w0 = (long) WORD.get(key, 0);
        long w1 = (long) WORD.get(key, 8);
        long w2 = (long) WORD.get(key, 16);
        long w3 = (long) WORD.get(key, 24);
        int mask = values.length - 1;
        for (int i = slot(w0, mask); ; i = (i + 1) & mask) {
            byte[] v = values[i];
            if (v == null) return null;
            int b = i << 2;
            if (words[b] == w0 && words[b + 1] == w1 && words[b + 2] == w2 && words[b + 3] == w3) return v;
        }
    }

    @Override
    public void putAll(List<Write> writes) {
        for (int w = 0, n = writes.size(); w < n; w++) put(writes.get(w).key(), writes.get(w).value());
    }

    /** Visits every leaf (key, value), in no particular order. */
    public void forEach(java.util.function.BiConsumer<byte[], byte[]> visitor) {
        for (int i = 0; i < keys.length; i++) if (values[i] != null) visitor.accept(keys[i], values[i]);
    }

    public int size() {
        return size;
    }

    private void put(byte[] key, byte[] value) {
        checkKey(key);
        if (value == null) throw new IllegalArgumentException("a leaf value is never null: the STF does not delete leaves");
        long w0 = (long) WORD.get(key, 0);
        long w1 = (long) WORD.get(key, 8);
        long w2 = (long) WORD.get(key, 16);
        long w3 = (long) WORD.get(key, 24);
        int mask = values.length - 1;
        for (int i = slot(w0, mask); ; i = (i + 1) & mask) {
            int b = i << 2;
            if (values[i] == null) {
                words[b] = w0;
                words[b + 1] = w1;
                words[b + 2] = w2;
                words[b + 3] = w3;
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > values.length) grow();
                return;
            }
            if (words[b] == w0 && words[b + 1] == w1 && words[b + 2] == w2 && words[b + 3] == w3) {
                values[i] = value;
                return;
            }
        }
    }

    private void grow() {
        long[] oldWords = words;
        byte[][] oldKeys = keys;
        byte[][] oldValues = values;
        words = new long[oldWords.length * 2];
        keys = new byte[oldKeys.length * 2][];
        values = new byte[oldValues.length * 2][];
        int mask = values.length - 1;
        for (int j = 0; j < oldValues.length; j++) {
            if (oldValues[j] == null) continue;
            int i = slot(oldWords[j << 2], mask);
            while (values[i] != null) i = (i + 1) & mask;
            System.arraycopy(oldWords, j << 2, words, i << 2, 4);
            keys[i] = oldKeys[j];
            values[i] = oldValues[j];
        }
    }

    private static void checkKey(byte[] key) {
        if (key.length != 32) throw new IllegalArgumentException("state keys are 32 bytes, got " + key.length);
    }

    private static int slot(long firstWord, int mask) {
        long h = firstWord * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
