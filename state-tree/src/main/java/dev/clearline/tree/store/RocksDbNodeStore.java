package dev.clearline.tree.store;

import dev.clearline.tree.hash.TreeHash;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The persistent node store. Each version is one RocksDB {@link WriteBatch} (built in Java and
 * handed over in one call, {@link SerializedWriteBatch}) holding its nodes, its
 * stale-node index entries, its root and the "latest completed version" marker, so a process
 * killed mid-commit leaves either the whole version or none of it: on reopen the previous version
 * is intact and the interrupted one is absent.
 *
 * <p>What survives depends on {@link Durability}. With the default, {@link Durability#SYNCED},
 * {@link #commit} returns only after the batch's write-ahead-log record is on disk (fsync), so a
 * version that was committed survives a power loss or a kernel crash as well as a killed process.
 * With {@link Durability#PROCESS_CRASH_ONLY} the record is handed to the operating system and
 * {@code commit} returns at once: a killed process loses nothing committed, but a power loss may
 * lose the most recent versions (never part of one; the store reopens at an earlier complete
 * version). Prunes are never synced: losing one only brings back versions that were to be dropped.
 *
 * <p>Key space (one column family, one-byte prefixes): {@code n||nodeKey} nodes,
 * {@code r||version} roots, {@code s||staleSince} stale index (the keys of the nodes that version
 * replaced, concatenated), {@code m} marker (latest, oldest). Node and root values carry a CRC32C,
 * checked whenever they are read from disk.
 *
 * <p>In memory: the latest version's root node, pinned, whose links reach the top
 * {@link Settings#linkedLevels()} levels of the latest tree (the tree builds them linked, see
 * {@link NodeStore#linkedLevels()}), so walks through them look nothing up; and a bounded
 * {@link NodeCache} of decoded nodes below those levels (and of any node read from disk), from which
 * the nodes a version replaces are dropped at its commit. Neither changes what is written.
 */
public final class RocksDbNodeStore implements NodeStore {
    private static final byte NODE = 'n';
    private static final byte ROOT = 'r';
    private static final byte STALE = 's';
    private static final byte[] MARKER = {'m'};
    /** Decoded nodes kept in memory by default: about the nodes of a 2M-leaf tree, some hundreds of MB of heap. */
    public static final int DEFAULT_CACHED_NODES = 1 << 22;
    /**
     * Top levels of the latest version kept in memory by default, linked from its root: at most
     * 2^18 internal nodes (about 60 MB once a tree has more than a quarter million leaves), and
     * every walk through them follows links instead of looking nodes up.
     */
    public static final int DEFAULT_LINKED_LEVELS = 18;

    static {
        RocksDB.loadLibrary();
    }

    /** What a committed version survives. */
    public enum Durability {
        /** Each commit waits for its write-ahead-log record to reach the disk: survives power loss. */
        SYNCED,
        /** Commits are not synced: survives a killed process, a power loss may drop the latest versions. */
        PROCESS_CRASH_ONLY
    }

    /**
     * @param cachedNodes decoded nodes kept in memory (a tree of n leaves has about 2n nodes; misses cost a RocksDB read each)
     * @param durability  what a committed version survives
     */
    public record Settings(int cachedNodes, Durability durability, int linkedLevels) {
        public Settings {
            if (cachedNodes < 2) {
                throw new IllegalArgumentException("cachedNodes is " + cachedNodes + "; pass at least 2");
            }
            java.util.Objects.requireNonNull(durability, "durability");
            if (linkedLevels < 0 || linkedLevels > 257) {
                throw new IllegalArgumentException("linkedLevels is " + linkedLevels + "; pass 0 to 257 (the tree has 257 levels)");
            }
        }

        /** With {@link #DEFAULT_LINKED_LEVELS} linked levels. */
        public Settings(int cachedNodes, Durability durability) {
            this(cachedNodes, durability, DEFAULT_LINKED_LEVELS);
        }

        /** {@link #DEFAULT_CACHED_NODES}, {@link Durability#SYNCED} and {@link #DEFAULT_LINKED_LEVELS}. */
        public static Settings defaults() {
            return new Settings(DEFAULT_CACHED_NODES, Durability.SYNCED, DEFAULT_LINKED_LEVELS);
        }

        public Settings withCachedNodes(int n) {
            return new Settings(n, durability, linkedLevels);
        }

        public Settings withDurability(Durability d) {
            return new Settings(cachedNodes, d, linkedLevels);
        }

        /** How many top levels of the latest version stay in memory, linked from its root ({@link NodeStore#linkedLevels()}). */
        public Settings withLinkedLevels(int levels) {
            return new Settings(cachedNodes, durability, levels);
        }
    }

    /** RocksDB's order of node keys within one version: by depth, then by path as unsigned numbers. */
    private static final java.util.Comparator<VersionCommit.Written> WRITE_ORDER = (a, b) -> {
        NodeKey x = a.key();
        NodeKey y = b.key();
        int c = Long.compare(x.version(), y.version());
        if (c == 0) c = Integer.compare(x.depth(), y.depth());
        if (c == 0) c = Long.compareUnsigned(x.p0(), y.p0());
        if (c == 0) c = Long.compareUnsigned(x.p1(), y.p1());
        if (c == 0) c = Long.compareUnsigned(x.p2(), y.p2());
        if (c == 0) c = Long.compareUnsigned(x.p3(), y.p3());
        return c;
    };

    private final Options options;
    private final LRUCache cache;
    private final RocksDB db;
    /** For version commits: synced or not, as {@link Settings#durability()} says. */
    private final WriteOptions commitOptions;
    /** For prunes, never synced (see the class comment). */
    private final WriteOptions pruneOptions = new WriteOptions();
    /**
     * Nodes below the linked levels recently read or written, and nodes of any depth read from
     * disk; never with in-memory child links below the linked levels (they would pin whole subtrees).
     */
    private final NodeCache decoded;
    private final int linkedLevels;
    /**
     * The latest version's root node and its key. The tree builds nodes above
     * {@link #linkedLevels} with links to their children, so this one node holds the top of the
     * latest tree in memory: those nodes are not put in {@link #decoded}, and a walk down through
     * them never looks a node up.
     */
    private Node pinnedRoot;
    private NodeKey pinnedRootKey;
    private long latest;
    private long oldest;
    /** The latest version's root, which every read and commit of the tree asks for first. */
    private RootRef latestRoot;

    private RocksDbNodeStore(Options options, LRUCache cache, RocksDB db, Settings settings) {
        this.decoded = new NodeCache(settings.cachedNodes());
        this.linkedLevels = settings.linkedLevels();
        this.commitOptions = new WriteOptions().setSync(settings.durability() == Durability.SYNCED);
        this.options = options;
        this.cache = cache;
        this.db = db;
    }

    /**
     * Opens (or creates) a store in {@code dir}, checking that the latest version's root and root
     * node are intact.
     *
     * @throws StoreCorruptedException naming the version and key when they are not; nothing is written
     */
    public static RocksDbNodeStore open(Path dir) {
        return open(dir, Settings.defaults());
    }

    /**
     * As {@link #open(Path)}, keeping up to {@code cachedNodes} decoded nodes in memory (a tree of n
     * leaves has about 2n nodes; misses cost a RocksDB read each).
     */
    public static RocksDbNodeStore open(Path dir, int cachedNodes) {
        return open(dir, Settings.defaults().withCachedNodes(cachedNodes));
    }

    /** As {@link #open(Path)}, with the given cache size and durability. */
    public static RocksDbNodeStore open(Path dir, Settings settings) {
        LRUCache cache = new LRUCache(256L << 20);
        // Node keys and hashes are random bytes: compression costs CPU on every flush and compaction
        // and saves nothing. Larger memtables let a node written and pruned soon after (most of
        // them, under churn) die in memory before reaching a file.
        Options options = new Options().setCreateIfMissing(true).setWriteBufferSize(128L << 20)
                .setMaxWriteBufferNumber(4).setMaxBackgroundJobs(2)
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache)
                        .setFilterPolicy(new BloomFilter(10, false)));
        RocksDB db;
        try {
            db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            options.close();
            cache.close();
            throw new IllegalStateException("cannot open RocksDB tree store at " + dir + ": " + e.getMessage()
                    + " (is another process using it?)", e);
        }
        RocksDbNodeStore store = new RocksDbNodeStore(options, cache, db, settings);
        try {
            store.readMarkerAndCheckLatest();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void readMarkerAndCheckLatest() {
        byte[] m = get(MARKER);
        if (m == null) {
            latest = -1;
            oldest = 0;
            return;
        }
        if (m.length != 16) {
            throw new StoreCorruptedException(-1, "marker", "the latest-version marker has " + m.length + " bytes, not 16");
        }
        latest = ByteBuffer.wrap(m).getLong();
        oldest = ByteBuffer.wrap(m).getLong(8);
        byte[] rootBytes = get(rootKey(latest));
        if (rootBytes == null) {
            throw new StoreCorruptedException(latest, "root " + latest, "the latest version has no root record");
        }
        RootRef root = NodeCodec.decodeRoot(rootBytes);
        if (root == null || root.version() != latest) {
            throw new StoreCorruptedException(latest, "root " + latest, "the root record fails its checksum");
        }
        latestRoot = root;
        if (root.isEmpty()) {
            return;
        }
        NodeKey rootNode = new NodeKey(root.rootNodeVersion(), 0, 0, 0, 0, 0);
        Node node = node(rootNode);
        if (node == null) {
            throw new StoreCorruptedException(latest, rootNode.toString(), "the root node is missing");
        }
        byte[] recomputed = switch (node) {
            case Node.Internal in -> TreeHash.node(in.leftHash(), in.rightHash());
            case Node.Leaf leaf -> TreeHash.leaf(leaf.key(), TreeHash.value(leaf.value()));
        };
        if (!Arrays.equals(recomputed, root.hash()) || !Arrays.equals(node.hash(), root.hash())) {
            throw new StoreCorruptedException(latest, rootNode.toString(), "the root node does not hash to the recorded root");
        }
        pinnedRoot = node;
        pinnedRootKey = rootNode;
    }

    @Override
    public Node node(NodeKey key) {
        if (key.depth() == 0 && key.equals(pinnedRootKey)) {
            return pinnedRoot;
        }
        Node cached;
        // The cache is the one thing a read changes; RocksDB's own reads are thread-safe (concurrentReads).
        synchronized (decoded) {
            cached = decoded.get(key);
        }
        if (cached != null) {
            return cached;
        }
        byte[] raw = get(nodeKey(key));
        if (raw == null) {
            return null;
        }
        Node n = NodeCodec.decode(raw);
        if (n == null) {
            throw new StoreCorruptedException(key.version(), key.toString(), "the node record fails its checksum or layout");
        }
        synchronized (decoded) {
            decoded.put(key, n);
        }
        return n;
    }

    /** Reads from several threads are safe: RocksDB's are, and the node cache is guarded in {@link #node}. */
    @Override
    public boolean concurrentReads() {
        return true;
    }

    @Override
    public Optional<RootRef> root(long version) {
        if (version < oldest || version > latest) {
            return Optional.empty();
        }
        if (version == latest && latestRoot != null) {
            return Optional.of(latestRoot);
        }
        byte[] raw = get(rootKey(version));
        if (raw == null) {
            return Optional.empty();
        }
        RootRef r = NodeCodec.decodeRoot(raw);
        if (r == null) {
            throw new StoreCorruptedException(version, "root " + version, "the root record fails its checksum");
        }
        return Optional.of(r);
    }

    @Override
    public int linkedLevels() {
        return linkedLevels;
    }

    @Override
    public long latestVersion() {
        return latest;
    }

    @Override
    public long oldestVersion() {
        return oldest;
    }

    @Override
    public void commit(VersionCommit commit) {
        if (commit.version() != latest + 1) {
            throw new IllegalStateException("bug: committing version " + commit.version() + " after " + latest);
        }
        // In key order: RocksDB's memtable inserts a batch's records one after another, starting
        // each search where the previous insert ended, so ascending keys cost a few steps each
        // instead of a walk from the top of the skip list (the tree lists them children first).
        VersionCommit.Written[] written = inKeyOrder(commit.nodes());
        byte[] staleKey = null;
        byte[] staleNodes = null;
        if (!commit.stale().isEmpty()) {
            // One record per version, not one per node: the index costs a memtable insert per
            // version instead of per replaced node, and pruning reads it back in one step.
            staleKey = staleKey(commit.version());
            staleNodes = new byte[commit.stale().size() * NodeKey.ENCODED_LENGTH];
            int at = 0;
            for (NodeKey k : commit.stale()) {
                k.encodeInto(staleNodes, at);
                at += NodeKey.ENCODED_LENGTH;
            }
        }
        byte[] rootKey = rootKey(commit.version());
        byte[] root = NodeCodec.encodeRoot(commit.root());
        byte[] marker = marker(commit.version(), oldest);
        // the batch's exact size, so its array is handed to RocksDB as it is, not copied to its length first
        // (the copy was as much garbage as the batch itself: 15 % of a persistent replay's allocation)
        int bytes = SerializedWriteBatch.recordLength(rootKey.length, root.length) + SerializedWriteBatch.recordLength(MARKER.length, marker.length);
        if (staleNodes != null) bytes += SerializedWriteBatch.recordLength(staleKey.length, staleNodes.length);
        for (VersionCommit.Written w : written) {
            bytes += SerializedWriteBatch.recordLength(1 + NodeKey.ENCODED_LENGTH, NodeCodec.encodedLength(w.node()));
        }
        SerializedWriteBatch rep = new SerializedWriteBatch(bytes);
        for (VersionCommit.Written w : written) {
            rep.putNode(NODE, w.key(), w.node());
        }
        if (staleNodes != null) rep.put(staleKey, staleNodes);
        rep.put(rootKey, root);
        rep.put(MARKER, marker);
        try (WriteBatch batch = new WriteBatch(rep.toBytes())) {
            db.write(commitOptions, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB write of version " + commit.version() + " failed: " + e.getMessage(), e);
        }
        Node newRoot = null;
        NodeKey newRootKey = null;
        if (!commit.root().isEmpty()) {
            newRootKey = new NodeKey(commit.root().rootNodeVersion(), 0, 0, 0, 0, 0);
            newRoot = commit.rootNode() != null ? commit.rootNode() : node(newRootKey);
        }
        latest = commit.version();
        latestRoot = commit.root();
        pinnedRoot = newRoot;
        pinnedRootKey = newRootKey;
        // Nodes this version replaced are only read again for an older version (a dispute's replay
        // from a past batch, read from disk then): dropping them keeps the cache's room for the
        // live tree. The linked levels never enter the cache on commit (the root reaches them).
        for (NodeKey k : commit.stale()) {
            if (k.depth() >= linkedLevels) {
                decoded.remove(k);
            }
        }
        for (VersionCommit.Written w : written) {
            if (w.key().depth() >= linkedLevels) {
                decoded.put(w.key(), w.node() instanceof Node.Internal in && (in.left() != null || in.right() != null)
                        ? new Node.Internal(in.leftVersion(), in.leftHash(), in.rightVersion(), in.rightHash(), in.hash())
                        : w.node());
            }
        }
    }

    /**
     * The nodes in RocksDB's key order (one version: by depth, then path as unsigned numbers). The
     * tree lists them children first, left to right, so nodes of one depth already come in path
     * order: a stable counting sort by depth is enough, checked, with a full sort if it ever is not.
     */
    private static VersionCommit.Written[] inKeyOrder(List<VersionCommit.Written> nodes) {
        int n = nodes.size();
        int maxDepth = 0;
        for (VersionCommit.Written w : nodes) {
            maxDepth = Math.max(maxDepth, w.key().depth());
        }
        int[] start = new int[maxDepth + 2];
        for (VersionCommit.Written w : nodes) {
            start[w.key().depth() + 1]++;
        }
        for (int d = 1; d < start.length; d++) {
            start[d] += start[d - 1];
        }
        VersionCommit.Written[] out = new VersionCommit.Written[n];
        for (VersionCommit.Written w : nodes) {
            out[start[w.key().depth()]++] = w;
        }
        for (int i = 1; i < n; i++) {
            if (WRITE_ORDER.compare(out[i - 1], out[i]) >= 0) {
                Arrays.sort(out, WRITE_ORDER);
                break;
            }
        }
        return out;
    }

    @Override
    public void prune(long keepFrom) {
        // Entries stale since <= oldest were deleted by earlier prunes: seeking past them, and stopping
        // at keepFrom, keeps the scan from wading through their tombstones (which made each prune
        // slower than the last until compaction caught up).
        byte[] start = staleKey(oldest + 1);
        byte[] end = staleKey(keepFrom + 1);
        try (Slice lower = new Slice(start); Slice upper = new Slice(end);
                ReadOptions bounds = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
                WriteBatch batch = new WriteBatch(); RocksIterator it = db.newIterator(bounds)) {
            for (it.seek(start); it.isValid(); it.next()) {
                byte[] k = it.key();
                byte[] staleNodes = it.value();
                if (staleNodes.length % NodeKey.ENCODED_LENGTH != 0) {
                    long since = ByteBuffer.wrap(k, 1, 8).getLong();
                    throw new StoreCorruptedException(since, "stale index " + since, "the record has " + staleNodes.length
                            + " bytes, not a multiple of " + NodeKey.ENCODED_LENGTH);
                }
                for (int off = 0; off < staleNodes.length; off += NodeKey.ENCODED_LENGTH) {
                    byte[] node = new byte[1 + NodeKey.ENCODED_LENGTH];
                    node[0] = NODE;
                    System.arraycopy(staleNodes, off, node, 1, NodeKey.ENCODED_LENGTH);
                    batch.delete(node);
                    decoded.remove(NodeKey.decode(Arrays.copyOfRange(staleNodes, off, off + NodeKey.ENCODED_LENGTH)));
                }
                batch.delete(k);
            }
            for (long v = oldest; v < keepFrom; v++) {
                batch.delete(rootKey(v));
            }
            batch.put(MARKER, marker(latest, keepFrom));
            db.write(pruneOptions, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB prune to " + keepFrom + " failed: " + e.getMessage(), e);
        }
        oldest = keepFrom;
    }

    /**
     * Commits a new version holding {@code toVersion}'s tree (the empty tree for -1): what a replay
     * does after a crash or an L1 reorg, to go on from an earlier state. Pruning stays correct across
     * it: the stale-node records of the versions rewound past are dropped (the nodes they list that
     * {@code toVersion} holds are live again), and every node those versions wrote is recorded stale
     * at the new version instead (nothing can reach them any more), so a later {@link #prune} deletes
     * them and never a live node. Done in one atomic write: a crash leaves the store as it was.
     *
     * @return the new version
     */
    public long rewind(long toVersion) {
        if (toVersion > latest || toVersion < -1 || (toVersion >= 0 && toVersion < oldest)) {
            throw new IllegalArgumentException("cannot rewind to version " + toVersion + ": the store holds " + oldest + " to " + latest);
        }
        RootRef target = toVersion < 0 ? null : root(toVersion).orElseThrow(() -> new IllegalArgumentException("version " + toVersion + " has no root"));
        long next = latest + 1;
        java.io.ByteArrayOutputStream garbage = new java.io.ByteArrayOutputStream();
        List<NodeKey> garbageKeys = new java.util.ArrayList<>();
        byte[] start = new byte[9];
        start[0] = NODE;
        ByteBuffer.wrap(start, 1, 8).putLong(toVersion + 1);
        byte[] end = new byte[9];
        end[0] = NODE;
        ByteBuffer.wrap(end, 1, 8).putLong(latest + 1);
        try (Slice lower = new Slice(start); Slice upper = new Slice(end);
                ReadOptions bounds = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
                RocksIterator it = db.newIterator(bounds); WriteBatch batch = new WriteBatch()) {
            for (it.seek(start); it.isValid(); it.next()) {
                byte[] k = it.key();
                garbage.write(k, 1, NodeKey.ENCODED_LENGTH);
                garbageKeys.add(NodeKey.decode(Arrays.copyOfRange(k, 1, 1 + NodeKey.ENCODED_LENGTH)));
            }
            for (long v = Math.max(toVersion + 1, oldest + 1); v <= latest; v++) batch.delete(staleKey(v));
            if (garbage.size() > 0) batch.put(staleKey(next), garbage.toByteArray());
            RootRef root = target == null || target.isEmpty() ? new RootRef(next, Node.NO_CHILD, new byte[32])
                    : new RootRef(next, target.rootNodeVersion(), target.hash());
            batch.put(rootKey(next), NodeCodec.encodeRoot(root));
            batch.put(MARKER, marker(next, oldest));
            db.write(commitOptions, batch);
            latest = next;
            latestRoot = root;
            if (root.isEmpty()) {
                pinnedRoot = null;
                pinnedRootKey = null;
            } else {
                NodeKey key = new NodeKey(root.rootNodeVersion(), 0, 0, 0, 0, 0);
                Node node = node(key); // nodes never change under their key: the old pinned root, if it is this one, is this node
                pinnedRoot = node;
                pinnedRootKey = key;
            }
            for (NodeKey k : garbageKeys) decoded.remove(k);
            return next;
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB rewind to version " + toVersion + " failed: " + e.getMessage(), e);
        }
    }

    /** How many nodes the store holds on disk (tests: a pruned store holds only what its versions reach). */
    long nodeCount() {
        long n = 0;
        byte[] start = {NODE};
        byte[] end = {(byte) (NODE + 1)};
        try (Slice lower = new Slice(start); Slice upper = new Slice(end);
                ReadOptions bounds = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
                RocksIterator it = db.newIterator(bounds)) {
            for (it.seek(start); it.isValid(); it.next()) n++;
        }
        return n;
    }

    /**
     * Waits until every version committed so far is on disk (an fsync of the write-ahead log): with
     * {@link Durability#PROCESS_CRASH_ONLY}, call it before recording anywhere else that a version
     * exists, so that record can never outlive the version after a power loss.
     */
    public void sync() {
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB sync of the write-ahead log failed: " + e.getMessage(), e);
        }
    }

    private byte[] get(byte[] key) {
        try {
            return db.get(key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB read failed: " + e.getMessage(), e);
        }
    }

    private static byte[] nodeKey(NodeKey k) {
        byte[] out = new byte[1 + NodeKey.ENCODED_LENGTH];
        out[0] = NODE;
        k.encodeInto(out, 1);
        return out;
    }

    private static byte[] rootKey(long version) {
        return ByteBuffer.allocate(9).put(ROOT).putLong(version).array();
    }

    private static byte[] staleKey(long since) {
        return ByteBuffer.allocate(9).put(STALE).putLong(since).array();
    }

    private static byte[] marker(long latest, long oldest) {
        return ByteBuffer.allocate(16).putLong(latest).putLong(oldest).array();
    }

    @Override
    public void close() {
        commitOptions.close();
        pruneOptions.close();
        db.close();
        options.close();
        cache.close();
    }
}
