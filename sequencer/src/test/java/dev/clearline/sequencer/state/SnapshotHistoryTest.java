package dev.clearline.sequencer.state;

import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A snapshot's command history travels after the state's image (format 4), streamed from where
 * the state keeps it and taken in, in any pieces, into where the restored state keeps it: the same
 * history arrives, its dropped oldest commands still counted, and a damaged, cut or padded history
 * part is refused with what to do. A format 3 part (the whole history, no dropped counts) still reads.
 */
class SnapshotHistoryTest {
    @TempDir
    Path dir;

    @Test
    void aHistoryStreamedInAnyPiecesArrivesWhole() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 70_000)).tries(40).check((seed, largestPiece) -> {
            Random r = new Random(seed);
            CommandHistory from = r.nextBoolean() ? CommandHistory.inMemory() : CommandHistory.inFile(dir.resolve("from-" + seed));
            int commands = r.nextInt(150);
            for (int i = 0; i < commands; i++) {
                byte[] c = new byte[r.nextInt(8_000)];
                r.nextBytes(c);
                from.add(1_000L * i, c);
            }
            if (r.nextBoolean()) from.dropBefore(1_000L * r.nextInt(commands + 2)); // a window: the oldest commands dropped
            byte[] part = part(from);
            CommandHistory into = r.nextBoolean() ? CommandHistory.inMemory() : CommandHistory.inFile(dir.resolve("into-" + seed));
            Snapshot.HistoryReader reader = new Snapshot.HistoryReader(into, Snapshot.FORMAT);
            for (int at = 0; at < part.length; ) {
                int n = Math.min(part.length - at, 1 + r.nextInt(largestPiece));
                assertThat(reader.complete()).isFalse();
                reader.accept(part, at, n);
                at += n;
            }
            assertThat(reader.complete()).isTrue();
            reader.finish();
            assertThat(into.count()).isEqualTo(from.count());
            assertThat(into.size()).isEqualTo(from.size());
            assertThat(into.start()).isEqualTo(from.start());
            assertThat(into.startCount()).isEqualTo(from.startCount());
            assertThat(into.encoded()).isEqualTo(from.encoded());
            from.close();
            into.close();
        });
    }

    @Test
    void aDamagedCutOrPaddedHistoryPartIsRefused() {
        Property.forAll(Gens.seeds()).tries(30).check(seed -> {
            Random r = new Random(seed);
            CommandHistory from = CommandHistory.inMemory();
            for (int i = 0, n = 1 + r.nextInt(40); i < n; i++) from.add(i, new byte[r.nextInt(300)]);
            byte[] part = part(from);
            byte[] flipped = part.clone();
            int at = r.nextInt(part.length);
            flipped[at] ^= (byte) (1 << r.nextInt(8));
            assertThatThrownBy(() -> take(flipped)).as("byte %d of %d flipped", at, part.length)
                    .isInstanceOf(Snapshot.SnapshotException.class).hasMessageContaining("snapshot");
            byte[] cut = Arrays.copyOf(part, r.nextInt(part.length));
            assertThatThrownBy(() -> take(cut)).isInstanceOf(Snapshot.SnapshotException.class).hasMessageContaining("truncated");
            byte[] padded = Arrays.copyOf(part, part.length + 1 + r.nextInt(10));
            assertThatThrownBy(() -> take(padded)).isInstanceOf(Snapshot.SnapshotException.class).hasMessageContaining("after its history");
        });
    }

    @Test
    void aStateRestoredFromItsSnapshotKeepsTheHistoryWhereItIsGivenAndGoesOnFromIt() throws Exception {
        SequencerState node = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier(), CommandHistory.inFile(dir.resolve("node")));
        List<Command> session = SequencerStateTest.SESSION;
        int half = session.size() / 2;
        for (int i = 0; i < half; i++) node.apply(session.get(i), Market.START * 1000 + i);
        node.history().dropBefore(Market.START * 1000 + half / 2); // as a member keeping a window does before its snapshot
        assertThat(node.history().startCount()).isEqualTo(half / 2);
        byte[] snapshot = Snapshot.write(node);

        // as a member reads it: the image, then the history part into the history the state will keep
        int imageBytes = imageLength(snapshot);
        CommandHistory kept = CommandHistory.inFile(dir.resolve("restored"));
        Snapshot.HistoryReader reader = new Snapshot.HistoryReader(kept, Snapshot.FORMAT);
        reader.accept(snapshot, imageBytes, snapshot.length - imageBytes);
        reader.finish();
        SequencerState restored = Snapshot.read(Arrays.copyOf(snapshot, imageBytes), Market.GENESIS, new NativeSecp256k1Verifier(), kept);
        assertThat(restored.history()).isSameAs(kept);
        for (int i = half; i < session.size(); i++) {
            node.apply(session.get(i), Market.START * 1000 + i);
            restored.apply(session.get(i), Market.START * 1000 + i);
        }
        assertThat(restored.history().encoded()).isEqualTo(node.history().encoded());
        assertThat(restored.history().start()).isEqualTo(node.history().start()).isPositive();
        assertThat(restored.history().count()).isEqualTo(node.seq());
        assertThat(restored.stateRoot()).isEqualTo(node.stateRoot());

        // a history part of another length than the image's seq is refused
        CommandHistory wrong = CommandHistory.inMemory();
        wrong.add(1, new byte[3]);
        assertThatThrownBy(() -> Snapshot.read(Arrays.copyOf(snapshot, imageBytes), Market.GENESIS, new NativeSecp256k1Verifier(), wrong))
                .isInstanceOf(Snapshot.SnapshotException.class).hasMessageContaining("history holds 1 commands for seq " + half);
        node.close();
        restored.close();
    }

    @Test
    void aSnapshotOfTheFormerFormatWithItsHistoryInTheImageStillLoads() throws Exception {
        SequencerState node = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < SequencerStateTest.SESSION.size(); i++) node.apply(SequencerStateTest.SESSION.get(i), Market.START * 1000 + i);
        byte[] former = Snapshot.writeHistoryInImage(node);
        assertThat(Snapshot.historyFollows(former)).isFalse();
        CommandHistory into = CommandHistory.inFile(dir.resolve("migrated"));
        SequencerState loaded = Snapshot.read(former, Market.GENESIS, new NativeSecp256k1Verifier(), into);
        assertThat(loaded.stateRoot()).isEqualTo(node.stateRoot());
        assertThat(into.encoded()).isEqualTo(node.history().encoded());
        assertThat(into.count()).isEqualTo(node.seq());
        loaded.close();
    }

    @Test
    void aFormatThreeSnapshotStillLoads() throws Exception {
        SequencerState node = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < SequencerStateTest.SESSION.size(); i++) node.apply(SequencerStateTest.SESSION.get(i), Market.START * 1000 + i);
        byte[] former = Snapshot.writeWholeHistoryAfterImage(node);
        assertThat(Snapshot.format(former)).isEqualTo(3);
        SequencerState loaded = Snapshot.read(former, Market.GENESIS, new NativeSecp256k1Verifier());
        assertThat(loaded.stateRoot()).isEqualTo(node.stateRoot());
        assertThat(loaded.history().encoded()).isEqualTo(node.history().encoded());
        assertThat(loaded.history().start()).isZero();
        loaded.close();
        node.close();
    }

    @Test
    void aFormatThreeHistoryPartWithTheWholeHistoryStillReads() throws Exception {
        CommandHistory from = CommandHistory.inMemory();
        for (int i = 0; i < 30; i++) from.add(i, new byte[10 + i]);
        byte[] encoded = from.encoded();
        java.nio.ByteBuffer former = java.nio.ByteBuffer.allocate(16 + encoded.length + 4);
        former.putLong(from.count()).putLong(from.size()).put(encoded);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(former.array(), 0, former.position());
        former.putInt((int) crc.getValue());
        CommandHistory into = CommandHistory.inMemory();
        Snapshot.HistoryReader reader = new Snapshot.HistoryReader(into, 3);
        reader.accept(former.array(), 0, former.capacity());
        reader.finish();
        assertThat(into.count()).isEqualTo(30);
        assertThat(into.start()).isZero();
        assertThat(into.encoded()).isEqualTo(encoded);
        assertThatThrownBy(() -> new Snapshot.HistoryReader(CommandHistory.inMemory(), Snapshot.FORMAT + 1)).isInstanceOf(Snapshot.SnapshotException.class)
                .hasMessageContaining("snapshot format " + (Snapshot.FORMAT + 1));
    }

    private static byte[] part(CommandHistory h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Snapshot.streamHistory(h, out::write);
        return out.toByteArray();
    }

    private static void take(byte[] part) throws Snapshot.SnapshotException {
        Snapshot.HistoryReader reader = new Snapshot.HistoryReader(CommandHistory.inMemory(), Snapshot.FORMAT);
        reader.accept(part, 0, part.length);
        reader.finish();
    }

    /** Where a whole snapshot's image ends: its header, the body's length, the body, the image's checksum. */
    private static int imageLength(byte[] snapshot) {
        int header = 8 + 4 + (Snapshot.format(snapshot) >= 6 ? 4 : 0) + (8 + 20 + 8 + 8 + 4 + 4 + 8) + 8 + 32; // the rules from format 6
        return header + 4 + java.nio.ByteBuffer.wrap(snapshot, header, 4).getInt() + 4;
    }
}
