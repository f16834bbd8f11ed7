package dev.clearline.engine.stf;

import dev.clearline.engine.order.Hash32;
import dev.clearline.tree.SparseMerkleTree;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The state tree as the STF's leaf store. Writes collect in memory and become one tree version
 * when {@link #root()} is asked for, so a caller chooses the root granularity: per transition (a
 * dispute's intermediate roots) or per batch (the sequencer's hot path). {@link #prepare()} computes
 * the root the pending writes lead to without writing anything, and {@link #discard()} forgets
 * them: a watcher judges a batch on the real tree and keeps it only if its root is the posted one.
 *
 * <p>Every leaf it has read or written stays at hand (value and last decoded form) while the tree's
 * latest version is the one it knows, so the STF reads a busy leaf without walking the tree or
 * decoding it again. When someone else commits to the tree, it starts over. Not thread-safe.
 */
public final class TreeLeafStore implements LeafStore {
    /** Leaves kept at hand by default before the table starts over (at a commit). */
    public static final int DEFAULT_CACHED_LEAVES = 1 << 22;

    private final SparseMerkleTree tree;
    private final int capacity;
    private final LeafTable<Cell> table = new LeafTable<>();
    private final ArrayList<Cell> dirty = new ArrayList<>();
    /** The tree version the known (committed) values belong to. */
    private long knownVersion;
    /** Counts writes and discards, so a prepared version can tell it is out of date. */
    private long writeStamp;

    public TreeLeafStore(SparseMerkleTree tree) {
        this(tree, DEFAULT_CACHED_LEAVES);
    }

    /** @param cachedLeaves how many leaves to keep at hand before starting over (at least 1) */
    public TreeLeafStore(SparseMerkleTree tree, int cachedLeaves) {
        if (cachedLeaves < 1) throw new IllegalArgumentException("cachedLeaves is " + cachedLeaves + "; pass 1 or more");
        this.tree = tree;
        this.capacity = cachedLeaves;
        this.knownVersion = tree.latestVersion();
    }

    public SparseMerkleTree tree() {
        return tree;
    }

    /** State keys derived for {@link StateReads}, per kind; a kind's map starts over when full. */
    private final KeyCache keys = new KeyCache(4_096);

    @Override
    public KeyCache keys() {
        return keys;
    }

    @Override
    public byte[] get(byte[] key) {
        return cellFor(key).current();
    }

    @Override
    public <T> T get(byte[] key, Class<T> type, Function<byte[], T> decoder) {
        return cellFor(key).decoded(type, decoder);
    }

    @Override
    public void putAll(List<Write> writes) {
        checkVersion();
        for (int i = 0, n = writes.size(); i < n; i++) {
            Write w = writes.get(i);
            // a tree hashes every value; throws for a write with neither bytes nor record; a delete is ABSENT
            byte[] value = w.deletes() ? ABSENT : w.bytes();
            Cell c = table.find(w.key(), Cell::new);
            if (c.pending == null) dirty.add(c);
            c.pending = value;
            if (w.decoded() != null) {
                c.decodedOf = value;
                c.decoded = w.decoded();
            }
        }
        writeStamp++;
    }

    /** Whether writes are waiting for a commit. */
    public boolean hasPending() {
        return !dirty.isEmpty();
    }

    /** Forgets the writes made since the last commit. */
    public void discard() {
        for (Cell c : dirty) c.pending = null;
        dirty.clear();
        writeStamp++;
    }

    /** Commits pending writes as one tree version (if there are any) and returns the latest root. */
    public Hash32 root() {
        commit();
        return new Hash32(tree.root().toArray());
    }

    /** Commits pending writes; returns the tree version that now holds the state. */
    public long commit() {
        return commit(prepare());
    }

    /**
     * The version the pending writes would make, computed without writing anything (no pending
     * writes: the latest version as it is). Keep it with {@link #commit(Prepared)}, or drop it
     * with {@link #discard()}.
     */
    public Prepared prepare() {
        checkVersion();
        if (dirty.isEmpty()) return new Prepared(new Hash32(tree.root().toArray()), null, writeStamp);
        Cell[] cells = dirty.toArray(new Cell[0]);
        // The tree wants keys in ascending order; their first eight bytes almost always decide it.
        Arrays.sort(cells, TreeLeafStore::byKey);
        byte[][] keys = new byte[cells.length][];
        byte[][] values = new byte[cells.length][];
        for (int i = 0; i < cells.length; i++) {
            keys[i] = cells[i].key;
            values[i] = cells[i].pending == ABSENT ? null : cells[i].pending; // null: the tree deletes the leaf
        }
        SparseMerkleTree.Prepared version = tree.prepare(keys, values);
        return new Prepared(new Hash32(version.root().toArray()), version, writeStamp);
    }

    /**
     * Commits a version {@link #prepare()} computed; returns the tree version that now holds the state.
     *
     * @throws IllegalStateException if anything was written or discarded since it was prepared
     */
    public long commit(Prepared prepared) {
        if (prepared.stamp != writeStamp) {
            throw new IllegalStateException("the leaf store changed since this version was prepared; prepare it again");
        }
        if (prepared.version == null) return tree.latestVersion();
        long committed = tree.commit(prepared.version);
        for (Cell c : dirty) {
            c.known = c.pending;
            c.pending = null;
        }
        dirty.clear();
        knownVersion = committed;
        writeStamp++;
        if (table.size() > capacity) table.clear();
        return committed;
    }

    /** A version computed from the pending writes and not yet written: its root and what committing it writes. */
    public static final class Prepared {
        private final Hash32 root;
        private final SparseMerkleTree.Prepared version;
        private final long stamp;

        private Prepared(Hash32 root, SparseMerkleTree.Prepared version, long stamp) {
            this.root = root;
            this.version = version;
            this.stamp = stamp;
        }

        /** The state root after the commit. */
        public Hash32 root() {
            return root;
        }

        /** Leaves the commit writes (a value hash and a leaf hash each), for measurements. */
        public int leavesWritten() {
            return version == null ? 0 : version.leavesWritten();
        }

        /** Internal nodes hashed to compute the root (one Keccak permutation each), for measurements. */
        public int internalNodesHashed() {
            return version == null ? 0 : version.internalNodesHashed();
        }
    }

    private static int byKey(Cell a, Cell b) {
        int c = Long.compareUnsigned(a.head, b.head);
        return c != 0 ? c : Arrays.compareUnsigned(a.key, b.key);
    }

    private Cell cellFor(byte[] key) {
        checkVersion();
        Cell c = table.find(key, Cell::new);
        if (c.pending == null && c.known == null) {
            byte[] v = tree.latestValueShared(key);
            c.known = v == null ? ABSENT : v;
        }
        return c;
    }

    /** Someone else committed to the tree: what this store knew may be stale; pending writes stay. */
    private void checkVersion() {
        long latest = tree.latestVersion();
        if (latest == knownVersion) return;
        knownVersion = latest;
        List<Cell> keep = new ArrayList<>(dirty);
        table.clear();
        dirty.clear();
        for (Cell old : keep) {
            Cell c = table.find(old.key, Cell::new);
            c.pending = old.pending;
            dirty.add(c);
        }
    }

    /** Marks a leaf known to be absent from the tree's latest version. */
    private static final byte[] ABSENT = new byte[0];

    /** One key's leaf: its value in the tree's latest version (if known), its pending write, and its last decoded form. */
    private static final class Cell {
        private static final VarHandle BIG_ENDIAN = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
        final byte[] key;
        /** The key's first eight bytes as a big-endian number: its order among keys, nearly always. */
        final long head;
        /** Value in the tree's latest version; {@link #ABSENT}: no leaf; null: not looked up yet. */
        byte[] known;
        /** The value written since the last commit; null: none; {@link #ABSENT}: deleted. */
        byte[] pending;
        private byte[] decodedOf;
        private Object decoded;

        Cell(byte[] key) {
            // The cell keeps its own copy: callers may reuse their key arrays.
            this.key = key.clone();
            this.head = (long) BIG_ENDIAN.get(key, 0);
        }

        byte[] current() {
            byte[] v = pending != null ? pending : known;
            return v == ABSENT ? null : v;
        }

        <T> T decoded(Class<T> type, Function<byte[], T> decoder) {
            byte[] v = current();
            if (v == null) return null;
            if (v == decodedOf && type.isInstance(decoded)) return type.cast(decoded);
            T fresh = decoder.apply(v);
            decodedOf = v;
            decoded = fresh;
            return fresh;
        }
    }
}
