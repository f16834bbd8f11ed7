package dev.clearline.engine.stf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.tree.store.NodeStore;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The STF's tree store against a model: reads see pending writes and deletes, a discard brings back the last
 * committed state, a prepared root is the root the commit then has (and the root a fresh tree over
 * the same leaves has), and a commit made by someone else on the same tree is never hidden by what
 * the store keeps at hand.
 */
class TreeLeafStoreProperties {

    @Test
    void readsRootsAndDiscardsFollowTheModel() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 40)).tries(60).check((seed, cached) -> {
            Random r = new Random(seed);
            NodeStore nodes = new MemoryNodeStore();
            SparseMerkleTree tree = new SparseMerkleTree(nodes, r.nextInt(3));
            SparseMerkleTree other = new SparseMerkleTree(nodes);
            TreeLeafStore store = new TreeLeafStore(tree, cached);
            Map<ByteBuffer, byte[]> committed = new HashMap<>();
            Map<ByteBuffer, byte[]> pending = new HashMap<>();
            for (int step = 0; step < 200; step++) {
                int op = r.nextInt(20);
                if (op < 8) {
                    byte[] k = key(r);
                    byte[] v = r.nextInt(4) == 0 ? null : value(r); // null: a delete (PruneOrder's write)
                    store.putAll(List.of(v == null ? LeafStore.Write.delete(k.clone()) : new LeafStore.Write(k.clone(), v)));
                    pending.put(ByteBuffer.wrap(k), v);
                } else if (op < 13) {
                    byte[] k = key(r);
                    byte[] expected = pending.containsKey(ByteBuffer.wrap(k)) ? pending.get(ByteBuffer.wrap(k)) : committed.get(ByteBuffer.wrap(k));
                    assertThat(store.get(k)).isEqualTo(expected);
                    Integer decoded = store.get(k, Integer.class, v -> ByteBuffer.wrap(v).getInt());
                    assertThat(decoded).isEqualTo(expected == null ? null : ByteBuffer.wrap(expected).getInt());
                } else if (op < 15) {
                    store.discard();
                    pending.clear();
                    assertThat(store.hasPending()).isFalse();
                } else if (op < 18) {
                    TreeLeafStore.Prepared p = store.prepare();
                    Map<ByteBuffer, byte[]> next = new HashMap<>(committed);
                    next.putAll(pending);
                    assertThat(p.root().bytes()).isEqualTo(freshRoot(next));
                    if (r.nextBoolean()) {
                        long before = tree.latestVersion();
                        long v = store.commit(p);
                        assertThat(v).isEqualTo(pending.isEmpty() ? before : before + 1);
                        committed = next;
                        pending.clear();
                        assertThat(tree.root().toArray()).isEqualTo(p.root().bytes());
                    } else if (r.nextBoolean()) {
                        store.putAll(List.of(new LeafStore.Write(key(r), value(r))));
                        assertThatThrownBy(() -> store.commit(p)).isInstanceOf(IllegalStateException.class)
                                .hasMessageContaining("prepare it again");
                        store.discard();
                        pending.clear();
                    }
                } else {
                    // Someone else commits to the same tree; pending writes stay pending on top of it.
                    byte[] k = key(r);
                    byte[] v = value(r);
                    other.commit(new WriteSet().put(Bytes32.of(k), v));
                    committed.put(ByteBuffer.wrap(k), v);
                }
                assertThat(store.hasPending()).isEqualTo(!pending.isEmpty());
            }
            Map<ByteBuffer, byte[]> all = new HashMap<>(committed);
            all.putAll(pending);
            assertThat(store.root().bytes()).isEqualTo(freshRoot(all));
        });
    }

    @Test
    void aNullValueIsRefused() {
        TreeLeafStore store = new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore()));
        assertThatThrownBy(() -> store.putAll(List.of(new LeafStore.Write(new byte[32], null))))
                .hasMessageContaining("the empty value of a delete");
        assertThatThrownBy(() -> new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore()), 0)).hasMessageContaining("1 or more");
    }

    private static byte[] freshRoot(Map<ByteBuffer, byte[]> leaves) {
        SparseMerkleTree fresh = new SparseMerkleTree(new MemoryNodeStore());
        WriteSet ws = new WriteSet();
        leaves.forEach((k, v) -> {
            if (v != null) ws.put(Bytes32.of(k.array()), v); // null: deleted
        });
        if (ws.size() > 0) fresh.commit(ws);
        return fresh.root().toArray();
    }

    /** Keys from a small pool, some sharing their first word so the table probes. */
    private static byte[] key(Random r) {
        int k = r.nextInt(60);
        byte[] b = new byte[32];
        b[0] = (byte) (k % 3);
        b[31] = (byte) k;
        b[17] = (byte) (k * 7);
        return b;
    }

    private static byte[] value(Random r) {
        return ByteBuffer.allocate(4 + r.nextInt(3)).putInt(r.nextInt()).array();
    }
}
