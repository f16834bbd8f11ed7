package dev.clearline.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.tree.store.RocksDbNodeStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * The RocksDB store's in-memory help (the linked top levels pinned by the latest root, the
 * eight-way node cache, stale nodes dropped from it) changes no answer and no byte on disk: a store
 * with a random number of linked levels and a random cache size, reopened now and then, and a store
 * that links nothing and caches two nodes (every read from RocksDB) go through the same random
 * versions, prepared, dropped, committed and pruned; both give the in-memory store's roots, values
 * and proofs for the latest and for older versions, and hold the same RocksDB records at the end.
 * A walk of every leaf ({@code forEachLeaf}) gives the model's leaves in key order from each of them.
 */
class LinkedLevelsProperties {
    private static final int[] LINKED = {0, 1, 2, 4, 8, 18, 257};

    @Test
    void cachedAndUncachedStoresAnswerAlikeAndWriteTheSameRecords() {
        Property.forAll(Gens.seeds()).tries(20).check(seed -> {
            Random r = new Random(seed);
            RocksDbNodeStore.Settings cachedSettings = new RocksDbNodeStore.Settings(1 << (3 + r.nextInt(12)),
                    RocksDbNodeStore.Durability.PROCESS_CRASH_ONLY, LINKED[r.nextInt(LINKED.length)]);
            RocksDbNodeStore.Settings bareSettings = new RocksDbNodeStore.Settings(2, RocksDbNodeStore.Durability.PROCESS_CRASH_ONLY, 0);
            Path cachedDir = Files.createTempDirectory("linked-cached");
            Path bareDir = Files.createTempDirectory("linked-bare");
            RocksDbNodeStore cached = RocksDbNodeStore.open(cachedDir, cachedSettings);
            RocksDbNodeStore bare = RocksDbNodeStore.open(bareDir, bareSettings);
            try {
                SparseMerkleTree memory = new SparseMerkleTree(new MemoryNodeStore(), 0);
                SparseMerkleTree a = new SparseMerkleTree(cached, 0);
                SparseMerkleTree b = new SparseMerkleTree(bare, 0);
                TreeMap<Bytes32, byte[]> model = new TreeMap<>();
                List<Bytes32> seen = new ArrayList<>();
                for (int step = 0; step < 24; step++) {
                    TreeMap<Bytes32, byte[]> writes = randomWrites(r, seen);
                    SparseMerkleTree.Prepared pm = PreparedVersionProperties.prepare(memory, writes);
                    SparseMerkleTree.Prepared pa = PreparedVersionProperties.prepare(a, writes);
                    SparseMerkleTree.Prepared pb = PreparedVersionProperties.prepare(b, writes);
                    assertThat(pa.root()).isEqualTo(pm.root());
                    assertThat(pb.root()).isEqualTo(pm.root());
                    if (r.nextInt(5) == 0) continue; // dropped everywhere
                    memory.commit(pm);
                    a.commit(pa);
                    b.commit(pb);
                    writes.forEach((k, v) -> {
                        if (v == null) model.remove(k);
                        else model.put(k, v);
                    });
                    assertThat(a.root().toArray()).isEqualTo(ReferenceRoot.of(model));
                    // the whole-state walk (a snapshot image's) gives every leaf once, in key order, whether the nodes are
                    // in memory or each read from RocksDB (the bare store: no child held, every one loaded by its path)
                    List<String> expected = new ArrayList<>();
                    model.entrySet().stream().sorted((x, y) -> Arrays.compareUnsigned(x.getKey().toArray(), y.getKey().toArray()))
                            .forEach(e -> expected.add(java.util.HexFormat.of().formatHex(e.getKey().toArray()) + "=" + java.util.HexFormat.of().formatHex(e.getValue())));
                    for (SparseMerkleTree t : List.of(memory, a, b)) {
                        List<String> walked = new ArrayList<>();
                        t.forEachLeaf((k, v) -> walked.add(java.util.HexFormat.of().formatHex(k) + "=" + java.util.HexFormat.of().formatHex(v)));
                        assertThat(walked).isEqualTo(expected);
                    }
                    if (r.nextInt(6) == 0) {
                        // A reopen starts from an unlinked root read from disk.
                        cached.close();
                        cached = RocksDbNodeStore.open(cachedDir, cachedSettings);
                        a = new SparseMerkleTree(cached, 0);
                    }
                    if (r.nextInt(8) == 0 && memory.latestVersion() > memory.oldestVersion()) {
                        long keep = memory.oldestVersion() + 1 + r.nextInt((int) (memory.latestVersion() - memory.oldestVersion()));
                        memory.prune(keep);
                        a.prune(keep);
                        b.prune(keep);
                    }
                    agree(r, memory, a, b, seen);
                }
                cached.close();
                bare.close();
                assertThat(records(cachedDir)).isEqualTo(records(bareDir));
            } finally {
                cached.close();
                bare.close();
                delete(cachedDir);
                delete(bareDir);
            }
        });
    }

    /** Values and proofs of random keys in the latest and in a random retained version. */
    private static void agree(Random r, SparseMerkleTree memory, SparseMerkleTree a, SparseMerkleTree b, List<Bytes32> seen) {
        long latest = memory.latestVersion();
        long older = memory.oldestVersion() + r.nextInt((int) (latest - memory.oldestVersion() + 1));
        List<Bytes32> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) keys.add(seen.get(r.nextInt(seen.size())));
        for (long v : new long[] {latest, older}) {
            assertThat(a.root(v)).isEqualTo(memory.root(v));
            assertThat(b.root(v)).isEqualTo(memory.root(v));
            for (Bytes32 k : keys) {
                byte[] expected = memory.get(v, k).orElse(null);
                assertThat(a.get(v, k).orElse(null)).isEqualTo(expected);
                assertThat(b.get(v, k).orElse(null)).isEqualTo(expected);
            }
            byte[] proof = memory.prove(v, keys).encode();
            assertThat(a.prove(v, keys).encode()).isEqualTo(proof);
            assertThat(b.prove(v, keys).encode()).isEqualTo(proof);
        }
    }

    private static TreeMap<Bytes32, byte[]> randomWrites(Random r, List<Bytes32> seen) {
        TreeMap<Bytes32, byte[]> writes = new TreeMap<>();
        int n = 1 + r.nextInt(40);
        for (int i = 0; i < n; i++) {
            Bytes32 k = SparseMerkleTreeProperties.key(r, 8);
            seen.add(k);
            if (r.nextInt(5) == 0) {
                writes.put(k, null);
            } else {
                byte[] v = new byte[1 + r.nextInt(200)];
                r.nextBytes(v);
                writes.put(k, v);
            }
        }
        return writes;
    }


    /** Every record in the store, as hex key to hex value, in key order. */
    static TreeMap<String, String> records(Path dir) throws Exception {
        TreeMap<String, String> out = new TreeMap<>();
        try (Options options = new Options(); RocksDB db = RocksDB.openReadOnly(options, dir.toString()); RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) out.put(java.util.HexFormat.of().formatHex(it.key()), Arrays.toString(it.value()));
        }
        return out;
    }

    static void delete(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
