package dev.clearline.engine.book;

/**
 * Order id to slot, open addressing with linear probing and backward-shift deletion: no boxing,
 * no allocation after construction, no tombstones that would slow lookups after heavy churn.
 * Keys and slots are interleaved in one array so a lookup usually costs a single cache miss.
 */
final class OrderIndex {
    static final int ABSENT = -1;

    private final long[] table;
    private final int mask;

    OrderIndex(int maxEntries) {
        int capacity = Integer.highestOneBit(Math.max(16, maxEntries) * 2 - 1) << 1;
        table = new long[capacity * 2];
        for (int i = 1; i < table.length; i += 2) {
            table[i] = ABSENT;
        }
        mask = capacity - 1;
    }

    int get(long key) {
        for (int i = home(key); ; i = (i + 1) & mask) {
            long slot = table[2 * i + 1];
            if (slot == ABSENT || table[2 * i] == key) {
                return (int) slot;
            }
        }
    }

    /** Maps a key that is not present. */
    void put(long key, int slot) {
        int i = home(key);
        while (table[2 * i + 1] != ABSENT) {
            i = (i + 1) & mask;
        }
        table[2 * i] = key;
        table[2 * i + 1] = slot;
    }

    void remove(long key) {
        int i = home(key);
        while (table[2 * i] != key || table[2 * i + 1] == ABSENT) {
            if (table[2 * i + 1] == ABSENT) {
                return;
            }
            i = (i + 1) & mask;
        }
        // Shift later members of the probe run back so every key stays reachable from its home.
        int gap = i;
        for (int j = (gap + 1) & mask; table[2 * j + 1] != ABSENT; j = (j + 1) & mask) {
            int h = home(table[2 * j]);
            boolean movable = gap <= j ? (h <= gap || h > j) : (h <= gap && h > j);
            if (movable) {
                table[2 * gap] = table[2 * j];
                table[2 * gap + 1] = table[2 * j + 1];
                gap = j;
            }
        }
        table[2 * gap + 1] = ABSENT;
    }

    private int home(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
