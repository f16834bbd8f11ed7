package dev.clearline.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.tree.store.NodeStore;
import java.util.Random;
import java.util.TreeMap;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

/** Reads answered from the latest-value cache must agree with a model whatever order reads and commits come in. */
class LatestValuesProperties {

    @Test
    void readsInterleavedWithCommitsSeeTheLatestValueWhateverTheCacheHolds() {
        Property.forAll(Gens.seeds(), Gens.ints(0, 6)).tries(80).check((seed, capacity) -> {
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore(), capacity);
            TreeMap<Bytes32, byte[]> model = new TreeMap<>();
            for (int step = 0; step < 40; step++) {
                WriteSet ws = new WriteSet();
                int writes = r.nextInt(6);
                for (int i = 0; i < writes; i++) {
                    Bytes32 k = SparseMerkleTreeProperties.key(r, 4);
                    if (r.nextInt(3) == 0) {
                        ws.delete(k);
                        model.remove(k);
                    } else {
                        byte[] value = new byte[1 + r.nextInt(40)];
                        r.nextBytes(value);
                        ws.put(k, value);
                        model.put(k, value);
                    }
                }
                if (writes > 0 || r.nextBoolean()) {
                    tree.commit(ws);
                }
                for (int i = 0; i < 8; i++) {
                    Bytes32 k = SparseMerkleTreeProperties.key(r, 4);
                    assertThat(tree.get(k).orElse(null)).isEqualTo(model.get(k));
                    if (tree.latestVersion() >= 0) {
                        assertThat(tree.get(tree.latestVersion(), k).orElse(null)).isEqualTo(model.get(k));
                    }
                }
            }
        });
    }

    @Test
    void aSecondWriterOnTheSameStoreIsNeverHiddenByTheFirstTreesCache() {
        Property.forAll(Gens.seeds()).tries(30).check(seed -> {
            Random r = new Random(seed);
            NodeStore store = new MemoryNodeStore();
            SparseMerkleTree reader = new SparseMerkleTree(store);
            SparseMerkleTree writer = new SparseMerkleTree(store);
            Bytes32 k = SparseMerkleTreeProperties.key(r, 3);
            byte[] first = {1};
            reader.put(k, first);
            assertThat(reader.get(k)).contains(first);
            byte[] second = {2};
            writer.put(k, second);
            assertThat(reader.get(k)).contains(second);
            writer.delete(k);
            assertThat(reader.get(k)).isEmpty();
        });
    }

    @Test
    void valuesHandedOutAreCopiesSoCallersCannotChangeTheTree() {
        Property.forAll(Gens.seeds()).tries(30).check(seed -> {
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
            Bytes32 k = SparseMerkleTreeProperties.key(r, 3);
            tree.put(k, new byte[] {7, 7});
            tree.get(k).orElseThrow()[0] = 0;
            assertThat(tree.get(k).orElseThrow()).containsExactly(7, 7);
        });
    }
}
