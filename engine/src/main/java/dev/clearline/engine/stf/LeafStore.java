package dev.clearline.engine.stf;

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

    /** Writes (creates or replaces) leaves; a transition's writes arrive together. */
    void putAll(List<Write> writes);

    /** One leaf write. */
    record Write(byte[] key, byte[] value) {}
}
