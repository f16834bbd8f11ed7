package dev.clearline.tree;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The puts and deletes of one version, by key; the last write to a key wins. */
public final class WriteSet {
    private final TreeMap<Bytes32, Optional<byte[]>> writes = new TreeMap<>();

    public WriteSet put(Bytes32 key, byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("value of " + key + " is null; use delete(key) to remove a key");
        }
        writes.put(key, Optional.of(value.clone()));
        return this;
    }

    public WriteSet delete(Bytes32 key) {
        writes.put(key, Optional.empty());
        return this;
    }

    public int size() {
        return writes.size();
    }

    /** Writes in ascending key order; an empty value means delete. */
    Map<Bytes32, Optional<byte[]>> sorted() {
        return Collections.unmodifiableMap(writes);
    }
}
