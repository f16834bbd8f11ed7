package dev.clearline.sequencer.state;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The history is kept in chunks; its image is the entries back to back whatever chunk boundary they straddle. */
class CommandHistoryTest {
    @Test
    void everyEntryComesBackWithItsTimestampAndBytesInOrder() {
        // up to ~600 KB: past the first chunk and into the doubled ones, with entries and headers cut at the boundaries
        Property.forAll(Gens.listOf(Gens.bytes(0, 6_000), 0, 200), Gens.longs(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2)).tries(40).check((commands, t0) -> {
            CommandHistory h = new CommandHistory();
            for (int i = 0; i < commands.size(); i++) {
                byte[] framed = new byte[commands.get(i).length + 3];
                System.arraycopy(commands.get(i), 0, framed, 2, commands.get(i).length);
                h.add(t0 + i, framed, 2, commands.get(i).length);
            }
            List<Long> times = new ArrayList<>();
            List<byte[]> back = new ArrayList<>();
            CommandHistory.forEach(h.encoded(), (ts, bytes) -> {
                times.add(ts);
                back.add(bytes);
            });
            assertThat(h.count()).isEqualTo(commands.size());
            assertThat(back).hasSize(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                assertThat(times.get(i)).isEqualTo(t0 + i);
                assertThat(back.get(i)).isEqualTo(commands.get(i));
            }
        });
    }

    @Test
    void anyByteRangeIsThoseBytesOfTheWholeImage() {
        // entries across the first chunks' boundaries; ranges from anywhere, of any length, the ends included
        Property.forAll(Gens.listOf(Gens.bytes(0, 9_000), 0, 120), Gens.listOf(Gens.longs(0, Long.MAX_VALUE), 1, 30)).tries(30).check((commands, cuts) -> {
            CommandHistory h = new CommandHistory();
            for (int i = 0; i < commands.size(); i++) h.add(i, commands.get(i));
            byte[] whole = h.encoded();
            assertThat(h.size()).isEqualTo(whole.length);
            for (long cut : cuts) {
                int from = (int) (cut % (whole.length + 1));
                int max = (int) ((cut >>> 32) % (whole.length + 2));
                assertThat(h.range(from, max)).as("bytes %d to %d of %d", from, from + max, whole.length)
                        .isEqualTo(java.util.Arrays.copyOfRange(whole, from, Math.min(whole.length, from + max)));
            }
            assertThat(h.range(whole.length, 10)).isEmpty();
            assertThat(h.range(0, Integer.MAX_VALUE)).isEqualTo(whole);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.range(whole.length + 1L, 1)).isInstanceOf(IllegalArgumentException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.range(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        });
    }
}
