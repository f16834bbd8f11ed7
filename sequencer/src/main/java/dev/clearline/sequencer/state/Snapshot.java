package dev.clearline.sequencer.state;

import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.exchange.MarketBooks;
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
 *   | history count (8) | history length (4) | history | CRC32C of all before (4)
 * </pre>
 * Loading checks the magic, version, checksum and genesis, rebuilds the state and refuses it
 * unless it reaches the recorded seq and state root. The engine has no image of its order books
 * and accounts yet, so the history (every state-changing command with its log timestamp) is what
 * rebuilds them; replaying it needs no signature recovery, the gateway's verdicts are in it. When
 * the engine can export its books, they replace the history here under a new format version.
 */
public final class Snapshot {
    public static final int FORMAT = 1;
    private static final byte[] MAGIC = "CLSQSNAP".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Snapshot() {}

    public static byte[] write(SequencerState s) {
        byte[] history = s.history().encoded();
        Genesis g = s.genesis();
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + GENESIS_BYTES + 8 + 32 + 8 + 4 + history.length + 4);
        b.put(MAGIC).putInt(FORMAT);
        b.putLong(g.chainId()).put(g.verifyingContract().bytes())
                .putLong(g.books().maxPriceTicks()).putLong(g.books().maxSizeLots()).putInt(g.books().capacity())
                .putInt(g.batches().maxTransitions()).putLong(g.batches().maxAgeSeconds());
        b.putLong(s.seq()).put(s.stateRoot().bytes()).putLong(s.history().count()).putInt(history.length).put(history);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Rebuilds the state an image describes; refuses a damaged, foreign or inconsistent one with the reason. */
    public static SequencerState read(byte[] image, Genesis expected, SignatureVerifier verifier) throws SnapshotException {
        if (image.length < MAGIC.length + 8) throw new SnapshotException("snapshot of " + image.length + " bytes is truncated");
        CRC32C crc = new CRC32C();
        crc.update(image, 0, image.length - 4);
        int stored = ByteBuffer.wrap(image, image.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new SnapshotException("snapshot checksum mismatch (stored " + Integer.toHexString(stored) + ", computed "
                    + Integer.toHexString((int) crc.getValue()) + "): the image is damaged; delete it to recover from the log alone");
        }
        ByteBuffer b = ByteBuffer.wrap(image, 0, image.length - 4);
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new SnapshotException("not a sequencer snapshot (bad magic)");
            int format = b.getInt();
            if (format != FORMAT) throw new SnapshotException("snapshot format " + format + ", this node reads " + FORMAT);
            long chainId = b.getLong();
            byte[] contract = new byte[20];
            b.get(contract);
            Genesis g = new Genesis(chainId, new Address(contract), new MarketBooks(b.getLong(), b.getLong(), b.getInt()),
                    new BatchPolicy(b.getInt(), b.getLong()));
            if (!g.equals(expected)) {
                throw new SnapshotException("snapshot was taken with " + g + " but this node runs " + expected
                        + "; start it with the same settings or a fresh cluster directory");
            }
            long seq = b.getLong();
            byte[] root = new byte[32];
            b.get(root);
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
            if (s.history().count() != count || s.seq() != seq || !s.stateRoot().equals(new Hash32(root))) {
                throw new SnapshotException("snapshot replay reached seq " + s.seq() + " root " + s.stateRoot()
                        + " but the image records seq " + seq + " root " + new Hash32(root));
            }
            return s;
        } catch (BufferUnderflowException e) {
            throw new SnapshotException("snapshot is truncated");
        }
    }

    private static final int GENESIS_BYTES = 8 + 20 + 8 + 8 + 4 + 4 + 8;

    public static final class SnapshotException extends Exception {
        public SnapshotException(String message) {
            super(message);
        }
    }
}
