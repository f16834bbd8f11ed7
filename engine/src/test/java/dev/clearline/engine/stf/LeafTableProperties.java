package dev.clearline.engine.stf;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leaf stores' table against a java.util model: finds, removals (linear probing with cells
 * moved back, including runs that wrap past the end of the array), growth and the count, over
 * keys whose first words collide in small groups so that probe runs are long and start anywhere.
 */
class LeafTableProperties {

    @Test
    void findRemoveAndSizeFollowAHashMap() {
        Property.forAll(Gens.seeds(), Gens.ints(50, 3_000)).tries(40).check((seed, keys) -> {
            Random r = new Random(seed);
            LeafTable<byte[]> table = new LeafTable<>();
            Map<ByteBuffer, byte[]> model = new HashMap<>();
            int groups = 1 + r.nextInt(60);
            for (int step = 0; step < keys * 3; step++) {
                byte[] key = key(r.nextInt(keys), groups);
                ByteBuffer k = ByteBuffer.wrap(key);
                if (r.nextInt(3) == 0) {
                    byte[] removed = table.remove(key.clone());
                    assertThat(removed).as("removed cell of a key %s", model.containsKey(k) ? "present" : "absent")
                            .isSameAs(model.remove(k));
                } else {
                    byte[] cell = table.find(key.clone(), byte[]::clone);
                    byte[] before = model.putIfAbsent(k, cell);
                    if (before != null) assertThat(cell).as("the cell a present key keeps").isSameAs(before);
                }
                assertThat(table.size()).isEqualTo(model.size());
                if (step % 211 == 0) checkAll(table, model, keys, groups);
            }
            checkAll(table, model, keys, groups);
            List<byte[]> seen = new ArrayList<>();
            table.forEach(seen::add);
            assertThat(seen).hasSize(model.size());
            table.clear();
            assertThat(table.size()).isZero();
            assertThat(table.find(key(0, groups), null)).isNull();
        });
    }

    @Test
    void removalsWhereProbeRunsWrapPastTheEndOfTheArray() {
        // A few hundred keys (the table keeps its first 1,024 slots) whose home slots are the last
        // and the first few: every run crosses the end, holes open at home slots on both sides of it,
        // and cells sit at their own home just past the wrap.
        long[] firstWords = wrapZoneWords();
        Property.forAll(Gens.seeds(), Gens.ints(20, 400)).tries(60).check((seed, keys) -> {
            Random r = new Random(seed);
            LeafTable<byte[]> table = new LeafTable<>();
            Map<ByteBuffer, byte[]> model = new HashMap<>();
            for (int step = 0; step < keys * 4; step++) {
                int i = r.nextInt(keys);
                byte[] key = new byte[32];
                ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN).putLong(0, firstWords[i % firstWords.length]).putInt(28, i);
                ByteBuffer k = ByteBuffer.wrap(key);
                if (r.nextInt(5) < 2) assertThat(table.remove(key)).isSameAs(model.remove(k));
                else model.putIfAbsent(k, table.find(key, byte[]::clone));
                for (Map.Entry<ByteBuffer, byte[]> e : model.entrySet()) {
                    assertThat(table.find(e.getKey().array(), null)).as("step %d", step).isSameAs(e.getValue());
                }
                assertThat(table.size()).isEqualTo(model.size());
            }
        });
    }

    /**
     * First words (read little-endian, as the table reads them) whose home slot in a 1,024-slot table
     * is one of the last four or the first four, found by trying: the table's hash, written out.
     */
    private static long[] wrapZoneWords() {
        long[] out = new long[16];
        int n = 0;
        for (long w = 1; n < out.length; w++) {
            long h = w * 0x9E3779B97F4A7C15L;
            int slot = (int) (h ^ (h >>> 32)) & 1023;
            if (slot >= 1020 || slot < 4) out[n++] = w;
        }
        return out;
    }

    private static void checkAll(LeafTable<byte[]> table, Map<ByteBuffer, byte[]> model, int keys, int groups) {
        for (int i = 0; i < keys; i++) {
            byte[] key = key(i, groups);
            assertThat(table.find(key, null)).as("key %d", i).isSameAs(model.get(ByteBuffer.wrap(key)));
        }
    }

    /** Key {@code i}: its first word (what the table hashes) is one of {@code groups} values, the rest is {@code i}. */
    private static byte[] key(int i, int groups) {
        byte[] b = new byte[32];
        ByteBuffer.wrap(b).putLong(0, 0x9E37_79B9L * (i % groups) + 17).putInt(28, i);
        return b;
    }
}
