package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.state.CommandHistory;
import dev.clearline.sequencer.state.Snapshot;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import org.agrona.concurrent.IdleStrategy;

/**
 * Reads one snapshot from the Aeron image the cluster replays it from, as {@link SequencerService}
 * wrote it: the state's image into one array of the length its first message announces (no growing
 * copies of a large image), then, from format 3 on, the command history part straight into the
 * history the state will keep ({@link Snapshot.HistoryReader}), never whole in the heap.
 */
final class SnapshotIntake {
    private final CommandHistory history;
    private byte[] image;
    private int filled;
    private Snapshot.HistoryReader reader;
    private byte[] scratch = new byte[0];
    private Snapshot.SnapshotException failure;

    private SnapshotIntake(CommandHistory history) {
        this.history = history;
    }

    /** The image's bytes; the history part, if the image says one follows, is in {@code history}, checked. */
    static byte[] read(Image source, IdleStrategy wait, CommandHistory history) throws Snapshot.SnapshotException {
        SnapshotIntake intake = new SnapshotIntake(history);
        FragmentAssembler assembler = new FragmentAssembler(intake::onMessage);
        while (!intake.done()) {
            if (intake.failure != null) throw intake.failure;
            if (source.isClosed()) {
                throw new Snapshot.SnapshotException("the snapshot ended early (" + (intake.image == null ? "nothing read"
                        : intake.filled < intake.image.length ? intake.filled + " of its image's " + intake.image.length + " bytes read"
                        : "in its command history") + "); set it aside (sequencer --drop-latest-snapshot) to recover from the log alone");
            }
            wait.idle(source.poll(assembler, 16));
        }
        if (intake.failure != null) throw intake.failure;
        if (intake.reader != null) intake.reader.finish();
        return intake.image;
    }

    private boolean done() {
        if (image == null || filled < image.length) return false;
        if (!Snapshot.historyFollows(image)) return true;
        return reader != null && reader.complete();
    }

    private void onMessage(org.agrona.DirectBuffer buffer, int offset, int length, io.aeron.logbuffer.Header header) {
        if (failure != null) return;
        if (image == null) {
            int expected = buffer.getInt(offset, java.nio.ByteOrder.BIG_ENDIAN);
            if (expected < 0) {
                failure = new Snapshot.SnapshotException("the snapshot announces an image of " + expected + " bytes");
                return;
            }
            image = new byte[expected];
            offset += 4;
            length -= 4;
        }
        if (filled < image.length) {
            // the writer sends the image and the history in messages of their own: one never holds both
            if (length > image.length - filled) {
                failure = new Snapshot.SnapshotException("the snapshot holds more than the " + image.length + " bytes its image announced");
                return;
            }
            buffer.getBytes(offset, image, filled, length);
            filled += length;
            return;
        }
        try {
            if (reader == null) {
                if (!Snapshot.historyFollows(image)) throw new Snapshot.SnapshotException("the snapshot holds bytes after its image");
                reader = new Snapshot.HistoryReader(history, Snapshot.format(image));
            }
            if (scratch.length < length) scratch = new byte[length];
            buffer.getBytes(offset, scratch, 0, length);
            reader.accept(scratch, 0, length);
        } catch (Snapshot.SnapshotException e) {
            failure = e;
        }
    }
}
