package dev.clearline.tree.store;

/**
 * Decoded nodes by key, in two arrays indexed by the key's hash: two-way set-associative, a new
 * entry evicting the older of its pair. A lookup is one or two array reads and an equality check,
 * with no allocation and no recency list to relink, which an access-ordered map of millions of
 * entries spent more time on than the tree did hashing.
 */
final class NodeCache {
    private final NodeKey[] keys;
    private final Node[] nodes;
    private final int mask;

    /** @param entries how many nodes to hold at most, rounded up to a power of two (at least 2) */
    NodeCache(int entries) {
        int size = Integer.highestOneBit(Math.max(2, entries - 1)) << 1;
        keys = new NodeKey[size];
        nodes = new Node[size];
        mask = size - 2;
    }

    Node get(NodeKey key) {
        int i = set(key);
        if (key.equals(keys[i])) {
            return nodes[i];
        }
        if (key.equals(keys[i + 1])) {
            return nodes[i + 1];
        }
        return null;
    }

    void put(NodeKey key, Node node) {
        int i = set(key);
        if (!key.equals(keys[i])) {
            // The newer entry sits first; the one it displaces moves to the second way.
            keys[i + 1] = keys[i];
            nodes[i + 1] = nodes[i];
            keys[i] = key;
        }
        nodes[i] = node;
    }

    void remove(NodeKey key) {
        int i = set(key);
        for (int j = i; j < i + 2; j++) {
            if (key.equals(keys[j])) {
                keys[j] = null;
                nodes[j] = null;
            }
        }
    }

    private int set(NodeKey key) {
        long h = key.version() * 0x9E3779B97F4A7C15L;
        h ^= key.depth() * 0xC2B2AE3D27D4EB4FL;
        h ^= key.p0() * 0x165667B19E3779F9L;
        h ^= key.p1() * 0x85EBCA77C2B2AE63L;
        h ^= key.p2() ^ key.p3();
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (int) h & mask;
    }
}
