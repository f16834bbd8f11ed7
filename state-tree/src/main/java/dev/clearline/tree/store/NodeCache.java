package dev.clearline.tree.store;

/**
 * Decoded nodes by key: an eight-way set-associative table in three arrays indexed by the key's
 * hash (a 32-bit tag per entry, the key, the node). A look-up reads one set's tags (one cache line)
 * and compares a key only where its tag matches; no allocation, no recency list to relink, which an
 * access-ordered map of millions of entries spent more time on than the tree did hashing. A new
 * entry takes a free way if its set has one, else evicts the set's oldest insertion (FIFO per set).
 *
 * <p>Eight ways rather than two: with the table a quarter full, a two-way set is full for about one
 * new entry in sixteen and dropped a live node each time (measured: 2.2 RocksDB reads per replayed
 * fill, most of the persistent replay's read time); eight full ways at that load are rare.
 */
final class NodeCache {
    private static final int WAYS = 8;

    private final int[] tags;
    private final NodeKey[] keys;
    private final Node[] nodes;
    /** Per set, the way the next eviction takes. */
    private final byte[] nextVictim;
    private final int setBits;

    /** @param entries how many nodes to hold at most, rounded up to a power of two (at least {@value #WAYS}, at most 2^30) */
    NodeCache(int entries) {
        int size = Math.max(WAYS, Integer.highestOneBit(Math.clamp(entries - 1L, 1, 1 << 29)) << 1);
        tags = new int[size];
        keys = new NodeKey[size];
        nodes = new Node[size];
        nextVictim = new byte[size / WAYS];
        setBits = Integer.numberOfTrailingZeros(size / WAYS);
    }

    Node get(NodeKey key) {
        long h = hash(key);
        int tag = tag(h);
        int base = set(h) * WAYS;
        for (int i = base; i < base + WAYS; i++) {
            if (tags[i] == tag && key.equals(keys[i])) {
                return nodes[i];
            }
        }
        return null;
    }

    void put(NodeKey key, Node node) {
        long h = hash(key);
        int tag = tag(h);
        int set = set(h);
        int base = set * WAYS;
        int free = -1;
        for (int i = base; i < base + WAYS; i++) {
            if (tags[i] == tag && key.equals(keys[i])) {
                nodes[i] = node;
                return;
            }
            if (free < 0 && tags[i] == 0) {
                free = i;
            }
        }
        if (free < 0) {
            int v = nextVictim[set];
            free = base + v;
            nextVictim[set] = (byte) ((v + 1) & (WAYS - 1));
        }
        tags[free] = tag;
        keys[free] = key;
        nodes[free] = node;
    }

    void remove(NodeKey key) {
        long h = hash(key);
        int tag = tag(h);
        int base = set(h) * WAYS;
        for (int i = base; i < base + WAYS; i++) {
            if (tags[i] == tag && key.equals(keys[i])) {
                tags[i] = 0;
                keys[i] = null;
                nodes[i] = null;
            }
        }
    }

    /** Entries held now (a full scan: for tests). */
    int size() {
        int n = 0;
        for (int t : tags) {
            if (t != 0) {
                n++;
            }
        }
        return n;
    }

    private int set(long h) {
        return setBits == 0 ? 0 : (int) (h >>> (64 - setBits));
    }

    private static int tag(long h) {
        return (int) h | 1;
    }

    /**
     * A path's bits sit at the top of its words (a node at depth d keeps only the first d bits), so
     * each word is rotated in before the multiply that spreads it; the set index takes the top bits.
     */
    private static long hash(NodeKey key) {
        long h = key.version() * 0x9E3779B97F4A7C15L ^ key.depth();
        h = (Long.rotateLeft(h, 29) ^ key.p0()) * 0xBF58476D1CE4E5B9L;
        h = (Long.rotateLeft(h, 29) ^ key.p1()) * 0x94D049BB133111EBL;
        h = (Long.rotateLeft(h, 29) ^ key.p2()) * 0xBF58476D1CE4E5B9L;
        h = (Long.rotateLeft(h, 29) ^ key.p3()) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }
}
