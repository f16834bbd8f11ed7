package dev.clearline.engine.stf;

import dev.clearline.engine.state.LeafValue;

import java.util.List;
import java.util.function.Function;

/**
 * The leaves the STF reads and writes: 32-byte state keys to ABI-encoded values. The state tree
 * ({@link TreeLeafStore}) gives roots; {@link MemoryLeafStore} is the exchange's fast mirror.
 */
public interface LeafStore {
    /** The value under {@code key}, or null when the leaf does not exist. */
    byte[] get(byte[] key);

    /**
     * The value under {@code key} decoded, or null when the leaf does not exist. A store may hand
     * back the same decoded object while the value is unchanged (leaf records are immutable).
     */
    default <T> T get(byte[] key, Class<T> type, Function<byte[], T> decoder) {
        byte[] v = get(key);
        return v == null ? null : decoder.apply(v);
    }

    /**
     * The state keys derived for this store's readers ({@link StateReads}), kept with the state so
     * a caller that reads the same leaves again does not pay a Keccak-256 per read; bounded. Null
     * when the store keeps none: each read then derives its key.
     */
    default KeyCache keys() {
        return null;
    }

    /** Writes (creates, replaces or deletes: {@link Write#deletes()}) leaves; a transition's writes arrive together. */
    void putAll(List<Write> writes);

    /**
     * Whether this store keeps the records written to it and encodes a value only when one is asked
     * for: the STF then writes the records alone ({@link Write#value()} null), sparing an encoding
     * per write that nothing reads (the exchange's mirror: its reads are typed). A tree hashes every
     * value it is given, so it takes bytes.
     */
    default boolean keepsRecords() {
        return false;
    }

    /**
     * One leaf write. {@code decoded} is the leaf record {@code value} encodes, when the writer has it (the STF's
     * rules do): a store may hand it to the next read of this key instead of decoding {@code value} again (a new
     * record per read was a share of what the exchange's STF mirror allocated per order). Null: decode when read.
     */
    record Write(byte[] key, byte[] value, Object decoded) {
        /** The value of a write that deletes its leaf: empty, which no leaf's encoding is. */
        private static final byte[] DELETED = new byte[0];

        public Write(byte[] key, byte[] value) {
            this(key, value, null);
        }

        /** A write that deletes the leaf under {@code key} (only PruneOrder deletes, and only ORDER leaves). */
        public static Write delete(byte[] key) {
            return new Write(key, DELETED, null);
        }

        /** Whether this write deletes its leaf. */
        public boolean deletes() {
            return value != null && value.length == 0;
        }

        /**
         * The value's bytes: as written, or encoded from the record when the writer left that to the
         * store; empty for a {@link #deletes() delete}.
         */
        public byte[] bytes() {
            if (value != null) return value;
            if (decoded instanceof LeafValue v) return v.encode();
            throw new IllegalArgumentException("a write carries its value, its leaf record, or the empty value of a delete");
        }
    }
}
