package dev.clearline.devnet.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The running devnet's hold on its data directory: an OS file lock on {@code <dir>/devnet.lock},
 * which the kernel drops when the process dies. A second devnet on the same directory is refused at
 * once with the holder's pid, before it touches the chain file or the state database (whose own
 * lock would refuse it too, but with go-ethereum's "resource temporarily unavailable" and an error
 * record from inside libevm).
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE = "devnet.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock on {@code dir}; an IllegalStateException says who holds it and what to do. */
    static DataDirLock take(Path dir, long pid) {
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // a devnet in this JVM has it
            } catch (IOException e) {
                return new DataDirLock(channel, null); // a file system without locks: the state database's own lock still guards it
            }
            if (lock == null) {
                ByteBuffer b = ByteBuffer.allocate(64);
                channel.read(b, 0);
                String holder = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
                channel.close();
                throw new IllegalStateException("the data directory " + dir + " is in use by another devnet" + (holder.startsWith("pid ")
                        ? " (" + holder + ")" : "") + "; stop it first, or give this one another --data-dir");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (lock != null && lock.isValid()) lock.release();
            channel.close();
        } catch (IOException e) {
            // the process's end releases it anyway
        }
    }
}
