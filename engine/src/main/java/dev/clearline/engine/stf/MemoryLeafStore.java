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
 * first word already is a good hash. Each key owns one {@link Cell} for good (the STF never
 * deletes a leaf), so a caller that reads the same leaf on every operation can hold the cell and
 * skip the look-up. A cell keeps the last decoded form of its value until the value is replaced.
 * Stored value arrays are the writers' own and must not be mutated afterwards.
 */
public final class MemoryLeafStore implements LeafStore {
    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** One key's place in the store; {@link #value()} is null while the leaf does not exist. */
    public static final class Cell {
        private final byte[] key;
        private byte[] value;
        private Object decoded;

        private Cell(byte[] key) {
            this.key = key;
        }

        public byte[] value() {
            return value;
        }

        /** The value decoded, or null when the leaf does not exist; decoded once per written value. */
        public <T> T decoded(Class<T> type, Function<byte[], T> decoder) {
            if (value == null) return null;
            Object d = decoded;
            if (type.isInstance(d)) return type.cast(d);
            T fresh = decoder.apply(value);
            decoded = fresh;
            return fresh;
        }
    }

    private long[] words = new long[4 << 10];
    private Cell[] cells = new Cell[1 << 10];
    private int used;
    private int size;

    @Override
    public byte[] get(byte[] key) {
        Cell c = find(key, false);
        return c == null ? null : c.value;
    }

    @Override
    public <T> T get(byte[] key, Class<T> type, Function<byte[], T> decoder) {
        Cell c = find(key, false);
        return c == null ? null : c.decoded(type, decoder);
    }

    /** The cell of {@code key}, created empty if the leaf does not exist yet; it stays valid for good. */
    public Cell cell(byte[] key) {
        return find(key, true);
    }

    @Override
    public void putAll(List<Write> writes) {
        for (int w = 0, n = writes.size(); w < n; w++) {
            Write write = writes.get(w);
            if (write.value() == null) throw new IllegalArgumentException("a leaf value is never null: the STF does not delete leaves");
            Cell c = find(write.key(), true);
            if (c.value == null) size++;
            c.value = write.value();
            c.decoded = null;
        }
    }

    /** Visits every leaf (key, value), in no particular order. */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
        for (Cell c : cells) if (c != null && c.value != null) visitor.accept(c.key, c.value);
    }

    /** The number of leaves (keys with a value). */
    public int size() {
        return size;
    }

    private Cell find(byte[] key, boolean create) {
        if (key.length != 32) throw new IllegalArgumentException("state keys are 32 bytes, got " + key.length);
        long w0 = (long) WORD.get(key, 0);
        long w1 = (long) WORD.get(key, 8);
        long w2 = (long) WORD.get(key, 16);
        long w3 = (long) WORD.get(key, 24);
        int mask = cells.length - 1;
        for (int i = slot(w0, mask); ; i = (i + 1) & mask) {
            Cell c = cells[i];
            int b = i << 2;
            if (c == null) {
                if (!create) return null;
                words[b] = w0;
                words[b + 1] = w1;
                words[b + 2] = w2;
                words[b + 3] = w3;
                c = new Cell(key);
                cells[i] = c;
                if (++used * 2 > cells.length) grow();
                return c;
            }
            if (words[b] == w0 && words[b + 1] == w1 && words[b + 2] == w2 && words[b + 3] == w3) return c;
        }
    }

    private void grow() {
        long[] oldWords = words;
        Cell[] oldCells = cells;
        words = new long[oldWords.length * 2];
        cells = new Cell[oldCells.length * 2];
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
