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
 * A versioned, checksummed image of the sequencer's state at one log position, then its command
 * history:
 * <pre>
 *   image:   magic "CLSQSNAP" | format version (4) | rules version (4, format 6 on) | genesis | seq (8) | state root (32)
 *            | body length (4) | body | CRC32C of the image before it (4)
 *   history: commands (8) | bytes (8) | commands dropped (8) | bytes dropped (8)
 *            | the encoded commands held | CRC32C of the history before it (4)
 * </pre>
 * Format 9 (written now): format 8 whose armed stops each end with the distance a trailing stop keeps from the mark (0 for
 * a fixed trigger; rules 5). Format 8 (read, no longer written; its stops read as fixed, as every stop under the rules that
 * wrote it): format 7 whose image ends with the stop orders armed ({@link StopOrders}: each one's order as the
 * log carries it, its trigger and the seq that armed it; rules 4). Format 7 (read, no longer written; it holds no armed
 * stop): format 6 whose API view keeps, per order, the lots a resting take-profit was cut by when
 * its position shrank ({@code ExchangeEvent.Trimmed}, rules 3). Format 6 (read, no longer written; its orders read as
 * never trimmed, as every order under the rules that wrote it): format 5 with the {@link RulesVersion} of the build that wrote it after
 * the format, so a member of another build knows whether the log after the snapshot was applied
 * under its own rules ({@link #rules}). Format 5 (read, no longer written; its rules read as
 * {@link RulesVersion#UNVERSIONED}): format 4 whose image ends with the posting halt (a flag, then the reason
 * when set: {@code Command.PostingHalted}), so a member restarted after its leader's poster stopped
 * halts its trader API again. Format 4 (read, no longer written): the body is the state's own image ({@link SequencerState#writeImage}):
 * the exchange's books, accounts and leaves, the API's views, the open batch, the batches L1 has
 * not finalized and the client tables. Loading it replays no command: it rebuilds the Merkle tree
 * from the leaves in one pass and refuses the image unless that gives the recorded root, so a
 * node's recovery costs what its state holds plus the log after the snapshot, however long the log
 * before it. The command history follows the image, streamed from where the state keeps it (a
 * member: a file), so the image is built in the heap without it; it has one command per seq since
 * genesis, of which the oldest may have been dropped ({@link CommandHistory#dropBefore}: a member
 * keeps {@code --keep-history-hours} of it), so the history part holds only those after them.
 * Format 3 (read, no longer written): the same with the whole history (no dropped counts).
 * Format 2 (read, no longer written): the same without the history part, the history inside the
 * body instead. Format 1 (read): the body was the command history, replayed on load. A member whose
 * archive holds either still starts from it.
 */
public final class Snapshot {
    public static final int FORMAT = 11;
    /** The first format whose image ends with what each open position cost ({@link PositionCosts}, rules 7). */
    static final int FORMAT_COSTS = 11;
    /** The format before the positions' costs joined the image: restored, every open position's entry price is unknown. */
    static final int FORMAT_UNCOSTED = 10;
    /** The first format whose image ends with the traders' cancel-all-after switches (rules 6). */
    static final int FORMAT_SCHEDULES = 10;
    /** The format before the switches joined the image. */
    static final int FORMAT_UNSCHEDULED = 9;
    /** The first format whose armed stops carry a trail (rules 5). */
    static final int FORMAT_TRAILS = 9;
    /** The format before the armed stops carried a trail. */
    static final int FORMAT_UNTRAILED = 8;
    /** The first format whose image ends with the armed stop orders (rules 4). */
    static final int FORMAT_STOPS = 8;
    /** The format before the armed stops joined the image. */
    static final int FORMAT_UNSTOPPED = 7;
    /** The first format whose API view keeps the lots each take-profit was trimmed by (rules 3). */
    static final int FORMAT_TRIMS = 7;
    /** The format before the view kept trimmed lots. */
    static final int FORMAT_UNTRIMMED = 6;
    /** The first format whose header names the rules that made it ({@link RulesVersion}). */
    static final int FORMAT_RULES = 6;
    /**
     * The format number of a snapshot taken by a member that had stopped applying the log ({@link #noState}): it
     * holds why, and no state.
     */
    static final int FORMAT_NO_STATE = 0;
    /** The format before the rules joined the header. */
    static final int FORMAT_UNVERSIONED_RULES = 5;
    /** The first format whose image ends with the posting halt ({@code Command.PostingHalted}). */
    static final int FORMAT_POSTING_HALT = 5;
    /** The format before the posting halt joined the image. */
    static final int FORMAT_DROPPED_HISTORY = 4;
    /** The first format with a history part after the image (the whole history, nothing dropped). */
    static final int FORMAT_HISTORY_AFTER_IMAGE = 3;
    /** The format whose body ends with the command history (no history part after the image). */
    static final int FORMAT_HISTORY_IN_IMAGE = 2;
    /** The format whose body is the command history, replayed on load. */
    static final int FORMAT_HISTORY = 1;
    /** Bytes of the image before its body's length before format 6: magic, format, genesis, seq, root. */
    private static final int HEADER_BYTES = 8 + 4 + (8 + 20 + 8 + 8 + 4 + 4 + 8) + 8 + 32;
    private static final byte[] MAGIC = "CLSQSNAP".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Snapshot() {}

    /** The whole snapshot of {@code s} in one array, its image and then its history (tests, tools). */
    public static byte[] write(SequencerState s) {
        return write(s, RulesVersion.CURRENT);
    }

    /**
     * What a member that stopped applying the log writes when the cluster takes a snapshot: not its state, which
     * is not the log's, but why it stopped, so that a start from it is refused with the reason (and
     * {@code --drop-latest-snapshot} sets it aside) instead of loading a state that skips the log before it.
     */
    public static byte[] noState(String why) {
        byte[] text = why.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ImageWriter out = new ImageWriter(text.length + 32);
        out.writeRaw(MAGIC).writeInt(FORMAT_NO_STATE).writeInt(text.length).writeRaw(text);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.size());
        return out.writeInt((int) crc.getValue()).toByteArray();
    }

    /** The whole snapshot as a build applying {@code rules} writes it (tests of members of another build). */
    public static byte[] write(SequencerState s, int rules) {
        return whole(s, FORMAT, rules);
    }

    /** A whole snapshot of {@code format} (this one, or a former one for tests): the image, then the history part from format 4 on. */
    private static byte[] whole(SequencerState s, int format, int rules) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ImageWriter image = framed(s, 1 << 16, format, rules);
        out.write(image.array(), 0, image.size());
        streamHistory(s.history(), out::write);
        return out.toByteArray();
    }

    /**
     * The history part of a snapshot, streamed chunk by chunk from {@code history} (which holds one command per
     * seq of the image before it, the oldest perhaps dropped): its count and length since genesis, the count and
     * length dropped, the encoded commands held, a CRC32C of all of it.
     */
    public static void streamHistory(CommandHistory history, CommandHistory.Chunks out) {
        CRC32C crc = new CRC32C();
        byte[] head = ByteBuffer.allocate(32).putLong(history.count()).putLong(history.size()).putLong(history.startCount())
                .putLong(history.start()).array();
        crc.update(head);
        out.accept(head, 0, head.length);
        long[] sent = {0};
        history.forEachChunk((bytes, offset, length) -> {
            crc.update(bytes, offset, length);
            out.accept(bytes, offset, length);
            sent[0] += length;
        });
        if (sent[0] != history.size() - history.start()) {
            throw new IllegalStateException("the history streamed " + sent[0] + " bytes of the " + (history.size() - history.start()) + " it holds");
        }
        byte[] tail = ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
        out.accept(tail, 0, tail.length);
    }

    /** Whether a snapshot's history part follows this image (format 3 on); false for an image too short to say. */
    public static boolean historyFollows(byte[] image) {
        return format(image) >= FORMAT_HISTORY_AFTER_IMAGE;
    }

    /**
     * The rules version of the build that wrote an image: from its header from format 6 on,
     * {@link RulesVersion#UNVERSIONED} before (or for an image too short to say: its load refuses it anyway).
     */
    public static int rules(byte[] image) {
        return format(image) >= FORMAT_RULES && image.length >= MAGIC.length + 8 ? ByteBuffer.wrap(image, MAGIC.length + 4, 4).getInt()
                : RulesVersion.UNVERSIONED;
    }

    /** Bytes of an image of {@code format} before its body's length. */
    private static int headerBytes(int format) {
        return HEADER_BYTES + (format >= FORMAT_RULES ? 4 : 0);
    }

    /** The format an image says it has, or -1 for one too short to say. */
    public static int format(byte[] image) {
        return image.length >= MAGIC.length + 4 ? ByteBuffer.wrap(image, MAGIC.length, 4).getInt() : -1;
    }

    /**
     * Takes a snapshot's history part, in whatever pieces it arrives, into an empty history, and checks its length
     * and checksum; {@link #finish} ends it.
     */
    public static final class HistoryReader {
        private final CommandHistory into;
        private final CRC32C crc = new CRC32C();
        private final byte[] head;
        private final byte[] tail = new byte[4];
        private int headFilled;
        private int tailFilled;
        private long count = -1;
        /** The bytes of commands held that the part carries. */
        private long size = -1;
        private long received;

        /** For the history part after an image of {@code format} (3: the whole history; 4 on: the commands held). */
        public HistoryReader(CommandHistory into, int format) throws SnapshotException {
            if (into.count() != 0 || into.size() != 0) throw new IllegalArgumentException("a snapshot's history goes into an empty history");
            if (format < FORMAT_HISTORY_AFTER_IMAGE || format > FORMAT) {
                throw new SnapshotException("snapshot format " + format + ", this node reads " + FORMAT_HISTORY + " to " + FORMAT);
            }
            this.into = into;
            this.head = new byte[format == FORMAT_HISTORY_AFTER_IMAGE ? 16 : 32];
        }

        /** Takes the next {@code length} bytes of the part; more than the part holds is refused. */
        public void accept(byte[] bytes, int offset, int length) throws SnapshotException {
            while (length > 0) {
                if (headFilled < head.length) {
                    int n = Math.min(length, head.length - headFilled);
                    System.arraycopy(bytes, offset, head, headFilled, n);
                    headFilled += n;
                    offset += n;
                    length -= n;
                    if (headFilled == head.length) {
                        crc.update(head);
                        ByteBuffer h = ByteBuffer.wrap(head);
                        count = h.getLong();
                        long whole = h.getLong();
                        long droppedCount = h.hasRemaining() ? h.getLong() : 0;
                        long dropped = h.hasRemaining() ? h.getLong() : 0;
                        if (count < 0 || whole < 0 || droppedCount < 0 || droppedCount > count || dropped < 0 || dropped > whole) {
                            throw new SnapshotException("snapshot history announces " + count + " commands in " + whole + " bytes, " + droppedCount
                                    + " of them in " + dropped + " bytes dropped");
                        }
                        size = whole - dropped;
                        into.restoreFrom(droppedCount, dropped);
                    }
                } else if (received < size) {
                    int n = (int) Math.min(length, size - received);
                    crc.update(bytes, offset, n);
                    into.appendEncoded(bytes, offset, n);
                    received += n;
                    offset += n;
                    length -= n;
                } else if (tailFilled < tail.length) {
                    int n = Math.min(length, tail.length - tailFilled);
                    System.arraycopy(bytes, offset, tail, tailFilled, n);
                    tailFilled += n;
                    offset += n;
                    length -= n;
                } else {
                    throw new SnapshotException("snapshot holds " + length + " bytes after its history");
                }
            }
        }

        /** Whether the whole part has arrived. */
        public boolean complete() {
            return tailFilled == tail.length;
        }

        /** Checks the part's checksum and gives the history its count. */
        public void finish() throws SnapshotException {
            if (!complete()) {
                throw new SnapshotException("snapshot history is truncated (" + (headFilled < head.length ? "its header" : received < size
                        ? received + " of its " + size + " bytes" : "its checksum") + " missing)");
            }
            int stored = ByteBuffer.wrap(tail).getInt();
            if (stored != (int) crc.getValue()) {
                throw new SnapshotException("snapshot history checksum mismatch (stored " + Integer.toHexString(stored) + ", computed "
                        + Integer.toHexString((int) crc.getValue()) + "): the snapshot is damaged");
            }
            into.restored(count);
        }
    }

    /**
     * The snapshot of {@code s} in a writer whose first {@link ImageWriter#size()} bytes of
     * {@link ImageWriter#array()} are the image: written in place, frame and checksum included, so
     * a large state is not held two or three times over while it is sent (a member near its heap's
     * limit takes snapshots too). {@code expectedBytes}: room to start with (the last snapshot's
     * size spares the copies of growing).
     */
    public static ImageWriter frame(SequencerState s, int expectedBytes) {
        return frame(s, expectedBytes, RulesVersion.CURRENT);
    }

    /** {@link #frame(SequencerState, int)} as a build applying {@code rules} writes it (a node's config says which: tests). */
    public static ImageWriter frame(SequencerState s, int expectedBytes, int rules) {
        return framed(s, expectedBytes, FORMAT, rules);
    }

    /** In format 10 (tests: a snapshot of the build before the positions' costs; a restored node shows no entry prices). */
    static byte[] writeWithoutCosts(SequencerState s, int rules) {
        return whole(s, FORMAT_UNCOSTED, rules);
    }

    /** In format 9 (tests: a snapshot of the build before the switches; refused while one is set). */
    static byte[] writeWithoutSchedules(SequencerState s, int rules) {
        return whole(s, FORMAT_UNSCHEDULED, rules);
    }

    /** The former format 8, the armed stops without a trail (tests of members with old snapshots; refused while one trails). */
    static byte[] writeWithoutTrails(SequencerState s, int rules) {
        return whole(s, FORMAT_UNTRAILED, rules);
    }

    /** The former format 7, without the armed stops (tests of members with old snapshots; refused while a stop is armed). */
    static byte[] writeWithoutStops(SequencerState s, int rules) {
        return whole(s, FORMAT_UNSTOPPED, rules);
    }

    /** The former format 6, no trimmed lots in the view (tests of members with old snapshots). */
    static byte[] writeWithoutTrims(SequencerState s, int rules) {
        return whole(s, FORMAT_UNTRIMMED, rules);
    }

    /** The former format 5, the rules left out of the header (tests of members with old snapshots). */
    static byte[] writeWithoutRules(SequencerState s) {
        return whole(s, FORMAT_UNVERSIONED_RULES, RulesVersion.UNVERSIONED);
    }

    /** The former format 4, without the posting halt at the image's end (tests of members with old snapshots). */
    static byte[] writeWithoutPostingHalt(SequencerState s) {
        return whole(s, FORMAT_DROPPED_HISTORY, RulesVersion.UNVERSIONED);
    }

    /** The former format 3, the whole history after the image with no dropped counts (tests of members with old snapshots). */
    static byte[] writeWholeHistoryAfterImage(SequencerState s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ImageWriter image = framed(s, 1 << 16, FORMAT_HISTORY_AFTER_IMAGE, RulesVersion.UNVERSIONED);
        out.write(image.array(), 0, image.size());
        CommandHistory history = s.history();
        if (history.start() != 0) throw new IllegalStateException("format 3 carries the whole history; this one dropped its oldest commands");
        CRC32C crc = new CRC32C();
        byte[] head = ByteBuffer.allocate(16).putLong(history.count()).putLong(history.size()).array();
        crc.update(head);
        out.writeBytes(head);
        byte[] encoded = history.encoded();
        crc.update(encoded);
        out.writeBytes(encoded);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    /** The former format 2, its history inside the image and no history part after it (tests of members with old snapshots). */
    static byte[] writeHistoryInImage(SequencerState s) {
        return framed(s, 1 << 16, FORMAT_HISTORY_IN_IMAGE, RulesVersion.UNVERSIONED).toByteArray();
    }

    private static ImageWriter framed(SequencerState s, int expectedBytes, int format, int rules) {
        // the root first: it syncs the tree worker, after which the image sees every command applied
        Hash32 root = s.stateRoot();
        ImageWriter out = new ImageWriter(expectedBytes);
        header(out, s.genesis(), format, rules, s.seq(), root);
        int lengthAt = out.size();
        out.writeInt(0);
        s.writeImage(out, format);
        out.putInt(lengthAt, out.size() - lengthAt - 4);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.size());
        return out.writeInt((int) crc.getValue());
    }

    private static void header(ImageWriter out, Genesis g, int format, int rules, long seq, Hash32 root) {
        out.writeRaw(MAGIC).writeInt(format);
        if (format >= FORMAT_RULES) out.writeInt(rules);
        out.writeLong(g.chainId()).writeRaw(g.verifyingContract().bytes())
                .writeLong(g.books().maxPriceTicks()).writeLong(g.books().maxSizeLots()).writeInt(g.books().capacity())
                .writeInt(g.batches().maxTransitions()).writeLong(g.batches().maxAgeSeconds());
        out.writeLong(seq).writeRaw(root.bytes());
    }

    /** The former format: the command history, replayed on load (for tests of members with old snapshots, and the recovery bench). */
    public static byte[] writeHistory(SequencerState s) {
        if (s.history().start() != 0) throw new IllegalStateException("format 1 replays the whole history; this one dropped its oldest commands");
        Hash32 root = s.stateRoot();
        byte[] history = s.history().encoded();
        ImageWriter out = new ImageWriter(history.length + 256);
        header(out, s.genesis(), FORMAT_HISTORY, RulesVersion.UNVERSIONED, s.seq(), root);
        out.writeLong(s.history().count()).writeInt(history.length).writeRaw(history);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.size());
        return out.writeInt((int) crc.getValue()).toByteArray();
    }

    /** Rebuilds the state a whole snapshot ({@link #write}) describes, its history in memory; refuses a damaged, foreign or inconsistent one with the reason. */
    public static SequencerState read(byte[] snapshot, Genesis expected, SignatureVerifier verifier) throws SnapshotException {
        return readWhole(snapshot, expected, verifier, CommandHistory.inMemory());
    }

    /** As {@link #read(byte[], Genesis, SignatureVerifier)}, its history taken into {@code history} (a member's file). */
    public static SequencerState readWhole(byte[] snapshot, Genesis expected, SignatureVerifier verifier, CommandHistory history)
            throws SnapshotException {
        if (!historyFollows(snapshot)) return read(snapshot, expected, verifier, history);
        int headerBytes = headerBytes(format(snapshot));
        if (snapshot.length < headerBytes + 8) throw new SnapshotException("snapshot of " + snapshot.length + " bytes is truncated");
        long imageBytes = headerBytes + 4L + (ByteBuffer.wrap(snapshot, headerBytes, 4).getInt() & 0xffffffffL) + 4;
        if (imageBytes > snapshot.length) throw new SnapshotException("snapshot image of " + imageBytes + " bytes where " + snapshot.length + " are");
        HistoryReader reader = new HistoryReader(history, format(snapshot));
        reader.accept(snapshot, (int) imageBytes, snapshot.length - (int) imageBytes);
        reader.finish();
        return read(java.util.Arrays.copyOf(snapshot, (int) imageBytes), expected, verifier, history);
    }

    /**
     * Rebuilds the state an image describes around {@code history}: for format 3, the history part that followed the
     * image, already taken in ({@link HistoryReader}); for the earlier formats an empty history, filled from the image.
     * Refuses a damaged, foreign or inconsistent snapshot with the reason.
     */
    public static SequencerState read(byte[] image, Genesis expected, SignatureVerifier verifier, CommandHistory history) throws SnapshotException {
        if (image.length < MAGIC.length + 8) throw new SnapshotException("snapshot of " + image.length + " bytes is truncated");
        CRC32C crc = new CRC32C();
        crc.update(image, 0, image.length - 4);
        int stored = ByteBuffer.wrap(image, image.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new SnapshotException("snapshot checksum mismatch (stored " + Integer.toHexString(stored) + ", computed "
                    + Integer.toHexString((int) crc.getValue()) + "): the image is damaged");
        }
        ByteBuffer b = ByteBuffer.wrap(image, 0, image.length - 4);
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new SnapshotException("not a sequencer snapshot (bad magic)");
            int format = b.getInt();
            if (format == FORMAT_NO_STATE) {
                int length = b.getInt();
                if (length < 0 || length > b.remaining()) throw new SnapshotException("snapshot without state is truncated");
                byte[] why = new byte[length];
                b.get(why);
                throw new SnapshotException("this snapshot holds no state: it was taken while this member had stopped applying the log ("
                        + new String(why, java.nio.charset.StandardCharsets.UTF_8) + ")");
            }
            if (format < FORMAT_HISTORY || format > FORMAT) {
                throw new SnapshotException("snapshot format " + format + ", this node reads " + FORMAT_HISTORY + " to " + FORMAT);
            }
            if (format >= FORMAT_RULES && b.getInt() < 0) throw new SnapshotException("snapshot names a negative rules version; the image is damaged");
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
                        + String.join("; ", g.differencesFrom(expected)),
                        "Start it with the settings it was made with, or give a fresh --dir for a new chain of batches");
            }
            long seq = b.getLong();
            byte[] root = new byte[32];
            b.get(root);
            SequencerState s = format == FORMAT_HISTORY ? fromHistory(b, g, verifier, history) : fromImage(b, g, verifier, history, format);
            if (s.seq() != seq || !s.stateRoot().equals(new Hash32(root))) {
                throw new SnapshotException("snapshot " + (format == FORMAT_HISTORY ? "replay" : "image") + " reached seq " + s.seq() + " root "
                        + s.stateRoot() + " but the image records seq " + seq + " root " + new Hash32(root));
            }
            if (history.count() != seq) {
                throw new SnapshotException("snapshot history holds " + history.count() + " commands for seq " + seq
                        + "; the snapshot and its history do not belong together");
            }
            return s;
        } catch (BufferUnderflowException e) {
            throw new SnapshotException("snapshot is truncated");
        }
    }

    private static SequencerState fromImage(ByteBuffer b, Genesis g, SignatureVerifier verifier, CommandHistory history, int format)
            throws SnapshotException {
        int length = b.getInt();
        if (length != b.remaining()) throw new SnapshotException("snapshot body of " + length + " bytes where " + b.remaining() + " follow");
        ImageReader in = new ImageReader(b.array(), b.position(), length);
        try {
            SequencerState s = SequencerState.readImage(in, g, verifier, history, format);
            in.expectEnd();
            return s;
        } catch (ImageFormatException e) {
            throw new SnapshotException("snapshot image is damaged: " + e.getMessage());
        } catch (RuntimeException e) {
            // a value the image's checksum vouched for but this build refuses (an order field out of range, ...)
            throw new SnapshotException("snapshot image does not restore (" + e + ")");
        }
    }

    private static SequencerState fromHistory(ByteBuffer b, Genesis g, SignatureVerifier verifier, CommandHistory into) throws SnapshotException {
        long count = b.getLong();
        byte[] history = new byte[b.getInt()];
        b.get(history);
        if (b.hasRemaining()) throw new SnapshotException(b.remaining() + " unexpected bytes after the history");
        SequencerState s = new SequencerState(g, verifier, into);
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
        private final String finding;
        private final String advice;

        /** @param finding which settings differ, with both values; {@code advice} what the operator of a node does about it */
        public GenesisMismatch(String finding, String advice) {
            super(finding + ". " + advice);
            this.finding = finding;
            this.advice = advice;
        }

        public String advice() {
            return advice;
        }

        /** Which settings differ, without the advice (a program that runs the node says what to do in its own terms). */
        public String finding() {
            return finding;
        }
    }
}
