package dev.clearline.engine.stf;

import java.util.List;

/**
 * The leaves the STF reads and writes: 32-byte state keys to ABI-encoded values. The state tree
 * ({@link TreeLeafStore}) gives roots; {@link MemoryLeafStore} is the exchange's fast mirror.
 */
public interface LeafStore {
    /** The value under {@code key}, or null when the leaf does not exist. */
    byte[] get(byte[] key);

    /** Writes (creates or replaces) leaves; a transition's writes arrive together. */
    void putAll(List<Write> writes);

    /** One leaf write. */
    record Write(byte[] key, byte[] value) {}
}
