package dev.clearline.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.tree.store.RocksDbNodeStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A tree that computes large versions in pieces on a fork-join pool makes the same versions as one
 * that does it all on its own thread: the same roots, the same count of nodes hashed, the same answers
 * for values and proofs, and on RocksDB the same records, pruned versions included (each piece's
 * stale nodes must be listed for pruning to delete them). Versions are sized around
 * {@link SparseMerkleTree#SPLIT_LEAVES} and start from an empty tree and from a one-leaf tree, some
 * with every key on one side of the root (nothing to split there), and the test counts the threads the
 * pool started so that it fails if no version ever went to it.
 */
class SplitPrepareProperties {

    @Test
    void aTreeWithAHelperMakesTheSameVersionsAsOneWithout() {
        AtomicInteger threads = new AtomicInteger();
        ForkJoinPool helper = new ForkJoinPool(2, p -> {
            threads.incrementAndGet();
            return ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
        }, null, false);
        try {
            Property.forAll(Gens.seeds()).tries(5).check(seed -> {
                Random r = new Random(seed);
                Path serialDir = Files.createTempDirectory("split-serial");
                Path splitDir = Files.createTempDirectory("split-helper");
                // a small node cache and few linked levels make the pool's threads read RocksDB and fill the cache together
                RocksDbNodeStore.Settings settings = new RocksDbNodeStore.Settings(1 << (3 + r.nextInt(10)),
                        RocksDbNodeStore.Durability.PROCESS_CRASH_ONLY, r.nextInt(6));
                RocksDbNodeStore serialStore = RocksDbNodeStore.open(serialDir, settings);
                RocksDbNodeStore splitStore = RocksDbNodeStore.open(splitDir, settings);
                try {
                    SparseMerkleTree memory = new SparseMerkleTree(new MemoryNodeStore(), 0);
                    SparseMerkleTree memorySplit = new SparseMerkleTree(new MemoryNodeStore(), 0, helper);
                    SparseMerkleTree disk = new SparseMerkleTree(serialStore, 0);
                    SparseMerkleTree diskSplit = new SparseMerkleTree(splitStore, 0, helper);
                    List<SparseMerkleTree> trees = List.of(memory, memorySplit, disk, diskSplit);
                    TreeMap<Bytes32, byte[]> model = new TreeMap<>();
                    List<Bytes32> seen = new ArrayList<>();
                    if (r.nextBoolean()) {
                        // a one-leaf tree: its root is a leaf, which has no pieces
                        TreeMap<Bytes32, byte[]> one = new TreeMap<>();
                        one.put(SparseMerkleTreeProperties.key(r, 12), new byte[] {1});
                        commitEverywhere(trees, one, model);
                    }
                    for (int step = 0; step < 8; step++) {
                        TreeMap<Bytes32, byte[]> writes = randomWrites(r, seen);
                        List<SparseMerkleTree.Prepared> prepared = new ArrayList<>();
                        for (SparseMerkleTree t : trees) prepared.add(PreparedVersionProperties.prepare(t, writes));
                        for (SparseMerkleTree.Prepared p : prepared) {
                            assertThat(p.root()).isEqualTo(prepared.get(0).root());
                            assertThat(p.internalNodesHashed()).isEqualTo(prepared.get(0).internalNodesHashed());
                        }
                        if (r.nextInt(6) == 0) continue; // dropped everywhere
                        for (int i = 0; i < trees.size(); i++) trees.get(i).commit(prepared.get(i));
                        writes.forEach((k, v) -> {
                            if (v == null) model.remove(k);
                            else model.put(k, v);
                        });
                        assertThat(diskSplit.root().toArray()).isEqualTo(ReferenceRoot.of(model));
                        if (r.nextInt(4) == 0 && memory.latestVersion() > memory.oldestVersion()) {
                            long keep = memory.oldestVersion() + 1 + r.nextInt((int) (memory.latestVersion() - memory.oldestVersion()));
                            for (SparseMerkleTree t : trees) t.prune(keep);
                        }
                        agree(r, trees, seen);
                    }
                    serialStore.close();
                    splitStore.close();
                    assertThat(LinkedLevelsProperties.records(splitDir)).isEqualTo(LinkedLevelsProperties.records(serialDir));
                } finally {
                    serialStore.close();
                    splitStore.close();
                    LinkedLevelsProperties.delete(serialDir);
                    LinkedLevelsProperties.delete(splitDir);
                }
            });
        } finally {
            helper.shutdownNow();
        }
        assertThat(threads.get()).as("threads the pool started for versions it computed").isGreaterThan(0);
    }

    @Test
    void aPoolThatIsShutDownLeavesTheVersionToTheCallersThread() {
        ForkJoinPool refusing = new ForkJoinPool(2);
        refusing.shutdown();
        SparseMerkleTree serial = new SparseMerkleTree(new MemoryNodeStore(), 0);
        SparseMerkleTree split = new SparseMerkleTree(new MemoryNodeStore(), 0, refusing);
        Random r = new Random(11);
        List<Bytes32> seen = new ArrayList<>();
        for (int step = 0; step < 3; step++) {
            TreeMap<Bytes32, byte[]> writes = new TreeMap<>();
            while (writes.size() < SparseMerkleTree.SPLIT_LEAVES * 2) writes.put(SparseMerkleTreeProperties.key(r, 16), new byte[] {(byte) step});
            seen.addAll(writes.keySet());
            SparseMerkleTree.Prepared a = PreparedVersionProperties.prepare(serial, writes);
            SparseMerkleTree.Prepared b = PreparedVersionProperties.prepare(split, writes);
            assertThat(b.root()).isEqualTo(a.root());
            serial.commit(a);
            split.commit(b);
        }
        agree(r, List.of(serial, split), seen);
    }

    private static void commitEverywhere(List<SparseMerkleTree> trees, TreeMap<Bytes32, byte[]> writes, TreeMap<Bytes32, byte[]> model) {
        for (SparseMerkleTree t : trees) t.commit(PreparedVersionProperties.prepare(t, writes));
        model.putAll(writes);
    }

    /** Values and proofs of random keys in the latest and in a random retained version, the first tree the reference. */
    private static void agree(Random r, List<SparseMerkleTree> trees, List<Bytes32> seen) {
        SparseMerkleTree reference = trees.get(0);
        long latest = reference.latestVersion();
        long older = reference.oldestVersion() + r.nextInt((int) (latest - reference.oldestVersion() + 1));
        List<Bytes32> keys = new ArrayList<>();
        for (int i = 0; i < 6; i++) keys.add(seen.get(r.nextInt(seen.size())));
        for (long v : new long[] {latest, older}) {
            byte[] proof = reference.prove(v, keys).encode();
            for (SparseMerkleTree t : trees) {
                assertThat(t.root(v)).isEqualTo(reference.root(v));
                for (Bytes32 k : keys) assertThat(t.get(v, k).orElse(null)).isEqualTo(reference.get(v, k).orElse(null));
                assertThat(t.prove(v, keys).encode()).isEqualTo(proof);
            }
        }
    }

    /**
     * Around the split threshold: small versions (never split), large ones with keys on both sides
     * of the root, and large ones with every key's first bit clear (all under the left child).
     */
    private static TreeMap<Bytes32, byte[]> randomWrites(Random r, List<Bytes32> seen) {
        TreeMap<Bytes32, byte[]> writes = new TreeMap<>();
        int n = switch (r.nextInt(4)) {
            case 0 -> 1 + r.nextInt(SparseMerkleTree.SPLIT_LEAVES - 1);
            default -> SparseMerkleTree.SPLIT_LEAVES + r.nextInt(3 * SparseMerkleTree.SPLIT_LEAVES);
        };
        boolean oneSide = r.nextInt(5) == 0;
        for (int i = 0; i < n; i++) {
            // known keys again now and then: updates and deletes of leaves written before
            Bytes32 k = !seen.isEmpty() && r.nextInt(3) == 0 ? seen.get(r.nextInt(seen.size())) : SparseMerkleTreeProperties.key(r, 16);
            if (oneSide) {
                byte[] b = k.toArray();
                b[0] &= 0x7f;
                k = Bytes32.of(b);
            }
            seen.add(k);
            if (r.nextInt(6) == 0) {
                writes.put(k, null);
            } else {
                byte[] v = new byte[1 + r.nextInt(300)];
                r.nextBytes(v);
                writes.put(k, v);
            }
        }
        return writes;
    }
}
