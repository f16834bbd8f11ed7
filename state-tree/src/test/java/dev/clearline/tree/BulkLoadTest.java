package dev.clearline.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A version of more than {@link SparseMerkleTree#PARALLEL_LEAVES} leaves (a snapshot's state
 * rebuilt at once) hashes its leaves on all cores: the tree it builds is the one the same leaves
 * give when written a few thousand at a time on one thread, leaf for leaf and root for root.
 */
class BulkLoadTest {
    @Test
    void aBulkVersionBuildsTheTreeSmallVersionsBuild() {
        Property.forAll(Gens.seeds()).tries(2).check(seed -> {
            Random r = new Random(seed);
            int n = SparseMerkleTree.PARALLEL_LEAVES + 1 + r.nextInt(10_000);
            java.util.TreeMap<Bytes32, byte[]> leaves = new java.util.TreeMap<>();
            while (leaves.size() < n) {
                byte[] k = new byte[32];
                r.nextBytes(k);
                byte[] v = new byte[r.nextBoolean() ? 32 : 13 * 32];
                v[v.length - 1 - r.nextInt(8)] = (byte) (1 + r.nextInt(255));
                leaves.put(Bytes32.wrap(k), v);
            }
            SparseMerkleTree bulk = new SparseMerkleTree(new MemoryNodeStore(), 0);
            WriteSet all = new WriteSet();
            leaves.forEach(all::put);
            bulk.commit(all);

            SparseMerkleTree small = new SparseMerkleTree(new MemoryNodeStore(), 0);
            List<Bytes32> keys = new ArrayList<>(leaves.keySet());
            java.util.Collections.shuffle(keys, r);
            for (int from = 0; from < keys.size(); from += 5_000) {
                WriteSet part = new WriteSet();
                for (Bytes32 k : keys.subList(from, Math.min(keys.size(), from + 5_000))) part.put(k, leaves.get(k));
                small.commit(part);
            }
            assertThat(bulk.root()).isEqualTo(small.root());
            List<String> a = new ArrayList<>(), b = new ArrayList<>();
            bulk.forEachLeaf((k, v) -> a.add(java.util.HexFormat.of().formatHex(k) + java.util.HexFormat.of().formatHex(v)));
            small.forEachLeaf((k, v) -> b.add(java.util.HexFormat.of().formatHex(k) + java.util.HexFormat.of().formatHex(v)));
            assertThat(a).hasSize(n).isEqualTo(b);
        });
    }
}
