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
        int at = find(key);
        return at < 0 ? null : (V) values[at];
    }

    /**
     * The position holding {@code key}, or -1. A position is empty when its hash is 0 (stored hash
     * codes are never 0), so a key that is not there costs one read of the hash array per probe,
     * without touching the keys.
     */
    int find(K key) {
        int mask = hashes.length - 1;
        int h = stored(key.hashCode());
        for (int i = slot(h, mask); ; i = (i + 1) & mask) {
            int x = hashes[i];
            if (x == 0) return -1;
            if (x == h) {
                Object k = keys[i];
                if (k == key || key.equals(k)) return i;
            }
        }
    }

    @SuppressWarnings("unchecked")
    V valueAt(int at) {
        return (V) values[at];
    }

    /** Replaces the value at a position {@link #find} returned (no probe). */
    void setValueAt(int at, V value) {
        if (value == null) throw new IllegalArgumentException("HashIndex stores non-null values only");
        values[at] = value;
    }

    /** Stores a non-null value. */
    void put(K key, V value) {
        if (value == null) throw new IllegalArgumentException("HashIndex stores non-null values only");
        int mask = hashes.length - 1;
        int h = stored(key.hashCode());
        for (int i = slot(h, mask); ; i = (i + 1) & mask) {
            int x = hashes[i];
            if (x == 0) {
                keys[i] = key;
                hashes[i] = h;
                values[i] = value;
                if (++size * 2 > hashes.length) grow();
                return;
            }
            if (x == h) {
                Object k = keys[i];
                if (k == key || key.equals(k)) {
                    values[i] = value;
                    return;
                }
            }
        }
    }

    void remove(K key) {
        int at = find(key);
        if (at >= 0) removeAt(at);
    }

    /** Empties a position {@link #find} returned and closes the hole (backward shift, so lookups never stop early). */
    void removeAt(int at) {
        int mask = hashes.length - 1;
        int hole = at;
        for (int j = (hole + 1) & mask; hashes[j] != 0; j = (j + 1) & mask) {
            int home = slot(hashes[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                hashes[hole] = hashes[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        hashes[hole] = 0;
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
        int mask = hashes.length - 1;
        for (int j = 0; j < oldHashes.length; j++) {
            if (oldHashes[j] == 0) continue;
            int i = slot(oldHashes[j], mask);
            while (hashes[i] != 0) i = (i + 1) & mask;
            keys[i] = oldKeys[j];
            hashes[i] = oldHashes[j];
            values[i] = oldValues[j];
        }
    }

    /** The hash code as stored: never 0, which marks an empty position. */
    private static int stored(int hashCode) {
        return hashCode == 0 ? 1 : hashCode;
    }

    int size() {
        return size;
    }

    private static int slot(int hashCode, int mask) {
        int h = hashCode * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }
}
