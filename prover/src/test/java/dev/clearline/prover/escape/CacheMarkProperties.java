package dev.clearline.prover.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state cache's record of how far it got reads back as written, down to the smallest legal values
 * (one batch final, posted in block 0); a record that cannot be right (no batch, a negative block) or is
 * of another format reads as none, so the cache is rebuilt rather than trusted.
 */
class CacheMarkProperties {
    @TempDir
    Path dir;

    @Test
    void aRecordReadsBackAsWrittenAndAnImpossibleOneAsNone() {
        Property.forAll(Gens.longs(-2, 3), Gens.seeds()).tries(200).check((count, seed) -> {
            java.util.Random random = new java.util.Random(seed);
            long block = random.nextInt(6) - 2;
            byte[] root = new byte[32];
            random.nextBytes(root);
            List<Address> owners = new java.util.ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                byte[] a = new byte[20];
                random.nextBytes(a);
                owners.add(new Address(a));
            }
            List<Integer> markets = random.ints(random.nextInt(4), 0, Integer.MAX_VALUE).boxed().toList();
            List<Hash32> expiring = new java.util.ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                byte[] h = new byte[32];
                random.nextBytes(h);
                expiring.add(new Hash32(h));
            }
            java.util.Map<Long, Hash32> resting = new java.util.HashMap<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                byte[] h = new byte[32];
                random.nextBytes(h);
                resting.put(1 + random.nextLong(Long.MAX_VALUE - 1), new Hash32(h));
            }
            CacheMark mark = new CacheMark(count, block, new Hash32(root), owners, markets, expiring, resting);
            mark.write(dir);
            CacheMark read = CacheMark.read(dir);
            if (count >= 1 && block >= 0) {
                assertThat(read).as("count %d, block %d", count, block).isEqualTo(mark);
            } else {
                assertThat(read).as("count %d, block %d", count, block).isNull();
            }
        });
    }

    @Test
    void noRecordOrAnotherFormatReadsAsNone() throws Exception {
        assertThat(CacheMark.read(dir)).as("no record").isNull();
        new CacheMark(1, 0, new Hash32(new byte[32]), List.of(), List.of(1), List.of(), java.util.Map.of(7L, new Hash32(new byte[32]))).write(dir);
        Path file = dir.resolve(CacheMark.FILE);
        assertThat(CacheMark.read(dir)).as("as written").isNotNull();
        String written = Files.readString(file);
        Files.writeString(file, written.replace("clearline-finalized-state 2", "clearline-finalized-state 3"));
        assertThat(CacheMark.read(dir)).as("a later format").isNull();
        // the first format, before the expiring orders' digests: its cache is rebuilt, so a take-up misses none of them
        Files.writeString(file, written.replace("clearline-finalized-state 2", "clearline-finalized-state 1").replaceFirst("expiring [^\n]*\n", ""));
        assertThat(CacheMark.read(dir)).as("the first format").isNull();
        Files.writeString(file, written.replace("resting 7:", "resting 0:"));
        assertThat(CacheMark.read(dir)).as("an order id of 0").isNull();
    }
}
