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
}
