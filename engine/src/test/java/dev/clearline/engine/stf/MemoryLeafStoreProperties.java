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

    /** Keys that share their first word (the hash) and differ only in the last byte: all probe, none collide. */
    private static byte[] key(int k) {
        byte[] b = new byte[32];
        b[0] = (byte) (k % 7);
        b[31] = (byte) k;
        b[30] = (byte) (k >>> 8);
        return b;
    }
}
