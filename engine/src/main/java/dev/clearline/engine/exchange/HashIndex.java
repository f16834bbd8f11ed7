package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * An open-addressing map (no entry object per mapping, backward-shift deletion) for keys that
 * cache their hash code (order hashes, addresses): the exchange looks orders up by hash and
 * traders by address on every operation. The keys' hash codes sit in their own array so probing
 * compares ints and rarely touches a key object; unlike {@link java.util.HashMap}, whose shared
 * lookup code sees every key type in the JVM, the calls to {@code equals} here see one or two.
 * Single-threaded.
 */
final class HashIndex<K, V> {
    private static final int INITIAL = 1 << 10;

    private Object[] keys = new Object[INITIAL];
    private int[] hashes = new int[INITIAL];
    private Object[] values = new Object[INITIAL];
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

    /**
     * Writes the table as laid out: its length, then each occupied position with a reference to
     * its value ({@code refOf}: the value is written elsewhere, once). The key is not written: it
     * is always {@code keyOf(value)}, checked here. Positions are kept so a restored index is the
     * same table, not merely an equal map.
     */
    @SuppressWarnings("unchecked")
    void writeImage(ImageWriter out, ToLongFunction<V> refOf, Function<V, K> keyOf) {
        out.writeInt(hashes.length).writeInt(size);
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] == 0) continue;
            V v = (V) values[i];
            if (!keys[i].equals(keyOf.apply(v))) throw new IllegalStateException("a value is indexed under a key not its own: " + keys[i]);
            out.writeInt(i).writeLong(refOf.applyAsLong(v));
        }
    }

    /** Restores what {@link #writeImage} wrote into this index, which must be new; {@code resolve} finds a value by its reference. */
    @SuppressWarnings("unchecked")
    void readImage(ImageReader in, LongFunction<V> resolve, Function<V, K> keyOf) {
        if (size != 0) throw new IllegalStateException("restoring into an index that is not new");
        int length = in.readInt();
        int n = in.readCount(12);
        if (length < INITIAL || length > LongSet.MAX_TABLE || Integer.bitCount(length) != 1 || (long) n * 2 > length) {
            throw new ImageFormatException("an index of " + n + " entries in a table of " + length + " positions");
        }
        Object[] k = new Object[length];
        int[] h = new int[length];
        Object[] v = new Object[length];
        int last = -1;
        for (int j = 0; j < n; j++) {
            int at = in.readInt();
            if (at <= last || at >= length) throw new ImageFormatException("index position " + at + " after " + last + " in a table of " + length);
            last = at;
            long ref = in.readLong();
            V value = resolve.apply(ref);
            if (value == null) throw new ImageFormatException("index position " + at + " names " + ref + ", which the image does not hold");
            K key = keyOf.apply(value);
            k[at] = key;
            h[at] = stored(key.hashCode());
            v[at] = value;
        }
        keys = k;
        hashes = h;
        values = v;
        size = n;
        for (int i = 0; i < length; i++) {
            // each entry must be where a look-up finds it (no gap in its probe run, no earlier twin)
            if (h[i] != 0 && find((K) k[i]) != i) throw new ImageFormatException("index key " + k[i] + " at position " + i + " is not where a look-up finds it");
        }
    }
}
