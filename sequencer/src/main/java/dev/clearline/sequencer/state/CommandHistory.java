package dev.clearline.sequencer.state;

import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

/**
 * Every state-changing command the state has applied, encoded, with the log timestamp it had: what
 * the {@code HISTORY} audit query answers (a replay of it must reach the node's root). A snapshot
 * carries it as bytes and loads without replaying it (see {@link Snapshot}; format 1 snapshots were
 * this history alone, replayed on load); a query or a dropped resend is not recorded.
 */
public final class CommandHistory {
    /**
     * The entries in fixed chunks, never copied as they grow: a single growing array copied itself
     * at every doubling (about 3 % of the service's allocation per order) and, past a few hundred
     * MB, needed its old and new copies at once.
     */
    private static final int CHUNK = 1 << 20;
    /** The first chunk: a state that applies a few commands (tests, tools) does not hold a megabyte. */
    static final int FIRST_CHUNK = 1 << 16;
    private final java.util.List<byte[]> chunks = new java.util.ArrayList<>();
    private byte[] current = new byte[FIRST_CHUNK];
    private int used;
    private long count;

    void add(long timestampMillis, byte[] command) {
        add(timestampMillis, command, 0, command.length);
    }

    void add(long timestampMillis, byte[] command, int offset, int length) {
        for (int i = 7; i >= 0; i--) put((byte) (timestampMillis >>> (8 * i)));
        for (int i = 3; i >= 0; i--) put((byte) (length >>> (8 * i)));
        while (length > 0) {
            if (used == current.length) nextChunk();
            int n = Math.min(length, current.length - used);
            System.arraycopy(command, offset, current, used, n);
            used += n;
            offset += n;
            length -= n;
        }
        count++;
    }

    private void put(byte b) {
        if (used == current.length) nextChunk();
        current[used++] = b;
    }

    private void nextChunk() {
        chunks.add(current);
        current = new byte[Math.min(CHUNK, 2 * current.length)];
        used = 0;
    }

    /** Takes back an {@link #encoded()} image of {@code count} commands, into this empty history. */
    void load(byte[] encoded, long count) {
        if (this.count != 0 || used != 0 || !chunks.isEmpty()) throw new IllegalStateException("load into a history that has commands");
        if (encoded == null) throw new dev.clearline.engine.image.ImageFormatException("the image has no command history");
        for (int at = 0; at < encoded.length; ) {
            if (used == current.length) nextChunk();
            int n = Math.min(encoded.length - at, current.length - used);
            System.arraycopy(encoded, at, current, used, n);
            used += n;
            at += n;
        }
        this.count = count;
    }

    public long count() {
        return count;
    }

    /** Entries back to back: timestamp (8), length (4), command bytes. */
    public byte[] encoded() {
        long size = used;
        for (byte[] c : chunks) size += c.length;
        if (size > Integer.MAX_VALUE - 8) throw new IllegalStateException("the command history (" + size + " bytes) no longer fits one snapshot image");
        byte[] out = new byte[(int) size];
        int at = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, out, at, c.length);
            at += c.length;
        }
        System.arraycopy(current, 0, out, at, used);
        return out;
    }

    /** The length of {@link #encoded()} in bytes. */
    public long size() {
        long size = used;
        for (byte[] c : chunks) size += c.length;
        return size;
    }

    /**
     * Bytes {@code from} to at most {@code from + max} of {@link #encoded()}, copying nothing else: one
     * page of the {@code HISTORY} query, which costs the same however long the history has grown. A
     * page may end inside a command; the pages put back to back are the encoded history.
     */
    public byte[] range(long from, int max) {
        long size = size();
        if (from < 0 || from > size) throw new IllegalArgumentException("from " + from + " is outside the history's " + size + " bytes");
        byte[] out = new byte[(int) Math.min(max, size - from)];
        int at = 0;
        long base = 0; // where chunk i starts in the encoded history
        for (int i = 0; i <= chunks.size() && at < out.length; i++) {
            byte[] c = i < chunks.size() ? chunks.get(i) : current;
            int length = i < chunks.size() ? c.length : used;
            long want = from + at;
            if (want < base + length) {
                int n = (int) Math.min(base + length - want, out.length - at);
                System.arraycopy(c, (int) (want - base), out, at, n);
                at += n;
            }
            base += length;
        }
        return out;
    }

    /** Walks an {@link #encoded()} image: each command's timestamp and bytes, in order. */
    public static void forEach(byte[] encoded, BiConsumer<Long, byte[]> visitor) {
        ByteBuffer b = ByteBuffer.wrap(encoded);
        while (b.hasRemaining()) {
            long ts = b.getLong();
            byte[] c = new byte[b.getInt()];
            b.get(c);
            visitor.accept(ts, c);
        }
    }
}
