package dev.clearline.engine.exchange;

/** An insert-only open-addressing set of longs (no boxing): a trader's used order nonces, fingerprints of cancelled hashes. */
final class LongSet {
    private static final long EMPTY = 0;

    private long[] slots = new long[16];
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
}
