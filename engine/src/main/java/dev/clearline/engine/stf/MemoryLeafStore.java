package dev.clearline.engine.stf;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Leaves in a hash table ({@link LeafTable}), no Merkle root: the exchange's mirror of the state,
 * run through the same STF. Each key owns one {@link Cell} for good (the STF never
 * deletes a leaf), so a caller that reads the same leaf on every operation can hold the cell and
 * skip the look-up. A cell keeps the last decoded form of its value until the value is replaced.
 * Stored value arrays are the writers' own and must not be mutated afterwards.
 */
public final class MemoryLeafStore implements LeafStore {
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

    private final LeafTable<Cell> table = new LeafTable<>();
    private int size;

    /** State keys derived for {@link StateReads}, per kind; a kind's map starts over when full. */
    private final KeyCache keys = new KeyCache(4_096);

    @Override
    public KeyCache keys() {
        return keys;
    }

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
            c.decoded = write.decoded(); // the record the value encodes, or null: decoded at the next read
        }
    }

    /** Visits every leaf (key, value), in no particular order. */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
        table.forEach(c -> {
            if (c.value != null) visitor.accept(c.key, c.value);
        });
    }

    /** The number of leaves (keys with a value). */
    public int size() {
        return size;
    }

    private Cell find(byte[] key, boolean create) {
        return table.find(key, create ? Cell::new : null);
    }
}
