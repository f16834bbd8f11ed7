package dev.clearline.tree.store;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch built in Java is byte for byte the one RocksDB's own {@code WriteBatch} serializes for
 * the same records, and a batch sized with {@link SerializedWriteBatch#recordLength} is handed over
 * without a copy (its array is exactly full).
 */
class SerializedWriteBatchTest {
    static {
        RocksDB.loadLibrary();
    }

    @Test
    void matchesRocksDbsOwnSerializationAndAnExactSizeNeedsNoCopy() {
        Property.forAll(Gens.seeds()).tries(100).check(seed -> {
            Random r = new Random(seed);
            int records = r.nextInt(20);
            byte[][] keys = new byte[records][];
            byte[][] values = new byte[records][];
            int exact = 0;
            for (int i = 0; i < records; i++) {
                // lengths across the one- and two-byte varints (128 and up take two)
                keys[i] = new byte[1 + r.nextInt(r.nextBoolean() ? 40 : 300)];
                values[i] = new byte[r.nextInt(r.nextBoolean() ? 100 : 20_000)];
                r.nextBytes(keys[i]);
                r.nextBytes(values[i]);
                exact += SerializedWriteBatch.recordLength(keys[i].length, values[i].length);
            }
            boolean sizedExactly = r.nextBoolean();
            SerializedWriteBatch ours = new SerializedWriteBatch(sizedExactly ? exact : r.nextInt(exact + 1));
            try (WriteBatch theirs = new WriteBatch()) {
                for (int i = 0; i < records; i++) {
                    ours.put(keys[i], values[i]);
                    theirs.put(keys[i], values[i]);
                }
                byte[] bytes = ours.toBytes();
                assertThat(bytes).isEqualTo(theirs.data());
                assertThat(bytes.length).isEqualTo(12 + exact);
                if (sizedExactly) assertThat(bytes).as("an exactly sized batch is its own array").isSameAs(ours.toBytes());
            }
        });
    }
}
