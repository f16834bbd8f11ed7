package dev.clearline.sequencer.state;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

/**
 * Every state-changing command the state has applied, encoded, with the log timestamp it had: the
 * body of a snapshot. The engine offers no image of its books yet, so the snapshot carries the
 * commands that rebuild them (see {@link Snapshot}); a query or a dropped resend is not recorded.
 */
public final class CommandHistory {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
    private long count;

    private final byte[] head = new byte[12];

    void add(long timestampMillis, byte[] command) {
        add(timestampMillis, command, 0, command.length);
    }

    void add(long timestampMillis, byte[] command, int offset, int length) {
        ByteBuffer.wrap(head).putLong(timestampMillis).putInt(length);
        bytes.write(head, 0, head.length);
        bytes.write(command, offset, length);
        count++;
    }

    public long count() {
        return count;
    }

    /** Entries back to back: timestamp (8), length (4), command bytes. */
    public byte[] encoded() {
        return bytes.toByteArray();
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
