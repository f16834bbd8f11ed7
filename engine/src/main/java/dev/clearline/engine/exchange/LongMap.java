package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * An open-addressing map from long to object (backward-shift deletion, no boxing), for the
 * exchange's per-operation lookups by book order id. Single-threaded.
 */
final class LongMap<V> {
    private static final int INITIAL = 1 << 10;

    private long[] keys = new long[INITIAL];
    private Object[] values = new Object[INITIAL];
    private int size;

    @SuppressWarnings("unchecked")
    V get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) return null;
            if (keys[i] == key) return (V) v;
        }
    }

    /** A snapshot of the values, for rare whole-map passes (liquidation clean-up), not per-operation use. */
    @SuppressWarnings("unchecked")
    java.util.List<V> values() {
        java.util.List<V> out = new java.util.ArrayList<>(size);
        for (Object v : values) if (v != null) out.add((V) v);
        return out;
    }

    /** Stores a non-null value. */
    void put(long key, V value) {
        if (value == null) throw new IllegalArgumentException("LongMap stores non-null values only");
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (values[i] == null) {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) grow();
                return;
            }
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    V remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (true) {
            if (values[i] == null) return null;
            if (keys[i] == key) break;
            i = (i + 1) & mask;
        }
        V old = (V) values[i];
        // backward shift: pull later entries of the probe run into the hole so lookups never stop early
        int hole = i;
        for (int j = (hole + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = null;
        size--;
        return old;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldValues[j] == null) continue;
            int i = slot(oldKeys[j], mask);
            while (values[i] != null) i = (i + 1) & mask;
            keys[i] = oldKeys[j];
            values[i] = oldValues[j];
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /**
     * Writes the table as laid out: its length, then each occupied position with its key and
     * value. {@link #values} walks positions, and that order reaches the output (liquidation
     * cancels in it), so a restored map must hold every entry at the same position.
     */
    @SuppressWarnings("unchecked")
    void writeImage(ImageWriter out, BiConsumer<ImageWriter, V> writeValue) {
        out.writeInt(keys.length).writeInt(size);
        for (int i = 0; i < keys.length; i++) {
            if (values[i] == null) continue;
            out.writeInt(i).writeLong(keys[i]);
            writeValue.accept(out, (V) values[i]);
        }
    }

    /**
     * Restores what {@link #writeImage} wrote into this map, which must be new; {@code keyOf}
     * states the key each value must be under (a value read for another key is refused).
     */
    void readImage(ImageReader in, Function<ImageReader, V> readValue, ToLongFunction<V> keyOf) {
        if (size != 0) throw new IllegalStateException("restoring into a map that is not new");
        int length = in.readInt();
        int n = in.readCount(12);
        if (length < INITIAL || length > LongSet.MAX_TABLE || Integer.bitCount(length) != 1 || (long) n * 2 > length) {
            throw new ImageFormatException("a map of " + n + " entries in a table of " + length + " positions");
        }
        long[] k = new long[length];
        Object[] v = new Object[length];
        int last = -1;
        for (int j = 0; j < n; j++) {
            int at = in.readInt();
            if (at <= last || at >= length) throw new ImageFormatException("map position " + at + " after " + last + " in a table of " + length);
            last = at;
            k[at] = in.readLong();
            V value = readValue.apply(in);
            if (keyOf.applyAsLong(value) != k[at]) throw new ImageFormatException("a value under key " + k[at] + " is not that key's");
            v[at] = value;
        }
        keys = k;
        values = v;
        size = n;
        for (int i = 0; i < length; i++) {
            // each entry must be where a look-up finds it (no gap in its probe run, no earlier twin)
            if (v[i] != null && get(k[i]) != v[i]) throw new ImageFormatException("map key " + k[i] + " at position " + i + " is not where a look-up finds it");
        }
    }
}
