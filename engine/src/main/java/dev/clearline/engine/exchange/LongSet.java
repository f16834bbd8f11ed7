package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

/**
 * An open-addressing set of longs (no boxing, linear probing): a trader's used order nonces,
 * fingerprints of cancelled hashes. A removal shifts the values after it back into place, so the
 * table never holds a marker of a removed value: every value is where a look-up finds it, the
 * property an image is checked for.
 */
final class LongSet {
    private static final long EMPTY = 0;

    private static final int INITIAL = 16;
    /** Above this a table is not one an exchange grew: refused before allocating it. */
    static final int MAX_TABLE = 1 << 30;

    private long[] slots = new long[INITIAL];
    private int size;
    private boolean hasZero;

    boolean contains(long v) {
        if (v == EMPTY) return hasZero;
        int mask = slots.length - 1;
        for (int i = slot(v, mask); ; i = (i + 1) & mask) {
            if (slots[i] == EMPTY) return false;
            if (slots[i] == v) return true;
        }
    }

    void add(long v) {
        if (v == EMPTY) {
            hasZero = true;
            return;
        }
        int mask = slots.length - 1;
        for (int i = slot(v, mask); ; i = (i + 1) & mask) {
            if (slots[i] == v) return;
            if (slots[i] == EMPTY) {
                slots[i] = v;
                if (++size * 2 > slots.length) grow();
                return;
            }
        }
    }

    /** Removes {@code v}; true when it was there. */
    boolean remove(long v) {
        if (v == EMPTY) {
            boolean was = hasZero;
            hasZero = false;
            return was;
        }
        int at = position(v);
        if (at < 0) return false;
        int mask = slots.length - 1;
        slots[at] = EMPTY;
        // later values of the same probe run move back into the gap when their home slot is not between the gap and them
        for (int j = (at + 1) & mask; slots[j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(slots[j], mask);
            boolean stays = at <= j ? at < home && home <= j : at < home || home <= j;
            if (!stays) {
                slots[at] = slots[j];
                slots[j] = EMPTY;
                at = j;
            }
        }
        size--;
        return true;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        int mask = slots.length - 1;
        for (long v : old) {
            if (v == EMPTY) continue;
            int i = slot(v, mask);
            while (slots[i] != EMPTY) i = (i + 1) & mask;
            slots[i] = v;
        }
    }

    int size() {
        return size + (hasZero ? 1 : 0);
    }

    private static int slot(long v, int mask) {
        long h = v * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** Writes the table as it is laid out (its length and occupied slots), so a restored set is the same table. */
    void writeImage(ImageWriter out) {
        out.writeBoolean(hasZero).writeInt(size).writeInt(slots.length).writeSparseLongs(slots);
    }

    /** Restores what {@link #writeImage} wrote into this set, which must be new. */
    void readImage(ImageReader in) {
        if (size != 0 || hasZero) throw new IllegalStateException("restoring into a set that is not new");
        boolean zero = in.readBoolean();
        int n = in.readCount(8);
        int length = in.readInt();
        if (length < INITIAL || length > MAX_TABLE || Integer.bitCount(length) != 1 || (long) n * 2 > length) {
            throw new ImageFormatException("a set of " + n + " values in a table of " + length + " slots");
        }
        long[] table = new long[length];
        in.readSparseLongsInto(table);
        slots = table;
        int count = 0;
        for (int i = 0; i < length; i++) {
            // each value must be where a look-up finds it: otherwise the set would answer wrongly, not fail
            if (table[i] != EMPTY && (++count > n || position(table[i]) != i)) {
                throw new ImageFormatException("set value " + table[i] + " at slot " + i + " is not where a look-up finds it");
            }
        }
        if (count != n) throw new ImageFormatException("a set of " + n + " values holds " + count);
        size = n;
        hasZero = zero;
    }

    /** The slot holding {@code v} (non-zero), or -1. */
    private int position(long v) {
        int mask = slots.length - 1;
        for (int i = slot(v, mask); ; i = (i + 1) & mask) {
            if (slots[i] == v) return i;
            if (slots[i] == EMPTY) return -1;
        }
    }
}
