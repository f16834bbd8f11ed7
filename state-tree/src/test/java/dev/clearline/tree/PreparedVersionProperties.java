package dev.clearline.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.tree.store.NodeStore;
import dev.clearline.tree.store.RocksDbNodeStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A version prepared before it is committed: its root is the committed root, and preparing writes nothing. */
class PreparedVersionProperties {

    @Test
    void aPreparedRootIsTheReferenceRootAndPreparingLeavesTheTreeAsItWas() {
        Property.forAll(Gens.seeds()).tries(60).check(seed -> {
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore(), r.nextInt(3));
            TreeMap<Bytes32, byte[]> model = new TreeMap<>();
            for (int step = 0; step < 25; step++) {
                TreeMap<Bytes32, byte[]> writes = randomWrites(r);
                TreeMap<Bytes32, byte[]> next = new TreeMap<>(model);
                writes.forEach((k, v) -> {
                    if (v == null) next.remove(k);
                    else next.put(k, v);
                });
                long before = tree.latestVersion();
                Bytes32 rootBefore = tree.root();
                SparseMerkleTree.Prepared p = prepare(tree, writes);
                assertThat(p.root().toArray()).isEqualTo(ReferenceRoot.of(next));
                assertThat(p.baseVersion()).isEqualTo(before);
                assertThat(p.version()).isEqualTo(before + 1);
                assertThat(tree.latestVersion()).isEqualTo(before);
                assertThat(tree.root()).isEqualTo(rootBefore);
                for (Bytes32 k : writes.keySet()) assertThat(tree.get(k).orElse(null)).isEqualTo(model.get(k));
                if (r.nextInt(4) == 0) continue; // dropped: the tree stays at the model
                assertThat(tree.commit(p)).isEqualTo(before + 1);
                model = next;
                assertThat(tree.root()).isEqualTo(p.root());
                for (Bytes32 k : writes.keySet()) assertThat(tree.get(k).orElse(null)).isEqualTo(model.get(k));
            }
        });
    }

    @Test
    void aVersionPreparedBeforeAnotherCommitIsRefused() {
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
        byte[][] keys = {Bytes32.fromHex("0x" + "11".repeat(32)).toArray()};
        SparseMerkleTree.Prepared stale = tree.prepare(keys, new byte[][] {{1}});
        tree.put(Bytes32.fromHex("0x" + "22".repeat(32)), new byte[] {2});
        assertThatThrownBy(() -> tree.commit(stale)).isInstanceOf(IllegalStateException.class).hasMessageContaining("prepare it again");
    }

    @Test
    void unsortedOrShortKeysAreRefusedWithTheReason() {
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
        byte[] a = Bytes32.fromHex("0x" + "11".repeat(32)).toArray();
        byte[] b = Bytes32.fromHex("0x" + "22".repeat(32)).toArray();
        assertThatThrownBy(() -> tree.prepare(new byte[][] {b, a}, new byte[][] {{1}, {2}})).hasMessageContaining("strictly ascending at index 1");
        assertThatThrownBy(() -> tree.prepare(new byte[][] {a, a}, new byte[][] {{1}, {2}})).hasMessageContaining("strictly ascending");
        assertThatThrownBy(() -> tree.prepare(new byte[][] {new byte[31]}, new byte[][] {{1}})).isInstanceOf(Bytes32.InvalidLengthException.class);
        assertThatThrownBy(() -> tree.prepare(new byte[][] {a}, new byte[0][])).hasMessageContaining("1 keys but 0 values");
    }

    @Test
    void onRocksDbAPreparedVersionWritesNothingUntilCommittedAndSurvivesAReopen() throws Exception {
        Path dir = Files.createTempDirectory("prepared-version");
        try {
            Random r = new Random(5);
            TreeMap<Bytes32, byte[]> model = new TreeMap<>();
            try (RocksDbNodeStore store = RocksDbNodeStore.open(dir, RocksDbNodeStore.Settings.defaults()
                    .withDurability(RocksDbNodeStore.Durability.PROCESS_CRASH_ONLY))) {
                SparseMerkleTree tree = new SparseMerkleTree(store, 0);
                for (int step = 0; step < 10; step++) {
                    TreeMap<Bytes32, byte[]> writes = randomWrites(r);
                    SparseMerkleTree.Prepared p = prepare(tree, writes);
                    assertThat(store.latestVersion()).isEqualTo(step - 1);
                    tree.commit(p);
                    writes.forEach((k, v) -> {
                        if (v == null) model.remove(k);
                        else model.put(k, v);
                    });
                }
                store.sync();
            }
            try (NodeStore store = RocksDbNodeStore.open(dir)) {
                SparseMerkleTree tree = new SparseMerkleTree(store);
                assertThat(tree.latestVersion()).isEqualTo(9);
                assertThat(tree.root().toArray()).isEqualTo(ReferenceRoot.of(model));
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static TreeMap<Bytes32, byte[]> randomWrites(Random r) {
        TreeMap<Bytes32, byte[]> writes = new TreeMap<>();
        int n = r.nextInt(8);
        for (int i = 0; i < n; i++) {
            Bytes32 k = SparseMerkleTreeProperties.key(r, 5);
            if (r.nextInt(4) == 0) {
                writes.put(k, null);
            } else {
                byte[] v = new byte[1 + r.nextInt(150)];
                r.nextBytes(v);
                writes.put(k, v);
            }
        }
        return writes;
    }

    /** A tree's prepared version of these writes (a null value deletes its key); {@code LinkedLevelsProperties} uses it too. */
    static SparseMerkleTree.Prepared prepare(SparseMerkleTree tree, TreeMap<Bytes32, byte[]> writes) {
        byte[][] keys = new byte[writes.size()][];
        byte[][] values = new byte[writes.size()][];
        int i = 0;
        for (Map.Entry<Bytes32, byte[]> e : writes.entrySet()) {
            keys[i] = e.getKey().toArray();
            values[i++] = e.getValue();
        }
        return tree.prepare(keys, values);
    }
}
