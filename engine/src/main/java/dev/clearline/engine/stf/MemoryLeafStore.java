package dev.clearline.engine.stf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Leaves in a hash table, no Merkle root: the exchange's mirror of the state, run through the same
 * STF. Open addressing over the raw key arrays (no wrapper object per lookup): state keys are
 * Keccak outputs, so their first eight bytes already are a good hash. Leaves are never deleted
 * (the STF only creates or replaces), so probing needs no tombstones. Stored arrays are the
 * writers' own and must not be mutated afterwards (values are always freshly encoded).
 */
public final class MemoryLeafStore implements LeafStore {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[][] keys = new byte[1 << 10][];
    private byte[][] values = new byte[1 << 10][];
    private int size;

    @Override
    public byte[] get(byte[] key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            byte[] k = keys[i];
            if (k == null) return null;
            if (k == key || Arrays.equals(k, key)) return values[i];
        }
    }

    @Override
    public void putAll(List<Write> writes) {
        for (int w = 0, n = writes.size(); w < n; w++) put(writes.get(w).key(), writes.get(w).value());
    }

    /** Visits every leaf (key, value), in no particular order. */
    public void forEach(java.util.function.BiConsumer<byte[], byte[]> visitor) {
        for (int i = 0; i < keys.length; i++) if (keys[i] != null) visitor.accept(keys[i], values[i]);
    }

    public int size() {
        return size;
    }

    private void put(byte[] key, byte[] value) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            byte[] k = keys[i];
            if (k == null) {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) grow();
                return;
            }
            if (k == key || Arrays.equals(k, key)) {
                values[i] = value;
                return;
            }
        }
    }

    private void grow() {
        byte[][] oldKeys = keys;
        byte[][] oldValues = values;
        keys = new byte[oldKeys.length * 2][];
        values = new byte[oldKeys.length * 2][];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] == null) continue;
            int i = slot(oldKeys[j], mask);
            while (keys[i] != null) i = (i + 1) & mask;
            keys[i] = oldKeys[j];
            values[i] = oldValues[j];
        }
    }

    private static int slot(byte[] key, int mask) {
        long h = key.length >= 8 ? (long) LONG.get(key, 0) : Arrays.hashCode(key);
        h *= 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
