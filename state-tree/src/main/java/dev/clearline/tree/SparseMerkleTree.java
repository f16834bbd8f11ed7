package dev.clearline.tree;

import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.Folding;
import dev.clearline.tree.proof.Proof;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.proof.ProofVerifier;
import dev.clearline.tree.proof.Terminal;
import dev.clearline.tree.store.Node;
import dev.clearline.tree.store.NodeKey;
import dev.clearline.tree.store.NodeStore;
import dev.clearline.tree.store.RootRef;
import dev.clearline.tree.store.VersionCommit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * A versioned compact sparse Merkle tree over 256-bit keys (docs/protocol.md section 2).
 *
 * <p>Each {@link #commit} writes a new version; every retained version's root, values and proofs
 * stay available while later versions are written, until {@link #prune} drops them. Nodes are
 * never modified in place: a version writes fresh nodes along the paths it touches and records
 * the ones it replaced as stale, which is what pruning later deletes. Not thread-safe: one thread
 * uses a tree; a tree given a {@link ForkJoinPool} computes a large version's subtrees on it
 * (see {@link #SparseMerkleTree(NodeStore, int, ForkJoinPool)}).
 */
public final class SparseMerkleTree {
    /** Keys whose latest value {@link #get(Bytes32)} answers without a walk, by default: enough for tens of millions of leaves. */
    public static final int DEFAULT_CACHED_VALUES = 1 << 24;

    private final NodeStore store;
    private final LatestValues latestValues;
    /** Computes the subtrees of a large version ({@link #prepare}), or {@code null}: all on the caller's thread. */
    private final ForkJoinPool helper;

    public SparseMerkleTree(NodeStore store) {
        this(store, DEFAULT_CACHED_VALUES);
    }

    /** @param cachedValues how many keys' latest values to keep at hand for {@link #get(Bytes32)} (0: none) */
    public SparseMerkleTree(NodeStore store, int cachedValues) {
        this(store, cachedValues, null);
    }

    /**
     * A tree that computes a version of at least {@link #SPLIT_LEAVES} leaves on {@code helper}'s
     * threads when its store allows reads from several threads ({@link NodeStore#concurrentReads()}):
     * below each of the top {@link #FORK_LEVELS} levels that the version's keys enter on both sides,
     * the right side becomes a task of its own (its leaves hashed and its subtree rebuilt by a writer
     * of its own), so up to 2^FORK_LEVELS pieces are shared by the pool's threads by work stealing.
     * Hashing is most of a version's cost (a prover replaying a batch of fills spends about two
     * thirds of its time there). Small pieces matter on a machine whose other cores are busy (a
     * watcher's signature recovery): a thread that gets little CPU takes few pieces, instead of
     * holding half the version while the caller waits for it. The version, its root and what it
     * writes are the same either way.
     *
     * @param helper computes the pieces; the calling thread waits; {@code null} computes every version on the caller's thread
     */
    public SparseMerkleTree(NodeStore store, int cachedValues, ForkJoinPool helper) {
        if (cachedValues < 0) {
            throw new IllegalArgumentException("cachedValues is " + cachedValues + "; pass 0 or more");
        }
        this.store = store;
        this.latestValues = new LatestValues(cachedValues);
        this.helper = helper;
    }

    /** The last committed version, {@code -1} before the first commit. */
    public long latestVersion() {
        return store.latestVersion();
    }

    public long oldestVersion() {
        return store.oldestVersion();
    }

    /** Root of the latest version ({@link Bytes32#ZERO} for an empty or never-committed tree). */
    public Bytes32 root() {
        long v = latestVersion();
        return v < 0 ? Bytes32.ZERO : root(v);
    }

    public Bytes32 root(long version) {
        return Bytes32.wrap(rootRef(version).hash().clone());
    }

    /** The value of {@code key} in the latest version. */
    public Optional<byte[]> get(Bytes32 key) {
        long v = latestVersion();
        if (v < 0) {
            return Optional.empty();
        }
        byte[] known = latestValues.lookup(v, key);
        if (known == null) {
            known = find(v, key);
            latestValues.learn(v, key, known);
        } else if (known == LatestValues.ABSENT) {
            known = null;
        }
        return known == null ? Optional.empty() : Optional.of(known.clone());
    }

    /**
     * The value of {@code key} (32 bytes) in the latest version, or {@code null} when absent: the
     * tree's own array, not a copy, for callers on a hot path that never modify it.
     */
    public byte[] latestValueShared(byte[] key) {
        if (key.length != 32) {
            throw new Bytes32.InvalidLengthException(key.length);
        }
        long v = latestVersion();
        if (v < 0) {
            return null;
        }
        Bytes32 k = Bytes32.wrap(key);
        byte[] known = latestValues.lookup(v, k);
        if (known == null) {
            known = find(v, k);
            latestValues.learn(v, Bytes32.of(key), known);
        } else if (known == LatestValues.ABSENT) {
            known = null;
        }
        return known;
    }

    public Optional<byte[]> get(long version, Bytes32 key) {
        if (version >= 0 && version == latestVersion()) {
            return get(key);
        }
        byte[] value = find(version, key);
        return value == null ? Optional.empty() : Optional.of(value.clone());
    }

    /**
     * Visits every leaf of the latest version (key, value: the tree's own arrays, not to be
     * modified), in key order. Each node is visited once: a whole-state export (a snapshot image)
     * costs a pass over the tree, not a walk from the root per leaf.
     */
    public void forEachLeaf(java.util.function.BiConsumer<byte[], byte[]> visitor) {
        long v = latestVersion();
        if (v < 0) {
            return;
        }
        RootRef r = rootRef(v);
        if (r.isEmpty()) {
            return;
        }
        Node root = load(v, new NodeKey(r.rootNodeVersion(), 0, 0, 0, 0, 0));
        walk(v, root, 0, new byte[32], visitor);
    }

    /**
     * Visits the leaves below {@code n} (at {@code depth}, its path the first {@code depth} bits of
     * {@code path}), left subtree first. Recursion is at most 256 deep; {@code path} is changed in
     * place and restored, and only read to load a child the node does not hold in memory.
     */
    private void walk(long version, Node n, int depth, byte[] path, java.util.function.BiConsumer<byte[], byte[]> visitor) {
        if (n instanceof Node.Leaf leaf) {
            visitor.accept(leaf.key(), leaf.value());
            return;
        }
        Node.Internal in = (Node.Internal) n;
        if (in.leftVersion() != Node.NO_CHILD) {
            walk(version, in.left() != null ? in.left() : load(version, NodeKey.of(in.leftVersion(), depth + 1, path)), depth + 1, path, visitor);
        }
        if (in.rightVersion() != Node.NO_CHILD) {
            byte bit = (byte) (0x80 >>> (depth & 7));
            path[depth >>> 3] |= bit;
            Node right = in.right() != null ? in.right() : load(version, NodeKey.of(in.rightVersion(), depth + 1, path));
            walk(version, right, depth + 1, path, visitor);
            path[depth >>> 3] &= (byte) ~bit;
        }
    }

    /** Walks {@code version} down to {@code key}; its stored value (not a copy), or {@code null} when absent. */
    private byte[] find(long version, Bytes32 key) {
        byte[] k = key.unsafeArray();
        RootRef r = rootRef(version);
        if (r.isEmpty()) {
            return null;
        }
        Node n = load(version, new NodeKey(r.rootNodeVersion(), 0, 0, 0, 0, 0));
        int depth = 0;
        while (true) {
            if (n instanceof Node.Leaf leaf) {
                return Arrays.equals(leaf.key(), k) ? leaf.value() : null;
            }
            Node.Internal in = (Node.Internal) n;
            boolean right = Folding.bit(k, depth);
            long cv = right ? in.rightVersion() : in.leftVersion();
            if (cv == Node.NO_CHILD) {
                return null;
            }
            depth++;
            Node resolved = right ? in.right() : in.left();
            // A node's path is the first bits of any key below it: its key is built only when it must be looked up.
            n = resolved != null ? resolved : load(version, NodeKey.of(cv, depth, k));
        }
    }

    /** Commits one put as its own version; returns that version. */
    public long put(Bytes32 key, byte[] value) {
        return commit(new WriteSet().put(key, value));
    }

    /** Commits one delete as its own version; returns that version. */
    public long delete(Bytes32 key) {
        return commit(new WriteSet().delete(key));
    }

    /** Applies all writes as one new version (one root); returns that version. */
    public long commit(WriteSet writes) {
        var sorted = writes.sorted();
        int n = sorted.size();
        byte[][] keys = new byte[n][];
        byte[][] values = new byte[n][];
        int i = 0;
        for (var e : sorted.entrySet()) {
            keys[i] = e.getKey().unsafeArray();
            values[i] = e.getValue().orElse(null);
            i++;
        }
        return commit(prepareSorted(keys, values));
    }

    /**
     * Computes the version that {@code keys} (32 bytes each, strictly ascending as unsigned
     * numbers) set to {@code values} ({@code null}: delete) would make on top of the latest
     * version, without writing anything: its root is known before deciding to keep it. The tree
     * takes the arrays over; callers must not modify them afterwards. Commit it with
     * {@link #commit(Prepared)} before anything else is committed, or drop it.
     */
    public Prepared prepare(byte[][] keys, byte[][] values) {
        if (keys.length != values.length) {
            throw new IllegalArgumentException(keys.length + " keys but " + values.length + " values; pass one value (or null) per key");
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == null || keys[i].length != 32) {
                throw new Bytes32.InvalidLengthException(keys[i] == null ? -1 : keys[i].length);
            }
            if (i > 0 && Arrays.compareUnsigned(keys[i - 1], keys[i]) >= 0) {
                throw new IllegalArgumentException("keys are not strictly ascending at index " + i + "; sort and de-duplicate them");
            }
        }
        return prepareSorted(keys, values);
    }

    /**
     * A version computed by {@link #prepare} and not yet written: its root, and everything
     * committing it writes. Valid only on top of the version it was computed from.
     */
    public static final class Prepared {
        private final long baseVersion;
        private final VersionCommit commit;
        private final byte[][] keys;
        private final byte[][] values;

        private Prepared(long baseVersion, VersionCommit commit, byte[][] keys, byte[][] values) {
            this.baseVersion = baseVersion;
            this.commit = commit;
            this.keys = keys;
            this.values = values;
        }

        /** The root the version would have. */
        public Bytes32 root() {
            return Bytes32.wrap(commit.root().hash().clone());
        }

        /** The version it would become. */
        public long version() {
            return commit.version();
        }

        /** The version it was computed on top of. */
        public long baseVersion() {
            return baseVersion;
        }

        /** Keys it writes or deletes. */
        public int leavesWritten() {
            return keys.length;
        }

        /** Internal nodes hashed to compute it (one Keccak permutation each), for measurements. */
        public int internalNodesHashed() {
            return commit.internalNodesWritten();
        }
    }

    /**
     * Writes a prepared version; returns it.
     *
     * @throws IllegalStateException if another version was committed since it was prepared
     */
    public long commit(Prepared prepared) {
        long latest = store.latestVersion();
        if (latest != prepared.baseVersion) {
            throw new IllegalStateException("version " + prepared.version() + " was prepared on top of version " + prepared.baseVersion
                    + " but the latest is now " + latest + "; prepare it again");
        }
        store.commit(prepared.commit);
        latestValues.advance(latest, prepared.version(), prepared.keys, prepared.values);
        return prepared.version();
    }

    /**
     * Leaves per version from which their hashes are computed on all cores: far above what one
     * batch writes (a sealed batch of 1,024 transitions writes a few thousand), so a sequencer's or
     * a prover's versions stay on their own thread and only a bulk load spreads.
     */
    static final int PARALLEL_LEAVES = 1 << 16;
    private static final int PARALLEL_CHUNK = 1 << 12;
    /**
     * Leaves per version from which a tree with a pool computes it there: a batch of a thousand fills
     * writes about four thousand leaves and hashes 36 internal nodes per fill, and ran 1.13-1.36x
     * faster on the pool on 2 cores. Batches of deposits or of an order flow write one to two
     * thousand leaves and hash a few nodes per leaf; on the pool they showed no gain beyond the
     * spread of their rows (bench-results/prover-replay-profile.md), so they stay on the caller's
     * thread, with nothing to wake and nothing read back on another core.
     */
    public static final int SPLIT_LEAVES = 2_048;
    /** Levels below which no more pieces are made: up to 16, about 250 leaves each for a batch of a thousand fills. */
    static final int FORK_LEVELS = 4;
    /** Leaves below which a piece is not cut again: a task's hand-over would cost more than it spreads. */
    private static final int FORK_MIN_LEAVES = 64;

    private static void hashLeaves(byte[][] keys, byte[][] values, LeafSub[] puts, int from, int to) {
        for (int i = from; i < to; i++) {
            byte[] value = values[i];
            if (value != null) {
                byte[] vh = TreeHash.value(value);
                puts[i] = new LeafSub(new Node.Leaf(keys[i], value, vh, TreeHash.leaf(keys[i], vh)), null);
            }
        }
    }

    private Prepared prepareSorted(byte[][] keys, byte[][] values) {
        long latest = store.latestVersion();
        long version = latest + 1;
        int n = keys.length;
        LeafSub[] puts = new LeafSub[n];
        boolean split = helper != null && n >= SPLIT_LEAVES && n < PARALLEL_LEAVES && store.concurrentReads();
        if (split) {
            // hashed piece by piece in Writer.applyForked
        } else if (n < PARALLEL_LEAVES) {
            hashLeaves(keys, values, puts, 0, n);
        } else {
            // A whole state at once (a snapshot's leaves rebuilt into an empty tree): the leaves' own hashes are
            // independent and most of the work (an ORDER value alone is four Keccak blocks), so they are spread over
            // the cores; the nodes above them are then built in order on this thread, as for any version.
            int chunks = (n + PARALLEL_CHUNK - 1) / PARALLEL_CHUNK;
            java.util.stream.IntStream.range(0, chunks).parallel()
                    .forEach(c -> hashLeaves(keys, values, puts, c * PARALLEL_CHUNK, Math.min(n, (c + 1) * PARALLEL_CHUNK)));
        }
        Sub current = null;
        if (latest >= 0) {
            RootRef r = rootRef(latest);
            if (!r.isEmpty()) {
                current = new Ref(new NodeKey(r.rootNodeVersion(), 0, 0, 0, 0, 0), r.rootNodeVersion(), r.hash(), null);
            }
        }
        Writer w = new Writer(version, latest, store.tracksNodes());
        Sub result = split ? forked(w, current, keys, values, puts) : w.apply(current, 0, keys, puts, 0, n);
        RootRef root;
        Node rootNode = null;
        if (result == null) {
            root = new RootRef(version, Node.NO_CHILD, TreeHash.EMPTY);
        } else {
            Placed p = w.place(result, 0, new Placed());
            root = new RootRef(version, p.version, p.hash);
            rootNode = p.node != null ? p.node : store.node(new NodeKey(p.version, 0, 0, 0, 0, 0));
        }
        return new Prepared(latest, new VersionCommit(version, w.written, w.stale, root, rootNode, w.internalNodes), keys, values);
    }

    /** {@link Writer#applyForked} of a whole version on the helper pool; a pool that refuses work leaves it to this thread. */
    private Sub forked(Writer w, Sub current, byte[][] keys, byte[][] values, LeafSub[] puts) {
        int n = keys.length;
        try {
            return helper.invoke(ForkJoinTask.adapt(() -> w.applyForked(current, 0, keys, values, puts, 0, n)));
        } catch (RejectedExecutionException e) {
            // a pool that is shut down: the version is still owed (the writer is untouched: the task never ran)
            hashLeaves(keys, values, puts, 0, n);
            return w.apply(current, 0, keys, puts, 0, n);
        }
    }

    /**
     * A proof for {@code keys} (sorted and de-duplicated first) in {@code version}: membership for
     * present keys, non-membership for absent ones, in the shared compressed encoding.
     */
    public Proof prove(long version, List<Bytes32> keys) {
        return build(version, keys).proof;
    }

    /**
     * A proof for a root update of {@code keys} (strictly ascending) in {@code version} to
     * {@code newValueHashes} (zero = delete): {@link #prove}, plus the openings of the siblings that a
     * deletion exposes, so that {@code ProofVerifier.update} and Solidity's {@code SparseMerkleProof.update}
     * can move a lone leaf up. Without deletions it equals {@link #prove}.
     */
    public Proof proveUpdate(long version, List<Bytes32> keys, List<Bytes32> newValueHashes) {
        if (keys.size() != newValueHashes.size()) {
            throw new IllegalArgumentException(keys.size() + " keys but " + newValueHashes.size() + " new value hashes; pass one per key");
        }
        for (int i = 1; i < keys.size(); i++) {
            if (keys.get(i - 1).compareTo(keys.get(i)) >= 0) {
                throw new IllegalArgumentException("keys are not strictly ascending at index " + i + "; sort and de-duplicate them");
            }
        }
        Built b = build(version, keys);
        List<Bytes32> oldValueHashes = new ArrayList<>(keys.size());
        for (Bytes32 k : keys) {
            byte[] value = find(version, k);
            oldValueHashes.add(value == null ? Bytes32.ZERO : Bytes32.of(TreeHash.value(value)));
        }
        ProofVerifier.OpeningsNeeded needed = ProofVerifier.openingsFor(keys, oldValueHashes, newValueHashes, b.proof.encode(),
                (t, depth, sibling) -> {
                    Path p = b.paths.get(t);
                    Node held = p.siblingNodes[depth];
                    return switch (held != null ? held : load(version, p.siblingKeys[depth])) {
                        case Node.Leaf leaf -> new Proof.Opening(Proof.Opening.LEAF, leaf.key(), leaf.valueHash());
                        case Node.Internal in -> new Proof.Opening(Proof.Opening.NODE, in.leftHash(), in.rightHash());
                    };
                });
        if (needed.error() != ProofError.OK) {
            throw new IllegalStateException("bug: the update proof for version " + version + " fails with " + needed.error());
        }
        return b.proof.withOpenings(needed.openings());
    }

    private record Built(Proof proof, List<Path> paths) {}

    private Built build(long version, List<Bytes32> keys) {
        TreeSet<Bytes32> distinct = new TreeSet<>(keys);
        if (distinct.isEmpty()) {
            throw new IllegalArgumentException("no keys to prove; pass at least one key");
        }
        RootRef r = rootRef(version);
        List<Path> paths = new ArrayList<>(distinct.size());
        for (Bytes32 k : distinct) {
            paths.add(walk(version, r, k.unsafeArray()));
        }
        List<Terminal> terminals = new ArrayList<>();
        List<Path> reps = new ArrayList<>();
        int i = 0;
        while (i < paths.size()) {
            Path rep = paths.get(i);
            int j = i + 1;
            while (j < paths.size() && Folding.commonPrefixLength(rep.key, paths.get(j).key) >= rep.depth) {
                j++;
            }
            Terminal t;
            if (rep.leaf == null) {
                t = new Terminal.Empty(rep.depth);
            } else {
                boolean queried = false;
                for (int q = i; q < j; q++) {
                    queried |= Arrays.equals(paths.get(q).key, rep.leaf.key());
                }
                t = queried ? new Terminal.QueriedLeaf(rep.depth)
                        : new Terminal.NeighbourLeaf(rep.depth, rep.leaf.key(), rep.leaf.valueHash());
            }
            terminals.add(t);
            reps.add(rep);
            i = j;
        }
        int tn = reps.size();
        byte[][] repKeys = new byte[tn][];
        int[] depths = new int[tn];
        byte[][] hashes = new byte[tn][];
        for (int t = 0; t < tn; t++) {
            repKeys[t] = reps.get(t).key;
            depths[t] = reps.get(t).depth;
            hashes[t] = reps.get(t).leaf == null ? TreeHash.EMPTY : reps.get(t).leaf.hash();
        }
        List<byte[]> siblings = new ArrayList<>();
        byte[][] root = Folding.fold(repKeys, depths, new byte[][][] {hashes}, (t, depth) -> {
            byte[] s = reps.get(t).siblings[depth];
            siblings.add(s);
            return s;
        });
        if (root == null || !Arrays.equals(root[0], r.hash())) {
            throw new IllegalStateException("bug: proof for version " + version + " does not fold to its root");
        }
        return new Built(new Proof(terminals, siblings), reps);
    }

    /** Drops versions older than {@code keepFrom}; versions {@code >= keepFrom} are untouched. */
    public void prune(long keepFrom) {
        long latest = latestVersion();
        if (keepFrom > latest) {
            throw new IllegalArgumentException("cannot prune up to " + keepFrom + ": the latest version is " + latest
                    + " and it must stay readable; pass keepFrom <= " + latest);
        }
        if (keepFrom > store.oldestVersion()) {
            store.prune(keepFrom);
        }
    }

    private RootRef rootRef(long version) {
        if (version < store.oldestVersion()) {
            throw new UnknownVersionException(version, store.oldestVersion(), store.latestVersion());
        }
        return store.root(version).orElseThrow(
                () -> new UnknownVersionException(version, store.oldestVersion(), store.latestVersion()));
    }

    private Node load(long version, NodeKey key) {
        Node n = store.node(key);
        if (n == null) {
            throw new MissingNodeException(version, key);
        }
        return n;
    }

    /** A key's path: siblings (their hashes and, when not empty, where they are stored, and the node when in memory) by depth (index 1..depth) and where it ends. */
    private record Path(byte[] key, int depth, Node.Leaf leaf, byte[][] siblings, NodeKey[] siblingKeys, Node[] siblingNodes) {}

    private Path walk(long version, RootRef r, byte[] key) {
        byte[][] sibs = new byte[Proof.MAX_DEPTH + 1][];
        NodeKey[] sibKeys = new NodeKey[Proof.MAX_DEPTH + 1];
        Node[] sibNodes = new Node[Proof.MAX_DEPTH + 1];
        if (r.isEmpty()) {
            return new Path(key, 0, null, sibs, sibKeys, sibNodes);
        }
        NodeKey at = new NodeKey(r.rootNodeVersion(), 0, 0, 0, 0, 0);
        Node n = load(version, at);
        while (true) {
            if (n instanceof Node.Leaf leaf) {
                return new Path(key, at.depth(), leaf, sibs, sibKeys, sibNodes);
            }
            Node.Internal in = (Node.Internal) n;
            boolean right = Folding.bit(key, at.depth());
            sibs[at.depth() + 1] = right ? in.leftHash() : in.rightHash();
            long sv = right ? in.leftVersion() : in.rightVersion();
            if (sv != Node.NO_CHILD) {
                sibKeys[at.depth() + 1] = at.child(sv, !right);
                sibNodes[at.depth() + 1] = right ? in.left() : in.right();
            }
            long cv = right ? in.rightVersion() : in.leftVersion();
            if (cv == Node.NO_CHILD) {
                return new Path(key, at.depth() + 1, null, sibs, sibKeys, sibNodes);
            }
            at = at.child(cv, right);
            Node resolved = right ? in.right() : in.left();
            n = resolved != null ? resolved : load(version, at);
        }
    }

    /** A subtree during a commit: {@code null} (empty), a stored node not yet looked at, or a leaf. */
    private sealed interface Sub permits Ref, LeafSub {}

    /**
     * A stored node at its own position: its key ({@code null} when the store does not track nodes
     * and the node is at hand), the version that wrote it, and the node itself if it is in memory
     * ({@code null}: load it when needed).
     */
    private record Ref(NodeKey key, long version, byte[] hash, Node node) implements Sub {}

    /** {@code Writer.beside}'s answer when the plain combine must decide: never a node of any tree. */
    private static final Sub NOT_MERGED = new Ref(null, Long.MIN_VALUE, new byte[0], null);

    /** A leaf, and where it is stored now ({@code null}: not stored yet, or its value changed). */
    private record LeafSub(Node.Leaf leaf, NodeKey at) implements Sub {}

    /**
     * A child as its parent records it: the version that wrote it, its hash, the node if at hand.
     * Mutable and reused (a {@link Writer} fills two per internal node it hashes, and reads them
     * before it fills them again): as a record it was about a twelfth of what a sequencer's tree
     * worker allocated per order, each one garbage a moment later.
     */
    private static final class Placed {
        long version;
        byte[] hash;
        Node node;

        Placed set(long version, byte[] hash, Node node) {
            this.version = version;
            this.hash = hash;
            this.node = node;
            return this;
        }
    }

    /** The state of one commit: the version being written, its new nodes and the nodes it replaced. */
    private final class Writer {
        final long version;
        final long readVersion;
        final boolean tracks;
        /** Nodes at depth d link their children only when d + 1 is below this ({@link NodeStore#linkedLevels()}). */
        final int linkedLevels;
        int internalNodes;
        final List<VersionCommit.Written> written = new ArrayList<>();
        final List<NodeKey> stale = new ArrayList<>();
        /** Scratch for {@link #combine}'s two children, read before the next combine fills them again. */
        private final Placed leftPlaced = new Placed();
        private final Placed rightPlaced = new Placed();

        Writer(long version, long readVersion, boolean tracks) {
            this.version = version;
            this.readVersion = readVersion;
            this.tracks = tracks;
            this.linkedLevels = store.linkedLevels();
        }

        Sub apply(Sub cur, int depth, byte[][] keys, LeafSub[] puts, int lo, int hi) {
            if (lo == hi) {
                return cur;
            }
            if (cur == null) {
                List<LeafSub> items = new ArrayList<>(hi - lo);
                for (int i = lo; i < hi; i++) {
                    if (puts[i] != null) {
                        items.add(puts[i]);
                    }
                }
                return build(depth, items, 0, items.size());
            }
            if (cur instanceof Ref ref) {
                Node node = resolve(ref);
                if (node instanceof Node.Leaf leaf) {
                    cur = new LeafSub(leaf, ref.key());
                } else {
                    Node.Internal in = (Node.Internal) node;
                    if (tracks) {
                        stale.add(ref.key());
                    }
                    int mid = firstWithBit(keys, lo, hi, depth);
                    if (!tracks && (mid == lo || mid == hi)) {
                        // every key goes one way: the other child stays as it is, read from its parent without a Ref
                        boolean touchedRight = mid == lo;
                        Sub touched = apply(child(ref.key(), in, touchedRight), depth + 1, keys, puts, lo, hi);
                        Sub merged = beside(depth, touched, in, touchedRight);
                        if (merged != NOT_MERGED) {
                            return merged;
                        }
                        Sub sibling = child(ref.key(), in, !touchedRight);
                        return touchedRight ? combine(depth, sibling, touched) : combine(depth, touched, sibling);
                    }
                    Sub left = apply(child(ref.key(), in, false), depth + 1, keys, puts, lo, mid);
                    Sub right = apply(child(ref.key(), in, true), depth + 1, keys, puts, mid, hi);
                    return combine(depth, left, right);
                }
            }
            LeafSub existing = (LeafSub) cur;
            byte[] ek = existing.leaf().key();
            List<LeafSub> items = new ArrayList<>(hi - lo + 1);
            boolean replaced = false;
            boolean existingAdded = false;
            for (int i = lo; i < hi; i++) {
                int c = Arrays.compareUnsigned(keys[i], ek);
                if (c == 0) {
                    replaced = true;
                    existingAdded = true;
                } else if (c > 0 && !existingAdded) {
                    items.add(existing);
                    existingAdded = true;
                }
                if (puts[i] != null) {
                    items.add(puts[i]);
                }
            }
            if (replaced && existing.at() != null && tracks) {
                stale.add(existing.at());
            } else if (!existingAdded) {
                items.add(existing);
            }
            return build(depth, items, 0, items.size());
        }

        /**
         * {@link #apply} of keys {@code [lo, hi)} whose leaves are not hashed yet, run on the helper pool.
         * Where the keys enter both children of an internal node among the top {@link #FORK_LEVELS}
         * levels, the right child's keys become a task with a writer of its own while this one does the
         * left; that writer's nodes are then listed after the left's, as the serial walk lists them
         * (children first, left to right), and the node combines the two as {@link #apply} does.
         * Anything else (deeper, few keys, a leaf or nothing here, every key on one side) is hashed and
         * applied the serial way.
         */
        Sub applyForked(Sub cur, int depth, byte[][] keys, byte[][] values, LeafSub[] puts, int lo, int hi) {
            int mid = firstWithBit(keys, lo, hi, depth);
            Node node = depth < FORK_LEVELS && hi - lo >= FORK_MIN_LEAVES && mid != lo && mid != hi && cur instanceof Ref ref
                    ? resolve(ref) : null;
            if (!(node instanceof Node.Internal in)) {
                hashLeaves(keys, values, puts, lo, hi);
                return apply(cur, depth, keys, puts, lo, hi);
            }
            NodeKey key = ((Ref) cur).key();
            if (tracks) {
                stale.add(key);
            }
            Writer rightWriter = new Writer(version, readVersion, tracks);
            Sub rightChild = child(key, in, true);
            ForkJoinTask<Sub> rightPart = ForkJoinTask.adapt(() -> rightWriter.applyForked(rightChild, depth + 1, keys, values, puts, mid, hi)).fork();
            Sub left;
            try {
                left = applyForked(child(key, in, false), depth + 1, keys, values, puts, lo, mid);
            } catch (RuntimeException | Error e) {
                rightPart.quietlyJoin(); // it still reads the store: let it finish before the caller does anything else with it
                throw e;
            }
            Sub right = rightPart.join();
            written.addAll(rightWriter.written);
            stale.addAll(rightWriter.stale);
            internalNodes += rightWriter.internalNodes;
            return combine(depth, left, right);
        }

        private Sub child(NodeKey parent, Node.Internal in, boolean right) {
            long childVersion = right ? in.rightVersion() : in.leftVersion();
            if (childVersion == Node.NO_CHILD) {
                return null;
            }
            Node node = right ? in.right() : in.left();
            NodeKey key = tracks || node == null ? parent.child(childVersion, right) : null;
            return new Ref(key, childVersion, right ? in.rightHash() : in.leftHash(), node);
        }

        private Node resolve(Ref ref) {
            return ref.node() != null ? ref.node() : load(readVersion, ref.key());
        }

        private Sub build(int depth, List<LeafSub> items, int from, int to) {
            if (from == to) {
                return null;
            }
            if (to - from == 1) {
                return items.get(from);
            }
            int mid = from;
            while (mid < to && !Folding.bit(items.get(mid).leaf().key(), depth)) {
                mid++;
            }
            return combine(depth, build(depth + 1, items, from, mid), build(depth + 1, items, mid, to));
        }

        private Sub combine(int depth, Sub left, Sub right) {
            if (left == null && right == null) {
                return null;
            }
            if (left == null || right == null) {
                Sub only = left == null ? right : left;
                if (only instanceof LeafSub) {
                    return only;
                }
                Ref ref = (Ref) only;
                // A node this commit wrote is internal (new leaves travel as LeafSub), so only older ones may be leaves.
                if (ref.version() != version && resolve(ref) instanceof Node.Leaf leaf) {
                    return new LeafSub(leaf, ref.key());
                }
            }
            return internal(depth, place(left, depth + 1, leftPlaced), place(right, depth + 1, rightPlaced), left, right);
        }

        /**
         * {@link #combine} of {@code touched} (the child the write went into, right when {@code touchedRight}) and its
         * sibling as {@code in} records it, for a tree that does not track nodes: the sibling is placed from {@code in}'s
         * fields, with no {@link Ref} made for it (one per internal node on every written path, about a seventh of what a
         * sequencer's tree worker allocated per order). Returns {@link #NOT_MERGED} where combining may have to look at
         * the sibling itself (an empty written side, where a lone leaf moves up; an empty sibling): {@code combine} then.
         */
        private Sub beside(int depth, Sub touched, Node.Internal in, boolean touchedRight) {
            long siblingVersion = touchedRight ? in.leftVersion() : in.rightVersion();
            if (touched == null || siblingVersion == Node.NO_CHILD) {
                return NOT_MERGED;
            }
            Placed t = place(touched, depth + 1, touchedRight ? rightPlaced : leftPlaced);
            Placed sibling = touchedRight ? leftPlaced.set(siblingVersion, in.leftHash(), in.left())
                    : rightPlaced.set(siblingVersion, in.rightHash(), in.right());
            return touchedRight ? internal(depth, sibling, t, null, touched) : internal(depth, t, sibling, touched, null);
        }

        /** A new internal node at {@code depth} over two placed children; {@code left}/{@code right} name them for node tracking. */
        private Sub internal(int depth, Placed l, Placed r, Sub left, Sub right) {
            byte[] hash = TreeHash.node(l.hash, r.hash);
            boolean link = depth + 1 < linkedLevels;
            Node.Internal node = new Node.Internal(l.version, l.hash, r.version, r.hash, hash, link ? l.node : null, link ? r.node : null);
            internalNodes++;
            NodeKey key = null;
            if (tracks) {
                Sub any = left != null ? left : right;
                key = any instanceof LeafSub leaf ? NodeKey.of(version, depth, leaf.leaf().key())
                        : ((Ref) any).key().ancestor(version, depth);
                written.add(new VersionCommit.Written(key, node));
            }
            return new Ref(key, version, hash, node);
        }

        /** Fills {@code into} with how {@code s} is recorded at {@code depth}, writing a leaf that moved there. */
        Placed place(Sub s, int depth, Placed into) {
            return switch (s) {
                case null -> into.set(Node.NO_CHILD, TreeHash.EMPTY, null);
                case Ref ref -> into.set(ref.version(), ref.hash(), ref.node());
                case LeafSub leaf -> {
                    if (leaf.at() != null && leaf.at().depth() == depth) {
                        yield into.set(leaf.at().version(), leaf.leaf().hash(), leaf.leaf());
                    }
                    if (tracks) {
                        if (leaf.at() != null) {
                            stale.add(leaf.at());
                        }
                        written.add(new VersionCommit.Written(NodeKey.of(version, depth, leaf.leaf().key()), leaf.leaf()));
                    }
                    yield into.set(version, leaf.leaf().hash(), leaf.leaf());
                }
            };
        }

        private static int firstWithBit(byte[][] keys, int lo, int hi, int depth) {
            int a = lo;
            int b = hi;
            while (a < b) {
                int m = (a + b) >>> 1;
                if (Folding.bit(keys[m], depth)) {
                    b = m;
                } else {
                    a = m + 1;
                }
            }
            return a;
        }
    }
}
