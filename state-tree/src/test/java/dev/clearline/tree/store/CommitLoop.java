package dev.clearline.tree.store;

import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

/**
 * Child-process main for the kill test: commits deterministic versions to a RocksDB store forever
 * until the parent kills it. Around each store write it prints {@code writing N} (the tree has
 * hashed version N and hands it to the store: the WriteBatch is built and written from here on)
 * and {@code committed N} (the store's commit returned), so the parent can aim its kill at the
 * write itself rather than at the hashing that precedes it.
 *
 * <p>Args: {@code dir seed [SYNCED|PROCESS_CRASH_ONLY]}.
 */
public final class CommitLoop {
    static final int KEYS_PER_VERSION = 4000;

    private CommitLoop() {}

    static WriteSet writesOfVersion(long seed, long version) {
        Random r = new Random(seed * 1_000_003L + version);
        WriteSet ws = new WriteSet();
        for (int i = 0; i < KEYS_PER_VERSION; i++) {
            ws.put(keyOf(r), valueOf(r));
        }
        return ws;
    }

    /** A few of the keys version {@code version} writes, with their values, for spot checks. */
    static Bytes32[] someKeysOfVersion(long seed, long version, int n) {
        Random r = new Random(seed * 1_000_003L + version);
        Bytes32[] keys = new Bytes32[n];
        for (int i = 0; i < n; i++) {
            keys[i] = keyOf(r);
            valueOf(r);
        }
        return keys;
    }

    private static Bytes32 keyOf(Random r) {
        byte[] k = new byte[32];
        r.nextBytes(k);
        k[0] = (byte) r.nextInt(4); // overlap with earlier versions' key space now and then
        return Bytes32.of(k);
    }

    private static byte[] valueOf(Random r) {
        byte[] v = new byte[40];
        r.nextBytes(v);
        return v;
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        RocksDbNodeStore.Durability durability = args.length > 2 ? RocksDbNodeStore.Durability.valueOf(args[2])
                : RocksDbNodeStore.Durability.SYNCED;
        PrintStream out = System.out;
        try (RocksDbNodeStore store = RocksDbNodeStore.open(dir, RocksDbNodeStore.Settings.defaults().withDurability(durability))) {
            SparseMerkleTree tree = new SparseMerkleTree(new Signalling(store, out));
            while (true) {
                tree.commit(writesOfVersion(seed, tree.latestVersion() + 1));
            }
        }
    }

    /** The store, announcing each commit's start and end on {@code out}. */
    private record Signalling(NodeStore store, PrintStream out) implements NodeStore {
        @Override
        public void commit(VersionCommit commit) {
            out.println("writing " + commit.version());
            out.flush();
            store.commit(commit);
            out.println("committed " + commit.version());
            out.flush();
        }

        @Override
        public Node node(NodeKey key) {
            return store.node(key);
        }

        @Override
        public Optional<RootRef> root(long version) {
            return store.root(version);
        }

        @Override
        public long latestVersion() {
            return store.latestVersion();
        }

        @Override
        public long oldestVersion() {
            return store.oldestVersion();
        }

        @Override
        public boolean tracksNodes() {
            return store.tracksNodes();
        }

        @Override
        public int linkedLevels() {
            return store.linkedLevels();
        }

        @Override
        public void prune(long keepFrom) {
            store.prune(keepFrom);
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
