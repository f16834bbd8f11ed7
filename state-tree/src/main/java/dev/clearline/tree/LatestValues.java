package dev.clearline.tree;

import java.util.HashMap;

/**
 * Values of the latest version by key, so that {@link SparseMerkleTree#get(Bytes32)} costs one hash
 * lookup instead of a walk down the tree (proofs and reads of older versions still walk).
 *
 * <p>It holds keys the tree has read or written since it was opened, present ones with their value
 * and absent ones with {@link #ABSENT}; a key not held here is unknown, not absent. It belongs to one
 * version: when the store's latest version is not the one the cache was filled for (another writer,
 * or a failed commit), it starts over. Bounded: once full it only refreshes the keys it holds.
 */
final class LatestValues {
    /** Marks a key known to be absent from the version. */
    static final byte[] ABSENT = new byte[0];

    private final int capacity;
    private final HashMap<Bytes32, byte[]> values;
    private long version = Long.MIN_VALUE;

    LatestValues(int capacity) {
        this.capacity = capacity;
        this.values = new HashMap<>();
    }

    /** The value known for {@code key} in {@code latest}: the value, {@link #ABSENT}, or {@code null} when unknown. */
    byte[] lookup(long latest, Bytes32 key) {
        if (latest != version) {
            values.clear();
            version = latest;
            return null;
        }
        return values.get(key);
    }

    /** Records what a walk of {@code latest} found for {@code key} ({@code null}: absent). */
    void learn(long latest, Bytes32 key, byte[] value) {
        if (latest == version && (values.size() < capacity || values.containsKey(key))) {
            values.put(key, value == null ? ABSENT : value);
        }
    }

    /**
     * Moves the cache from {@code previous} to {@code committed}, which wrote {@code keys} with
     * {@code newValues} ({@code null}: deleted); every other key kept its value.
     */
    void advance(long previous, long committed, byte[][] keys, byte[][] newValues) {
        if (version != previous || capacity == 0) {
            values.clear();
            version = committed;
            return;
        }
        version = committed;
        for (int i = 0; i < keys.length; i++) {
            byte[] v = newValues[i] == null ? ABSENT : newValues[i];
            Bytes32 key = Bytes32.wrap(keys[i]);
            if (values.size() < capacity) {
                values.put(key, v);
            } else {
                values.replace(key, v);
            }
        }
    }
}
