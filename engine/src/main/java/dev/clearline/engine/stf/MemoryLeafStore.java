package dev.clearline.engine.stf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Leaves in a hash table, no Merkle root: the exchange's mirror of the state, run through the same
 * STF. Open addressing with each 32-byte key also kept inline as four longs, so a look-up compares
 * words in one array instead of chasing a key object; state keys are Keccak outputs, so their
 * first word already is a good hash. Leaves are never deleted (the STF only creates or replaces),
 * so probing needs no tombstones. Stored value arrays are the writers' own and must not be
 * mutated afterwards (values are always freshly encoded). The last decoded form of each value is
 * kept beside it until the value is replaced, so a hot leaf is decoded once, not on every read.
 */
public final class MemoryLeafStore implements LeafStore {
    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long[] words = new long[4 << 10];
    private byte[][] keys = new byte[1 << 10][];
    private byte[][] values = new byte[1 << 10][];
    private Object[] decoded = new Object[1 << 10];
    private int size;

    @Override
    public byte[] get(byte[] key) {
        int i = find(key);
        return i < 0 ? null : values[i];
    }

    @Override
    public <T> T get(byte[] key, Class<T> type, Function<byte[], T> decoder) {
        int i = find(key);
        if (i < 0) return null;
        Object d = decoded[i];
        if (type.isInstance(d)) return type.cast(d);
        T fresh = decoder.apply(values[i]);
        decoded[i] = fresh;
        return fresh;
    }

    /** The slot holding {@code key}, or -1. */
    private int find(byte[] key) {
        checkKey(key);
        long w0 = (long) WORD.get(key, 0);
        long w1 = (long) WORD.get(key, 8);
        long w2 = (long) WORD.get(key, 16);
        long w3 = (long) WORD.get(key, 24);
        int mask = values.length - 1;
        for (int i = slot(w0, mask); ; i = (i + 1) & mask) {
            if (values[i] == null) return -1;
            int b = i << 2;
            if (words[b] == w0 && words[b + 1] == w1 && words[b + 2] == w2 && words[b + 3] == w3) return i;
        }
    }

    @Override
    public void putAll(List<Write> writes) {
        for (int w = 0, n = writes.size(); w < n; w++) put(writes.get(w).key(), writes.get(w).value());
    }

    /** Visits every leaf (key, value), in no particular order. */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
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
                decoded[i] = null;
                return;
            }
        }
    }

    private void grow() {
        long[] oldWords = words;
        byte[][] oldKeys = keys;
        byte[][] oldValues = values;
        Object[] oldDecoded = decoded;
        words = new long[oldWords.length * 2];
        keys = new byte[oldKeys.length * 2][];
        values = new byte[oldValues.length * 2][];
        decoded = new Object[oldValues.length * 2];
        int mask = values.length - 1;
        for (int j = 0; j < oldValues.length; j++) {
            if (oldValues[j] == null) continue;
            int i = slot(oldWords[j << 2], mask);
            while (values[i] != null) i = (i + 1) & mask;
            System.arraycopy(oldWords, j << 2, words, i << 2, 4);
            keys[i] = oldKeys[j];
            values[i] = oldValues[j];
            decoded[i] = oldDecoded[j];
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
