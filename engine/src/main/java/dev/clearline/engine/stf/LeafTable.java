package dev.clearline.engine.stf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Cells by 32-byte state key, the table under both leaf stores ({@link MemoryLeafStore}'s leaves,
 * {@link TreeLeafStore}'s leaves at hand). Open addressing with each key's four words inline, so a
 * look-up compares words in one array instead of chasing a key object; state keys are Keccak
 * outputs, so the first word already is a good hash. A cell is removed alone (a pruned leaf) or all at once.
 *
 * @param <C> what the owner keeps per key
 */
final class LeafTable<C> {
    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private long[] words;
    private Object[] cells;
    private int size;

    LeafTable() {
        clear();
    }

    /** Keys with a cell. */
    int size() {
        return size;
    }

    void clear() {
        words = new long[4 << 10];
        cells = new Object[1 << 10];
        size = 0;
    }

    /**
     * The cell of {@code key}; when there is none, null, or (with {@code make}) a new one made from
     * the key.
     */
    @SuppressWarnings("unchecked")
    C find(byte[] key, Function<byte[], C> make) {
        int at = locate(key);
        if (at >= 0) return (C) cells[at];
        if (make == null) return null;
        int i = -1 - at;
        for (int w = 0; w < 4; w++) words[(i << 2) + w] = (long) WORD.get(key, w << 3);
        C made = make.apply(key);
        cells[i] = made;
        if (++size * 2 > cells.length) grow();
        return made;
    }

    /**
     * Removes the cell of {@code key} and returns it (null: there was none). Linear probing without
     * tombstones: the cells after the hole that could sit in it move back, so a look-up still stops
     * at the first empty slot.
     */
    @SuppressWarnings("unchecked")
    C remove(byte[] key) {
        int hole = locate(key);
        if (hole < 0) return null;
        C removed = (C) cells[hole];
        cells[hole] = null;
        size--;
        int mask = cells.length - 1;
        for (int j = (hole + 1) & mask; cells[j] != null; j = (j + 1) & mask) {
            int home = slot(words[j << 2], mask);
            // the cell at j stays when its home slot lies cyclically in (hole, j]
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (stays) continue;
            System.arraycopy(words, j << 2, words, hole << 2, 4);
            cells[hole] = cells[j];
            cells[j] = null;
            hole = j;
        }
        return removed;
    }

    /** The slot holding {@code key}, or {@code -1 - s} with {@code s} the empty slot where its probe run ends. */
    private int locate(byte[] key) {
        if (key.length != 32) throw new IllegalArgumentException("state keys are 32 bytes, got " + key.length);
        long w0 = (long) WORD.get(key, 0);
        long w1 = (long) WORD.get(key, 8);
        long w2 = (long) WORD.get(key, 16);
        long w3 = (long) WORD.get(key, 24);
        int mask = cells.length - 1;
        for (int i = slot(w0, mask); ; i = (i + 1) & mask) {
            if (cells[i] == null) return -1 - i;
            int b = i << 2;
            if (words[b] == w0 && words[b + 1] == w1 && words[b + 2] == w2 && words[b + 3] == w3) return i;
        }
    }

    /** Visits every cell, in no particular order. */
    @SuppressWarnings("unchecked")
    void forEach(Consumer<C> visitor) {
        for (Object c : cells) if (c != null) visitor.accept((C) c);
    }

    private void grow() {
        long[] oldWords = words;
        Object[] oldCells = cells;
        words = new long[oldWords.length * 2];
        cells = new Object[oldCells.length * 2];
        int mask = cells.length - 1;
        for (int j = 0; j < oldCells.length; j++) {
            if (oldCells[j] == null) continue;
            int i = slot(oldWords[j << 2], mask);
            while (cells[i] != null) i = (i + 1) & mask;
            System.arraycopy(oldWords, j << 2, words, i << 2, 4);
            cells[i] = oldCells[j];
        }
    }

    private static int slot(long firstWord, int mask) {
        long h = firstWord * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
