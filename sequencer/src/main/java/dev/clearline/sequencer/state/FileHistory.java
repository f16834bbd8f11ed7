package dev.clearline.sequencer.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A {@link CommandHistory} in a file of the member's directory, written through a small buffer. The
 * file is scratch space, not a record: it is emptied when the state is built (from genesis, or
 * from a snapshot that carries the history whole), the commands replayed from the log are
 * appended again, so nothing needs it to survive a crash and nothing is synced. The heap holds
 * only the buffer of the last commands.
 */
final class FileHistory implements CommandHistory {
    /** Commands are appended here and written when it is full, or before a read. */
    private static final int BUFFER = 256 * 1024;
    /** How much of the file one {@link #forEachChunk} step reads. */
    private static final int READ_CHUNK = 1 << 20;

    private final Path path;
    private final FileChannel file;
    private final byte[] pending = new byte[BUFFER];
    private int pendingLength;
    /** Bytes already in the file. */
    private long written;
    private long count;

    private FileHistory(Path path, FileChannel file) {
        this.path = path;
        this.file = file;
    }

    static FileHistory create(Path path) {
        try {
            java.nio.file.Files.createDirectories(path.toAbsolutePath().getParent());
            return new FileHistory(path, FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the command history file " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void add(long timestampMillis, byte[] command, int offset, int length) {
        if (BUFFER - pendingLength < 12) flush();
        for (int i = 7; i >= 0; i--) pending[pendingLength++] = (byte) (timestampMillis >>> (8 * i));
        for (int i = 3; i >= 0; i--) pending[pendingLength++] = (byte) (length >>> (8 * i));
        appendBytes(command, offset, length);
        count++;
    }

    @Override
    public void appendEncoded(byte[] encoded, int offset, int length) {
        appendBytes(encoded, offset, length);
    }

    private void appendBytes(byte[] bytes, int offset, int length) {
        if (length > BUFFER - pendingLength) {
            flush();
            if (length > BUFFER) {
                write(ByteBuffer.wrap(bytes, offset, length));
                return;
            }
        }
        System.arraycopy(bytes, offset, pending, pendingLength, length);
        pendingLength += length;
    }

    @Override
    public void restored(long count) {
        this.count = count;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long size() {
        return written + pendingLength;
    }

    @Override
    public byte[] range(long from, int max) {
        long size = size();
        if (from < 0 || from > size) throw new IllegalArgumentException("from " + from + " is outside the history's " + size + " bytes");
        byte[] out = new byte[(int) Math.min(max, size - from)];
        int fromFile = (int) Math.max(0, Math.min(out.length, written - from));
        if (fromFile > 0) read(ByteBuffer.wrap(out, 0, fromFile), from);
        if (fromFile < out.length) System.arraycopy(pending, (int) (from + fromFile - written), out, fromFile, out.length - fromFile);
        return out;
    }

    @Override
    public byte[] encoded() {
        long size = size();
        if (size > Integer.MAX_VALUE - 8) throw new IllegalStateException("the command history (" + size + " bytes) does not fit one array");
        return range(0, (int) size);
    }

    @Override
    public void forEachChunk(Chunks sink) {
        flush();
        byte[] chunk = new byte[(int) Math.min(READ_CHUNK, Math.max(1, written))];
        for (long at = 0; at < written; ) {
            int n = (int) Math.min(chunk.length, written - at);
            read(ByteBuffer.wrap(chunk, 0, n), at);
            sink.accept(chunk, 0, n);
            at += n;
        }
    }

    private void flush() {
        if (pendingLength == 0) return;
        write(ByteBuffer.wrap(pending, 0, pendingLength));
        pendingLength = 0;
    }

    private void write(ByteBuffer b) {
        try {
            while (b.hasRemaining()) written += file.write(b, written);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the command history file " + path + ": " + e.getMessage(), e);
        }
    }

    private void read(ByteBuffer into, long at) {
        try {
            while (into.hasRemaining()) {
                int n = file.read(into, at);
                if (n < 0) throw new IOException("the file ends at " + at + " of " + written + " bytes written (truncated by someone else?)");
                at += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the command history file " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            flush();
            file.close();
        } catch (UncheckedIOException e) {
            // scratch space: whatever did not reach the file is rebuilt with the state at the next start
            close(file);
        } catch (IOException e) {
            // closing a file we only wrote through positional writes: nothing is lost with it
        }
    }

    private static void close(FileChannel file) {
        try {
            file.close();
        } catch (IOException e) {
            // closing a file we only wrote through positional writes: nothing is lost with it
        }
    }
}
