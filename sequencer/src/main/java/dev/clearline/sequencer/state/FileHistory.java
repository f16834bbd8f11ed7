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
 *
 * <p>Dropped commands ({@link #dropBefore}) stay in the file until they are more than what is
 * kept; then the kept ones are copied to a new file that replaces it, so each byte is copied at
 * most about once more and the file stays under about twice the window.
 */
final class FileHistory implements CommandHistory {
    /** Commands are appended here and written when it is full, or before a read. */
    private static final int BUFFER = 256 * 1024;
    /** How much of the file one {@link #forEachChunk} step reads. */
    private static final int READ_CHUNK = 1 << 20;
    /** Dropped bytes below this stay in the file whatever their share: a copy is not worth it. */
    private static final long MIN_COMPACTION = 1 << 20;

    private final Path path;
    private FileChannel file;
    private final byte[] pending = new byte[BUFFER];
    private int pendingLength;
    /** Bytes already in the file. */
    private long written;
    private long count;
    /** Where the file's first byte is in the whole history (the bytes dropped before the last compaction). */
    private long fileBase;
    /** The commands dropped, and where the first held one starts in the whole history. */
    private long startCount;
    private long startBytes;

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
    public void restoreFrom(long startCount, long startBytes) {
        if (count != 0 || size() != 0) throw new IllegalStateException("a restore goes into an empty history");
        this.startCount = startCount;
        this.startBytes = startBytes;
        this.fileBase = startBytes;
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
        return fileBase + written + pendingLength;
    }

    @Override
    public long start() {
        return startBytes;
    }

    @Override
    public long startCount() {
        return startCount;
    }

    @Override
    public void dropBefore(long timestampMillis) {
        flush();
        CommandHistory.Cut cut = CommandHistory.cutBefore(this, timestampMillis);
        startBytes = cut.at();
        startCount += cut.commands();
        long dead = startBytes - fileBase;
        if (dead >= MIN_COMPACTION && dead > written - dead) compact();
    }

    /** Copies the commands held to a new file that takes this one's place. */
    private void compact() {
        Path next = path.resolveSibling(path.getFileName() + ".next");
        try (FileChannel copy = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long from = startBytes - fileBase;
            for (long at = from; at < written; ) {
                long n = file.transferTo(at, written - at, copy);
                if (n <= 0) throw new IOException("the file ends at " + at + " of " + written + " bytes written (truncated by someone else?)");
                at += n;
            }
            file.close();
            java.nio.file.Files.move(next, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            written -= from;
            fileBase = startBytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact the command history file " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] range(long whole, int max) {
        long size = size();
        if (whole < startBytes || whole > size) {
            throw new IllegalArgumentException("from " + whole + " is outside the history's bytes " + startBytes + " to " + size);
        }
        long from = whole - fileBase;
        byte[] out = new byte[(int) Math.min(max, size - whole)];
        int fromFile = (int) Math.max(0, Math.min(out.length, written - from));
        if (fromFile > 0) read(ByteBuffer.wrap(out, 0, fromFile), from);
        if (fromFile < out.length) System.arraycopy(pending, (int) (from + fromFile - written), out, fromFile, out.length - fromFile);
        return out;
    }

    @Override
    public byte[] encoded() {
        long held = size() - startBytes;
        if (held > Integer.MAX_VALUE - 8) throw new IllegalStateException("the command history (" + held + " bytes) does not fit one array");
        return range(startBytes, (int) held);
    }

    @Override
    public void forEachChunk(Chunks sink) {
        flush();
        byte[] chunk = new byte[(int) Math.min(READ_CHUNK, Math.max(1, written))];
        for (long at = startBytes - fileBase; at < written; ) {
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
