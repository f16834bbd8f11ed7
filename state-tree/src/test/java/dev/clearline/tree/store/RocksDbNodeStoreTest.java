package dev.clearline.tree.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.UnknownVersionException;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.proof.ProofVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;

class RocksDbNodeStoreTest {
    @TempDir
    Path dir;

    private static WriteSet randomWrites(Random r, int n) {
        WriteSet ws = new WriteSet();
        for (int i = 0; i < n; i++) {
            byte[] k = new byte[32];
            r.nextBytes(k);
            k[0] &= 3;
            ws.put(Bytes32.of(k), new byte[]{(byte) i, (byte) r.nextInt()});
        }
        return ws;
    }

    @Test
    void reopenedStoreServesTheSameRootsValuesAndProofsAsTheMemoryStore() {
        SparseMerkleTree memory = new SparseMerkleTree(new MemoryNodeStore());
        List<Bytes32> someKeys = new ArrayList<>();
        try (RocksDbNodeStore store = RocksDbNodeStore.open(dir)) {
            SparseMerkleTree disk = new SparseMerkleTree(store);
            for (int v = 0; v < 5; v++) {
                Random r = new Random(v);
                disk.commit(randomWrites(r, 300));
                memory.commit(randomWrites(new Random(v), 300));
            }
            Bytes32 gone = Bytes32.fromHex("0x" + "00".repeat(31) + "01");
            disk.put(gone, new byte[]{9});
            memory.put(gone, new byte[]{9});
            disk.delete(gone);
            memory.delete(gone);
            someKeys.add(gone);
        }
        Random r = new Random(1);
        byte[] k = new byte[32];
        r.nextBytes(k);
        k[0] &= 3;
        someKeys.add(Bytes32.of(k));
        try (RocksDbNodeStore store = RocksDbNodeStore.open(dir)) {
            SparseMerkleTree disk = new SparseMerkleTree(store);
            assertThat(disk.latestVersion()).isEqualTo(memory.latestVersion());
            for (long v = 0; v <= disk.latestVersion(); v++) {
                assertThat(disk.root(v)).isEqualTo(memory.root(v));
            }
            assertThat(disk.get(1, someKeys.get(1))).isPresent();
            assertThat(disk.get(someKeys.get(0))).isEmpty();
            byte[] proof = disk.prove(3, someKeys).encode();
            assertThat(proof).isEqualTo(memory.prove(3, someKeys).encode());
            List<Bytes32> sorted = someKeys.stream().sorted().toList();
            List<Bytes32> claims = sorted.stream().map(key -> disk.get(3, key)
                    .map(v -> Bytes32.of(TreeHash.value(v))).orElse(Bytes32.ZERO)).toList();
            assertThat(ProofVerifier.verify(disk.root(3), sorted, claims, proof)).isEqualTo(ProofError.OK);
        }
    }

    @Test
    void pruningDropsOldVersionsAndKeepsRetainedOnesReadableAcrossReopen() {
        List<Bytes32> roots = new ArrayList<>();
        try (RocksDbNodeStore store = RocksDbNodeStore.open(dir)) {
            SparseMerkleTree tree = new SparseMerkleTree(store);
            for (int v = 0; v < 6; v++) {
                tree.commit(randomWrites(new Random(v), 200));
                roots.add(tree.root());
            }
            tree.prune(3);
        }
        SparseMerkleTree reference = new SparseMerkleTree(new MemoryNodeStore());
        for (int v = 0; v < 6; v++) {
            reference.commit(randomWrites(new Random(v), 200));
        }
        try (RocksDbNodeStore store = RocksDbNodeStore.open(dir)) {
            SparseMerkleTree tree = new SparseMerkleTree(store);
            assertThatThrownBy(() -> tree.root(2)).isInstanceOf(UnknownVersionException.class);
            Random r = new Random(99);
            for (int v = 3; v < 6; v++) {
                assertThat(tree.root(v)).isEqualTo(roots.get(v));
                for (int i = 0; i < 50; i++) {
                    byte[] k = new byte[32];
                    r.nextBytes(k);
                    k[0] &= 3;
                    Bytes32 key = Bytes32.of(k);
                    assertThat(tree.get(v, key).orElse(null)).isEqualTo(reference.get(v, key).orElse(null));
                    tree.prove(v, List.of(key));
                }
            }
        }
    }

    @Test
    void aDamagedRootNodeIsReportedOnOpenNamingVersionAndKeyAndIsLeftUntouched() throws Exception {
        long latest;
        long rootNodeVersion;
        try (RocksDbNodeStore store = RocksDbNodeStore.open(dir)) {
            SparseMerkleTree tree = new SparseMerkleTree(store);
            tree.commit(randomWrites(new Random(1), 50));
            latest = tree.commit(randomWrites(new Random(2), 50));
            rootNodeVersion = store.root(latest).orElseThrow().rootNodeVersion();
        }
        byte[] rawKey = new byte[1 + NodeKey.ENCODED_LENGTH];
        rawKey[0] = 'n';
        System.arraycopy(new NodeKey(rootNodeVersion, 0, 0, 0, 0, 0).encode(), 0, rawKey, 1, NodeKey.ENCODED_LENGTH);
        byte[] damaged;
        try (RocksDB raw = RocksDB.open(dir.toString())) {
            damaged = raw.get(rawKey).clone();
            damaged[20] ^= 0x5a;
            raw.put(rawKey, damaged);
        }
        assertThatThrownBy(() -> RocksDbNodeStore.open(dir))
                .isInstanceOfSatisfying(StoreCorruptedException.class, e -> {
                    assertThat(e.version()).isEqualTo(rootNodeVersion);
                    assertThat(e.key()).contains("depth 0");
                    assertThat(e.getMessage()).contains("version " + rootNodeVersion).contains("not modified");
                });
        try (RocksDB raw = RocksDB.open(dir.toString())) {
            assertThat(raw.get(rawKey)).isEqualTo(damaged);
        }
    }
}
