package dev.clearline.engine.stf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

/** The mirror's hash table against a java.util model, through growth and overwrites. */
class MemoryLeafStoreProperties {

    @Test
    void readsBackTheLastWriteOfEveryKey() {
        Property.forAll(Gens.listOf(Gens.ints(0, 1_200), 1_000, 2_500)).tries(50).check(ops -> {
            MemoryLeafStore store = new MemoryLeafStore();
            Map<ByteBuffer, byte[]> model = new HashMap<>();
            // cells taken before any write (as the exchange does) must follow every later write, through growth
            List<MemoryLeafStore.Cell> early = new ArrayList<>();
            for (int k = 0; k < 64; k++) early.add(store.cell(key(k * 19)));
            assertThat(store.size()).isZero();
            int step = 0;
            for (int k : ops) {
                byte[] value = ByteBuffer.allocate(4).putInt(++step).array();
                // a fresh key array each time: equal content must find the same leaf
                store.putAll(List.of(new LeafStore.Write(key(k), value)));
                model.put(ByteBuffer.wrap(key(k)), value);
            }
            for (int probe = 0; probe <= 1_200; probe++) {
                assertThat(store.get(key(probe))).as("leaf %d", probe).isEqualTo(model.get(ByteBuffer.wrap(key(probe))));
            }
            assertThat(store.size()).isEqualTo(model.size());
            for (int k = 0; k < 64; k++) {
                byte[] expected = model.get(ByteBuffer.wrap(key(k * 19)));
                MemoryLeafStore.Cell cell = early.get(k);
                assertThat(cell.value()).isEqualTo(expected);
                assertThat(cell.decoded(Integer.class, v -> ByteBuffer.wrap(v).getInt()))
                        .isEqualTo(expected == null ? null : ByteBuffer.wrap(expected).getInt());
                assertThat(store.cell(key(k * 19))).isSameAs(cell);
            }
            List<ByteBuffer> seen = new ArrayList<>();
            store.forEach((k, v) -> {
                seen.add(ByteBuffer.wrap(k));
                assertThat(v).isEqualTo(model.get(ByteBuffer.wrap(k)));
            });
            assertThat(seen).containsExactlyInAnyOrderElementsOf(model.keySet());
        });
    }

    @Test
    void leavesWrittenAsRecordsReadAsTheirEncodingAndAsThemselves() {
        // the STF writes records alone to this store (keepsRecords); an image writes bytes: both, mixed, over the same keys
        Property.forAll(Gens.listOf(Gens.longs(), 200, 600)).tries(40).check(ops -> {
            MemoryLeafStore store = new MemoryLeafStore();
            assertThat(store.keepsRecords()).isTrue();
            Map<ByteBuffer, byte[]> model = new HashMap<>();
            Map<ByteBuffer, Object> records = new HashMap<>();
            for (long op : ops) {
                int k = (int) Math.floorMod(op, 300L);
                dev.clearline.engine.state.LeafValue leaf = (op & 1) == 0 ? new dev.clearline.engine.state.BalanceLeaf(op >>> 2, k)
                        : new dev.clearline.engine.state.PositionLeaf(op, -op >> 3, k);
                boolean asBytes = (op & 2) != 0;
                store.putAll(List.of(new LeafStore.Write(key(k), asBytes ? leaf.encode() : null, asBytes ? null : leaf)));
                model.put(ByteBuffer.wrap(key(k)), leaf.encode());
                records.put(ByteBuffer.wrap(key(k)), leaf);
            }
            assertThat(store.size()).isEqualTo(model.size());
            for (var e : model.entrySet()) {
                byte[] k = e.getKey().array();
                assertThat(store.get(k)).isEqualTo(e.getValue());
                Object leaf = records.get(e.getKey());
                if (leaf instanceof dev.clearline.engine.state.BalanceLeaf b) {
                    assertThat(store.get(k, dev.clearline.engine.state.BalanceLeaf.class, dev.clearline.engine.state.BalanceLeaf::decode)).isEqualTo(b);
                } else {
                    assertThat(store.get(k, dev.clearline.engine.state.PositionLeaf.class, dev.clearline.engine.state.PositionLeaf::decode)).isEqualTo(leaf);
                }
                // read as some other type, a leaf decodes from its encoding, as any store would give it
                assertThat(store.cell(k).decoded(byte[].class, v -> v.clone())).isEqualTo(e.getValue());
            }
            store.forEach((k, v) -> assertThat(v).isEqualTo(model.get(ByteBuffer.wrap(k))));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.putAll(List.of(new LeafStore.Write(key(1), null, "not a leaf"))))
                    .hasMessageContaining("the empty value of a delete");
        });
    }

    @Test
    void deletesFollowTheModelThroughLongProbeChains() {
        // seven home slots for hundreds of keys: every delete moves cells back along a long chain (LeafTable.remove)
        Property.forAll(Gens.listOf(Gens.longs(), 300, 1_500)).tries(40).check(ops -> {
            MemoryLeafStore store = new MemoryLeafStore();
            Map<ByteBuffer, byte[]> model = new HashMap<>();
            int step = 0;
            for (long op : ops) {
                int k = (int) Math.floorMod(op, 400L);
                ByteBuffer mk = ByteBuffer.wrap(key(k));
                if (Math.floorMod(op >>> 9, 3L) == 0) {
                    MemoryLeafStore.Cell held = store.cell(key(k)); // a holder of the cell sees the delete
                    store.putAll(List.of(LeafStore.Write.delete(key(k))));
                    model.remove(mk);
                    assertThat(held.value()).isNull();
                    assertThat(store.get(key(k))).isNull();
                } else {
                    byte[] value = ByteBuffer.allocate(8).putLong(op).array();
                    store.putAll(List.of(new LeafStore.Write(key(k), value)));
                    model.put(mk, value);
                }
                if (++step % 97 == 0 || step == ops.size()) {
                    for (int probe = 0; probe < 400; probe++) {
                        assertThat(store.get(key(probe))).as("leaf %d after %d operations", probe, step)
                                .isEqualTo(model.get(ByteBuffer.wrap(key(probe))));
                    }
                    assertThat(store.size()).isEqualTo(model.size());
                    List<ByteBuffer> seen = new ArrayList<>();
                    store.forEach((key, v) -> seen.add(ByteBuffer.wrap(key)));
                    assertThat(seen).containsExactlyInAnyOrderElementsOf(model.keySet());
                }
            }
        });
    }

    /** Keys that share their first word (the hash) and differ only in the last byte: all probe, none collide. */
    private static byte[] key(int k) {
        byte[] b = new byte[32];
        b[0] = (byte) (k % 7);
        b[31] = (byte) k;
        b[30] = (byte) (k >>> 8);
        return b;
    }
}
