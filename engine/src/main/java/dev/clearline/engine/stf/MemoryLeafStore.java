package dev.clearline.engine.stf;

import dev.clearline.engine.state.LeafValue;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Leaves in a hash table ({@link LeafTable}), no Merkle root: the exchange's mirror of the state,
 * run through the same STF. Each key owns one {@link Cell} while its leaf exists, so a caller that
 * reads the same leaf on every operation can hold the cell and skip the look-up (only ORDER leaves
 * are ever deleted, by PruneOrder: a deleted leaf's cell leaves the table and reads as absent). A cell keeps the last decoded form of its value until the value is replaced.
 * Stored value arrays are the writers' own and must not be mutated afterwards.
 */
public final class MemoryLeafStore implements LeafStore {
    /**
     * One key's place in the store; {@link #value()} is null while the leaf does not exist. A leaf
     * the STF wrote is kept as its record alone and encoded only when its bytes are asked for (an
     * image, a raw read): the exchange's reads are typed, and an encoding per write was a share of
     * what the mirror allocated per order. A leaf written as bytes (an image loaded) keeps them.
     */
    public static final class Cell {
        private final byte[] key;
        /** The value's bytes, or null while the leaf is held as its record ({@link #record}) or does not exist. */
        private byte[] value;
        /** The record the STF wrote: the value, when {@link #value} is null. */
        private LeafValue record;
        /** The last decoded form of {@link #value}. */
        private Object decoded;

        private Cell(byte[] key) {
            this.key = key;
        }

        boolean exists() {
            return value != null || record != null;
        }

        /** The value's bytes (encoded from its record when the leaf is held as one), or null when the leaf does not exist. */
        public byte[] value() {
            if (value != null) return value;
            return record == null ? null : record.encode();
        }

        /** The value decoded, or null when the leaf does not exist; decoded once per written value. */
        public <T> T decoded(Class<T> type, Function<byte[], T> decoder) {
            if (record != null) {
                if (type.isInstance(record)) return type.cast(record);
                return decoder.apply(record.encode()); // a leaf read as another type: a bug's path, kept exact
            }
            if (value == null) return null;
            Object d = decoded;
            if (type.isInstance(d)) return type.cast(d);
            T fresh = decoder.apply(value);
            decoded = fresh;
            return fresh;
        }

        /** The leaf was deleted: whoever still holds this cell reads it as absent. */
        void clear() {
            value = null;
            record = null;
            decoded = null;
        }

        /** Takes a write {@link #putAll} checked: bytes, or a record alone. */
        void set(LeafStore.Write w) {
            if (w.value() == null) {
                record = (LeafValue) w.decoded();
                value = null;
                decoded = null;
            } else {
                value = w.value();
                record = null;
                decoded = w.decoded(); // the record the value encodes, or null: decoded at the next read
            }
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
        return c == null ? null : c.value();
    }

    @Override
    public boolean keepsRecords() {
        return true;
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
            if (write.value() == null && !(write.decoded() instanceof LeafValue)) {
                throw new IllegalArgumentException("a write carries its value, its leaf record, or the empty value of a delete");
            }
            if (write.deletes()) {
                Cell gone = table.remove(write.key());
                if (gone != null && gone.exists()) size--;
                if (gone != null) gone.clear();
                continue;
            }
            Cell c = find(write.key(), true);
            if (!c.exists()) size++;
            c.set(write);
        }
    }

    /** Visits every leaf (key, value), in no particular order. */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
        table.forEach(c -> {
            if (c.exists()) visitor.accept(c.key, c.value());
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
