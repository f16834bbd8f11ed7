package dev.clearline.sequencer.state;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Both histories, in the heap (chunks) and in a file (a buffer in front of it): the encoded history is
 * the entries back to back whatever chunk or buffer boundary they straddle, any range of it reads
 * those bytes, and the chunks a snapshot streams are the whole of it. A window (the oldest commands
 * dropped) is the whole history's tail byte for byte, at the offsets of the whole, and a file
 * keeps no more than about twice it.
 */
class CommandHistoryTest {
    @TempDir
    Path dir;
    private int files;

    /** One fresh history of each kind. */
    private List<CommandHistory> bothKinds() {
        return List.of(CommandHistory.inMemory(), CommandHistory.inFile(dir.resolve("history-" + files++)));
    }

    @Test
    void everyEntryComesBackWithItsTimestampAndBytesInOrder() {
        // up to ~600 KB: past the first chunk and into the doubled ones, past the file's buffer, entries and headers cut at the boundaries
        Property.forAll(Gens.listOf(Gens.bytes(0, 6_000), 0, 200), Gens.longs(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2)).tries(40).check((commands, t0) -> {
            for (CommandHistory h : bothKinds()) {
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
                h.close();
            }
        });
    }

    @Test
    void anyByteRangeIsThoseBytesOfTheWholeImage() {
        // entries across the first chunks' boundaries and the file's buffer; ranges from anywhere, of any length, the ends included
        Property.forAll(Gens.listOf(Gens.bytes(0, 9_000), 0, 120), Gens.listOf(Gens.longs(0, Long.MAX_VALUE), 1, 30)).tries(30).check((commands, cuts) -> {
            for (CommandHistory h : bothKinds()) {
                for (int i = 0; i < commands.size(); i++) h.add(i, commands.get(i));
                byte[] whole = h.encoded();
                assertThat(h.size()).isEqualTo(whole.length);
                for (long cut : cuts) {
                    int from = (int) (cut % (whole.length + 1));
                    int max = (int) ((cut >>> 32) % (whole.length + 2));
                    assertThat(h.range(from, max)).as("bytes %d to %d of %d", from, from + max, whole.length)
                            .isEqualTo(Arrays.copyOfRange(whole, from, Math.min(whole.length, from + max)));
                }
                assertThat(h.range(whole.length, 10)).isEmpty();
                assertThat(h.range(0, Integer.MAX_VALUE)).isEqualTo(whole);
                assertThatThrownBy(() -> h.range(whole.length + 1L, 1)).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> h.range(-1, 1)).isInstanceOf(IllegalArgumentException.class);
                ByteArrayOutputStream chunks = new ByteArrayOutputStream();
                h.forEachChunk(chunks::write);
                assertThat(chunks.toByteArray()).as("the chunks a snapshot streams").isEqualTo(whole);
                h.close();
            }
        });
    }

    @Test
    void aWindowIsTheWholeHistorysTailAtItsOffsetsAndTheFileStaysNearIt() {
        // ~20 KB commands: a file drops past its 1 MiB compaction threshold many times over
        Property.forAll(Gens.seeds(), Gens.ints(50, 300)).tries(10).check((seed, n) -> {
            java.util.Random r = new java.util.Random(seed);
            Path file = dir.resolve("window-" + seed);
            for (CommandHistory h : List.of(CommandHistory.inMemory(), CommandHistory.inFile(file))) {
                ByteArrayOutputStream whole = new ByteArrayOutputStream();
                List<long[]> entries = new ArrayList<>(); // timestamp, start offset in the whole
                long ts = r.nextInt(1_000);
                long start = 0;
                int startCount = 0;
                for (int i = 0; i < n; i++) {
                    ts += r.nextInt(3); // equal timestamps too: the log's time may not move between commands
                    byte[] c = new byte[r.nextInt(20_000)];
                    r.nextBytes(c);
                    entries.add(new long[] {ts, whole.size()});
                    whole.writeBytes(java.nio.ByteBuffer.allocate(12).putLong(ts).putInt(c.length).array());
                    whole.writeBytes(c);
                    h.add(ts, c);
                    if (r.nextInt(10) == 0) {
                        long cut = ts - r.nextInt(40) + r.nextInt(3);
                        h.dropBefore(cut);
                        while (startCount < entries.size() && entries.get(startCount)[0] < cut) startCount++;
                        start = startCount < entries.size() ? entries.get(startCount)[1] : whole.size();
                        long window = whole.size() - start;
                        if (h instanceof FileHistory) {
                            assertThat(java.nio.file.Files.size(file)).as("the file: its window and at most as much dropped, or under 1 MiB of it")
                                    .isLessThanOrEqualTo(window + Math.max(1 << 20, window));
                        }
                    }
                    assertThat(h.count()).isEqualTo(i + 1);
                    assertThat(h.size()).isEqualTo(whole.size());
                    assertThat(h.start()).as("where the window starts").isEqualTo(start);
                    assertThat(h.startCount()).isEqualTo(startCount);
                    if (r.nextInt(8) != 0) continue; // a range now and then: each check copies the whole model
                    byte[] all = whole.toByteArray();
                    int from = (int) (start + r.nextInt((int) (all.length - start) + 1));
                    int max = r.nextInt(50_000);
                    assertThat(h.range(from, max)).isEqualTo(Arrays.copyOfRange(all, from, Math.min(all.length, from + max)));
                }
                byte[] all = whole.toByteArray();
                byte[] held = Arrays.copyOfRange(all, (int) start, all.length);
                assertThat(h.encoded()).isEqualTo(held);
                ByteArrayOutputStream chunks = new ByteArrayOutputStream();
                h.forEachChunk(chunks::write);
                assertThat(chunks.toByteArray()).as("the chunks a snapshot streams: the window").isEqualTo(held);
                if (start > 0) {
                    long before = start - 1;
                    assertThatThrownBy(() -> h.range(before, 1)).isInstanceOf(IllegalArgumentException.class);
                }
                h.close();
            }
        });
    }

    @Test
    void aFileHistoryStartsEmptyWhateverItsFileHeld() {
        Path file = dir.resolve("reused");
        CommandHistory first = CommandHistory.inFile(file);
        for (int i = 0; i < 100; i++) first.add(i, new byte[5_000]);
        first.close();
        CommandHistory second = CommandHistory.inFile(file);
        assertThat(second.size()).isZero();
        second.add(7, new byte[] {1, 2, 3});
        assertThat(second.encoded()).hasSize(15);
        second.close();
        assertThat(file).hasSize(15);
    }
}
