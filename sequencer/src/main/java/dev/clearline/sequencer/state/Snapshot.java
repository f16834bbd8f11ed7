package dev.clearline.sequencer.state;

import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.exchange.MarketBooks;
import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.MalformedCommandException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A versioned, checksummed image of the sequencer's state at one log position:
 * <pre>
 *   magic "CLSQSNAP" | format version (4) | genesis | seq (8) | state root (32)
 *   | body length (4) | body | CRC32C of all before (4)
 * </pre>
 * Format 2 (written now): the body is the state's own image ({@link SequencerState#writeImage}):
 * the exchange's books, accounts and leaves, the API's views, the open batch, the batches L1 has
 * not finalized and the client tables. Loading it replays no command: it rebuilds the Merkle tree
 * from the leaves in one pass and refuses the image unless that gives the recorded root, so a
 * node's recovery costs what its state holds plus the log after the snapshot, however long the log
 * before it. Format 1 (read, no longer written): the body was the command history, replayed on
 * load; a member whose archive holds one still starts from it.
 */
public final class Snapshot {
    public static final int FORMAT = 2;
    /** The format whose body is the command history, replayed on load. */
    static final int FORMAT_HISTORY = 1;
    private static final byte[] MAGIC = "CLSQSNAP".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Snapshot() {}

    public static byte[] write(SequencerState s) {
        return frame(s, 1 << 16).toByteArray();
    }

    /**
     * The snapshot of {@code s} in a writer whose first {@link ImageWriter#size()} bytes of
     * {@link ImageWriter#array()} are the image: written in place, frame and checksum included, so
     * a large state is not held two or three times over while it is sent (a member near its heap's
     * limit takes snapshots too). {@code expectedBytes}: room to start with (the last snapshot's
     * size spares the copies of growing).
     */
    public static ImageWriter frame(SequencerState s, int expectedBytes) {
        // the root first: it syncs the tree worker, after which the image sees every command applied
        Hash32 root = s.stateRoot();
        ImageWriter out = new ImageWriter(expectedBytes);
        header(out, s.genesis(), FORMAT, s.seq(), root);
        int lengthAt = out.size();
        out.writeInt(0);
        s.writeImage(out);
        out.putInt(lengthAt, out.size() - lengthAt - 4);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.size());
        return out.writeInt((int) crc.getValue());
    }

    private static void header(ImageWriter out, Genesis g, int format, long seq, Hash32 root) {
        out.writeRaw(MAGIC).writeInt(format);
        out.writeLong(g.chainId()).writeRaw(g.verifyingContract().bytes())
                .writeLong(g.books().maxPriceTicks()).writeLong(g.books().maxSizeLots()).writeInt(g.books().capacity())
                .writeInt(g.batches().maxTransitions()).writeLong(g.batches().maxAgeSeconds());
        out.writeLong(seq).writeRaw(root.bytes());
    }

    /** The former format: the command history, replayed on load (for tests of members with old snapshots, and the recovery bench). */
    public static byte[] writeHistory(SequencerState s) {
        Hash32 root = s.stateRoot();
        byte[] history = s.history().encoded();
        ImageWriter out = new ImageWriter(history.length + 256);
        header(out, s.genesis(), FORMAT_HISTORY, s.seq(), root);
        out.writeLong(s.history().count()).writeInt(history.length).writeRaw(history);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.size());
        return out.writeInt((int) crc.getValue()).toByteArray();
    }

    /** Rebuilds the state an image describes; refuses a damaged, foreign or inconsistent one with the reason. */
    public static SequencerState read(byte[] image, Genesis expected, SignatureVerifier verifier) throws SnapshotException {
        if (image.length < MAGIC.length + 8) throw new SnapshotException("snapshot of " + image.length + " bytes is truncated");
        CRC32C crc = new CRC32C();
        crc.update(image, 0, image.length - 4);
        int stored = ByteBuffer.wrap(image, image.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new SnapshotException("snapshot checksum mismatch (stored " + Integer.toHexString(stored) + ", computed "
                    + Integer.toHexString((int) crc.getValue()) + "): the image is damaged; set it aside (sequencer --drop-latest-snapshot) to recover from the log alone");
        }
        ByteBuffer b = ByteBuffer.wrap(image, 0, image.length - 4);
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new SnapshotException("not a sequencer snapshot (bad magic)");
            int format = b.getInt();
            if (format != FORMAT && format != FORMAT_HISTORY) {
                throw new SnapshotException("snapshot format " + format + ", this node reads " + FORMAT_HISTORY + " and " + FORMAT);
            }
            long chainId = b.getLong();
            byte[] contract = new byte[20];
            b.get(contract);
            Genesis g;
            try {
                g = new Genesis(chainId, new Address(contract), new MarketBooks(b.getLong(), b.getLong(), b.getInt()),
                        new BatchPolicy(b.getInt(), b.getLong()));
            } catch (IllegalArgumentException e) {
                throw new SnapshotException("snapshot's genesis settings are not valid (" + e.getMessage() + "); the image is damaged");
            }
            if (!g.equals(expected)) {
                throw new GenesisMismatch("this directory's snapshot (and the log under it) was made with "
                        + String.join("; ", g.differencesFrom(expected))
                        + ". Start it with the settings it was made with, or give a fresh --dir for a new chain of batches");
            }
            long seq = b.getLong();
            byte[] root = new byte[32];
            b.get(root);
            SequencerState s = format == FORMAT ? fromImage(b, g, verifier) : fromHistory(b, g, verifier);
            if (s.seq() != seq || !s.stateRoot().equals(new Hash32(root))) {
                throw new SnapshotException("snapshot " + (format == FORMAT ? "image" : "replay") + " reached seq " + s.seq() + " root "
                        + s.stateRoot() + " but the image records seq " + seq + " root " + new Hash32(root));
            }
            return s;
        } catch (BufferUnderflowException e) {
            throw new SnapshotException("snapshot is truncated");
        }
    }

    private static SequencerState fromImage(ByteBuffer b, Genesis g, SignatureVerifier verifier) throws SnapshotException {
        int length = b.getInt();
        if (length != b.remaining()) throw new SnapshotException("snapshot body of " + length + " bytes where " + b.remaining() + " follow");
        ImageReader in = new ImageReader(b.array(), b.position(), length);
        try {
            SequencerState s = SequencerState.readImage(in, g, verifier);
            in.expectEnd();
            return s;
        } catch (ImageFormatException e) {
            throw new SnapshotException("snapshot image is damaged: " + e.getMessage() + "; set it aside (sequencer --drop-latest-snapshot) to recover from the log alone");
        } catch (RuntimeException e) {
            // a value the image's checksum vouched for but this build refuses (an order field out of range, ...)
            throw new SnapshotException("snapshot image does not restore (" + e + "); set it aside (sequencer --drop-latest-snapshot) to recover from the log alone");
        }
    }

    private static SequencerState fromHistory(ByteBuffer b, Genesis g, SignatureVerifier verifier) throws SnapshotException {
        long count = b.getLong();
        byte[] history = new byte[b.getInt()];
        b.get(history);
        if (b.hasRemaining()) throw new SnapshotException(b.remaining() + " unexpected bytes after the history");
        SequencerState s = new SequencerState(g, verifier);
        SnapshotException[] failure = new SnapshotException[1];
        CommandHistory.forEach(history, (ts, bytes) -> {
            if (failure[0] != null) return;
            try {
                s.apply(CommandCodec.decode(bytes, 0, bytes.length), ts);
            } catch (MalformedCommandException e) {
                failure[0] = new SnapshotException("snapshot history holds a bad command: " + e.getMessage());
            }
        });
        if (failure[0] != null) throw failure[0];
        if (s.history().count() != count) {
            throw new SnapshotException("snapshot replay applied " + s.history().count() + " commands but the image records " + count);
        }
        return s;
    }

    public static class SnapshotException extends Exception {
        public SnapshotException(String message) {
            super(message);
        }
    }

    /**
     * The snapshot is sound but was made under other genesis settings: every earlier snapshot and the
     * log were too, so setting it aside cannot help; only the settings it was made with can.
     */
    public static final class GenesisMismatch extends SnapshotException {
        public GenesisMismatch(String message) {
            super(message);
        }
    }
}
