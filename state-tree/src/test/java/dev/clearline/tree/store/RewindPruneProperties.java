package dev.clearline.tree.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits, rewinds (a replay going back after a crash or a reorg) and prunes in any order: every
 * version still on the store's lineage reads what was written to it, and once pruned to the latest
 * version the store holds exactly the nodes a fresh store holding the same leaves holds (nothing a
 * rewind left behind leaks, nothing live was deleted).
 */
class RewindPruneProperties {
    @TempDir
    Path dir;

    @Test
    void rewindsAndPrunesInAnyOrderKeepEveryLiveVersionWholeAndLeakNothing() {
        Property.forAll(Gens.seeds(), Gens.ints(5, 60)).tries(25).check((seed, steps) -> {
            Random r = new Random(seed);
            Path at = Files.createTempDirectory(dir, "store");
            // the lineage: the versions the latest one descends from, each with its leaves
            TreeMap<Long, Map<Bytes32, byte[]>> lineage = new TreeMap<>();
            List<Bytes32> keys = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                byte[] k = new byte[32];
                r.nextBytes(k);
                if (i % 3 == 0) k[0] = 0; // shared prefixes: deeper paths
                keys.add(Bytes32.of(k));
            }
            try (RocksDbNodeStore store = RocksDbNodeStore.open(at)) {
                Map<Bytes32, byte[]> leaves = new HashMap<>();
                for (int step = 0; step < steps; step++) {
                    int what = r.nextInt(10);
                    if (what < 6 || lineage.isEmpty()) {
                        WriteSet ws = new WriteSet();
                        for (int i = 0, n = 1 + r.nextInt(6); i < n; i++) {
                            Bytes32 k = keys.get(r.nextInt(keys.size()));
                            byte[] v = {(byte) step, (byte) i, (byte) r.nextInt()};
                            ws.put(k, v);
                            leaves.put(k, v);
                        }
                        long v = new SparseMerkleTree(store, 0).commit(ws);
                        lineage.put(v, new HashMap<>(leaves));
                    } else if (what < 8) {
                        // back to a version of the lineage still held: the ones after it leave the lineage
                        List<Long> held = new ArrayList<>(lineage.tailMap(store.oldestVersion()).keySet());
                        long to = held.get(r.nextInt(held.size()));
                        long v = store.rewind(to);
                        leaves = new HashMap<>(lineage.get(to));
                        lineage.tailMap(to, false).clear();
                        lineage.put(v, new HashMap<>(leaves));
                    } else {
                        long keepFrom = store.oldestVersion() + r.nextLong(store.latestVersion() - store.oldestVersion() + 1);
                        // a replay prunes only below a version of its lineage (its oldest mark)
                        Long floor = lineage.floorKey(keepFrom);
                        if (floor != null && floor >= store.oldestVersion()) new SparseMerkleTree(store, 0).prune(floor);
                    }
                    SparseMerkleTree tree = new SparseMerkleTree(store, 0);
                    for (var e : lineage.tailMap(store.oldestVersion()).entrySet()) {
                        for (Bytes32 k : keys) {
                            byte[] expected = e.getValue().get(k);
                            assertThat(tree.get(e.getKey(), k).orElse(null)).as("version %d key %s after step %d", e.getKey(), k, step).isEqualTo(expected);
                        }
                    }
                }
                new SparseMerkleTree(store, 0).prune(store.latestVersion());
                Path fresh = Files.createTempDirectory(dir, "fresh");
                try (RocksDbNodeStore one = RocksDbNodeStore.open(fresh)) {
                    WriteSet all = new WriteSet();
                    leaves.forEach(all::put);
                    if (!leaves.isEmpty()) new SparseMerkleTree(one, 0).commit(all);
                    assertThat(new SparseMerkleTree(store, 0).root()).isEqualTo(new SparseMerkleTree(one, 0).root());
                    assertThat(store.nodeCount()).as("nodes left after pruning to the latest version").isEqualTo(one.nodeCount());
                }
            }
        });
    }
}
