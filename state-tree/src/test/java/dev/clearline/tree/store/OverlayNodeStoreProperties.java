package dev.clearline.tree.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.UnknownVersionException;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.proof.ProofVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A look ahead of a persisted state (the posted, not yet final batches on top of the finalized
 * state the escape caches): a tree over the overlay reaches exactly the roots, values and proofs a
 * tree that took every write itself reaches, and the base, reopened afterwards, holds what it held
 * before, down to its latest version.
 */
class OverlayNodeStoreProperties {
    @TempDir
    Path dir;

    @Test
    void writesThroughAnOverlayReadAsIfCommittedAndLeaveThePersistedBaseAsItWas() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 6)).tries(20).check((seed, baseVersions) -> {
            Random r = new Random(seed);
            int overlayVersions = 1 + r.nextInt(6);
            List<Bytes32> keys = keys(r);
            SparseMerkleTree reference = new SparseMerkleTree(new MemoryNodeStore(), 0);
            Map<Bytes32, byte[]> leaves = new HashMap<>();
            Path at = Files.createTempDirectory(dir, "base");
            Bytes32 baseRoot;
            long baseLatest;
            // few linked levels: most nodes are reached by key, through the overlay's own or the base's
            int linked = r.nextInt(3);
            try (RocksDbNodeStore base = RocksDbNodeStore.open(at, RocksDbNodeStore.Settings.defaults().withLinkedLevels(linked))) {
                SparseMerkleTree persisted = new SparseMerkleTree(base, 0);
                for (int v = 0; v < baseVersions; v++) {
                    WriteSet ws = writes(r, keys, leaves, v);
                    persisted.commit(ws);
                    reference.commit(ws);
                }
                // a base pruned to its latest version (as the escape's cache is): the overlay starts from the same oldest
                if (r.nextBoolean()) persisted.prune(persisted.latestVersion());
                baseRoot = persisted.root();
                baseLatest = persisted.latestVersion();
                long baseOldest = persisted.oldestVersion();
                Map<Bytes32, byte[]> finalLeaves = new HashMap<>(leaves);

                OverlayNodeStore ahead = new OverlayNodeStore(base);
                SparseMerkleTree look = new SparseMerkleTree(ahead, 0);
                for (int v = 0; v < overlayVersions; v++) {
                    WriteSet ws = writes(r, keys, leaves, 100 + v);
                    long version = look.commit(ws);
                    long expected = reference.commit(ws);
                    assertThat(version).isEqualTo(expected);
                    assertThat(look.root()).as("overlay version %d", version).isEqualTo(reference.root());
                }
                for (Bytes32 k : keys) assertThat(look.get(k).orElse(null)).as("key %s ahead", k).isEqualTo(leaves.get(k));
                // a tree opened afresh on the overlay holds no node of its own: it reads every one from the store
                SparseMerkleTree fresh = new SparseMerkleTree(ahead, 0);
                for (Bytes32 k : keys) assertThat(fresh.get(k).orElse(null)).as("key %s read afresh", k).isEqualTo(leaves.get(k));
                long v = look.latestVersion();
                List<Bytes32> sorted = keys.stream().sorted().toList();
                byte[] proof = look.prove(v, sorted).encode();
                List<Bytes32> claims = sorted.stream().map(k -> look.get(v, k).map(x -> Bytes32.of(TreeHash.value(x))).orElse(Bytes32.ZERO)).toList();
                assertThat(ProofVerifier.verify(look.root(v), sorted, claims, proof)).isEqualTo(ProofError.OK);
                assertThat(look.root(baseLatest)).as("the base's version read through").isEqualTo(baseRoot);
                assertThat(look.oldestVersion()).isEqualTo(baseOldest);
                if (baseOldest > 0) assertThatThrownBy(() -> look.root(baseOldest - 1)).isInstanceOf(UnknownVersionException.class);
                // pruned to its latest: the overlay's older versions go, its latest stays whole
                look.prune(v);
                assertThat(look.oldestVersion()).isEqualTo(v);
                assertThatThrownBy(() -> look.root(v - 1)).isInstanceOf(UnknownVersionException.class);
                for (Bytes32 k : keys) assertThat(look.get(k).orElse(null)).as("key %s after the prune", k).isEqualTo(leaves.get(k));

                assertThat(base.latestVersion()).as("the base took no version").isEqualTo(baseLatest);
                SparseMerkleTree again = new SparseMerkleTree(base, 0);
                for (Bytes32 k : keys) assertThat(again.get(k).orElse(null)).as("key %s in the base", k).isEqualTo(finalLeaves.get(k));
                ahead.close();
            }
            try (RocksDbNodeStore reopened = RocksDbNodeStore.open(at)) {
                SparseMerkleTree t = new SparseMerkleTree(reopened, 0);
                assertThat(t.latestVersion()).isEqualTo(baseLatest);
                assertThat(t.root()).isEqualTo(baseRoot);
            }
        });
    }

    /** Over a store whose nodes link their children (the in-memory one), as over one reached by key. */
    @Test
    void anOverlayOfAnInMemoryStoreReachesTheSameRoots() {
        Property.forAll(Gens.seeds()).tries(20).check(seed -> {
            Random r = new Random(seed);
            List<Bytes32> keys = keys(r);
            Map<Bytes32, byte[]> leaves = new HashMap<>();
            MemoryNodeStore base = new MemoryNodeStore();
            SparseMerkleTree persisted = new SparseMerkleTree(base, 0);
            SparseMerkleTree reference = new SparseMerkleTree(new MemoryNodeStore(), 0);
            for (int v = 0; v < 3; v++) {
                WriteSet ws = writes(r, keys, leaves, v);
                persisted.commit(ws);
                reference.commit(ws);
            }
            Bytes32 before = persisted.root();
            SparseMerkleTree look = new SparseMerkleTree(new OverlayNodeStore(base), 0);
            for (int v = 0; v < 3; v++) {
                WriteSet ws = writes(r, keys, leaves, 10 + v);
                look.commit(ws);
                reference.commit(ws);
                assertThat(look.root()).isEqualTo(reference.root());
            }
            assertThat(new SparseMerkleTree(base, 0).root()).isEqualTo(before);
        });
    }

    @Test
    void aVersionTheBaseAlreadyHoldsIsRefused() {
        MemoryNodeStore base = new MemoryNodeStore();
        new SparseMerkleTree(base, 0).put(Bytes32.ZERO, new byte[] {1});
        OverlayNodeStore ahead = new OverlayNodeStore(base);
        VersionCommit clash = new VersionCommit(base.latestVersion(), List.of(), List.of(), base.root(base.latestVersion()).orElseThrow(), null, 0);
        assertThatThrownBy(() -> ahead.commit(clash)).isInstanceOf(IllegalStateException.class).hasMessageContaining("only adds versions after it");
    }

    private static List<Bytes32> keys(Random r) {
        List<Bytes32> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] k = new byte[32];
            r.nextBytes(k);
            if (i % 3 == 0) k[0] = 0; // shared prefixes: deeper paths
            keys.add(Bytes32.of(k));
        }
        return keys;
    }

    /** Some puts and deletes over {@code keys}, recorded in {@code leaves}. */
    private static WriteSet writes(Random r, List<Bytes32> keys, Map<Bytes32, byte[]> leaves, int tag) {
        WriteSet ws = new WriteSet();
        for (int i = 0, n = 1 + r.nextInt(8); i < n; i++) {
            Bytes32 k = keys.get(r.nextInt(keys.size()));
            if (leaves.containsKey(k) && r.nextInt(4) == 0) {
                ws.delete(k);
                leaves.remove(k);
            } else {
                byte[] v = {(byte) tag, (byte) i, (byte) r.nextInt()};
                ws.put(k, v);
                leaves.put(k, v);
            }
        }
        return ws;
    }
}
