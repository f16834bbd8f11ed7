package dev.clearline.engine.exchange;

/**
 * An open-addressing map (no entry object per mapping, backward-shift deletion) for keys that
 * cache their hash code (order hashes, addresses): the exchange looks orders up by hash and
 * traders by address on every operation. The keys' hash codes sit in their own array so probing
 * compares ints and rarely touches a key object; unlike {@link java.util.HashMap}, whose shared
 * lookup code sees every key type in the JVM, the calls to {@code equals} here see one or two.
 * Single-threaded.
 */
final class HashIndex<K, V> {
    private Object[] keys = new Object[1 << 10];
    private int[] hashes = new int[1 << 10];
    private Object[] values = new Object[1 << 10];
    private int size;

    @SuppressWarnings("unchecked")
    V get(K key) {
        int mask = keys.length - 1;
        int h = key.hashCode();
        for (int i = slot(h, mask); ; i = (i + 1) & mask) {
            Object k = keys[i];
            if (k == null) return null;
            if (hashes[i] == h && (k == key || key.equals(k))) return (V) values[i];
        }
    }

    /** Stores a non-null value. */
    void put(K key, V value) {
        if (value == null) throw new IllegalArgumentException("HashIndex stores non-null values only");
        int mask = keys.length - 1;
        int h = key.hashCode();
        for (int i = slot(h, mask); ; i = (i + 1) & mask) {
            Object k = keys[i];
            if (k == null) {
                keys[i] = key;
                hashes[i] = h;
                values[i] = value;
                if (++size * 2 > keys.length) grow();
                return;
            }
            if (hashes[i] == h && (k == key || key.equals(k))) {
                values[i] = value;
                return;
            }
        }
    }

    void remove(K key) {
        int mask = keys.length - 1;
        int h = key.hashCode();
        int i = slot(h, mask);
        while (true) {
            Object k = keys[i];
            if (k == null) return;
            if (hashes[i] == h && (k == key || key.equals(k))) break;
            i = (i + 1) & mask;
        }
        // backward shift: pull later entries of the probe run into the hole so lookups never stop early
        int hole = i;
        for (int j = (hole + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
            int home = slot(hashes[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                hashes[hole] = hashes[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = null;
        values[hole] = null;
        size--;
    }

    private void grow() {
        Object[] oldKeys = keys;
        int[] oldHashes = hashes;
        Object[] oldValues = values;
        keys = new Object[oldKeys.length * 2];
        hashes = new int[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] == null) continue;
            int i = slot(oldHashes[j], mask);
            while (keys[i] != null) i = (i + 1) & mask;
            keys[i] = oldKeys[j];
            hashes[i] = oldHashes[j];
            values[i] = oldValues[j];
        }
    }

    int size() {
        return size;
    }

    private static int slot(int hashCode, int mask) {
        int h = hashCode * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }
}
