package dev.clearline.tree.store;

import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import java.nio.file.Path;
import java.util.Random;

/**
 * Child-process main for the crash test: commits deterministic versions to a RocksDB store forever,
 * printing "committed N" after each, until the parent kills it.
 */
public final class CommitLoop {
    static final int KEYS_PER_VERSION = 4000;

    private CommitLoop() {}

    static WriteSet writesOfVersion(long seed, long version) {
        Random r = new Random(seed * 1_000_003L + version);
        WriteSet ws = new WriteSet();
        for (int i = 0; i < KEYS_PER_VERSION; i++) {
            byte[] k = new byte[32];
            r.nextBytes(k);
            k[0] = (byte) r.nextInt(4); // overlap with earlier versions' key space now and then
            byte[] v = new byte[40];
            r.nextBytes(v);
            ws.put(Bytes32.of(k), v);
        }
        return ws;
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        try (RocksDbNodeStore store = RocksDbNodeStore.open(dir)) {
            SparseMerkleTree tree = new SparseMerkleTree(store);
            while (true) {
                long v = tree.commit(writesOfVersion(seed, tree.latestVersion() + 1));
                System.out.println("committed " + v);
                System.out.flush();
            }
        }
    }
}
