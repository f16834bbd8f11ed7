package dev.clearline.sequencer.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Watches the free space of the disk a member records its log on. A member whose archive cannot
 * write falls silently behind (Aeron stops the recording) and, if it leads, stalls the cluster
 * until an election; one that stops while there is still a little room leaves cleanly: the
 * others elect a leader among themselves and keep serving, and nothing it acknowledged is lost
 * (a majority holds it). So below {@code minFreeBytes} the member is told to stop, once, with
 * what to do.
 */
public final class DiskWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiskWatch.class);

    private final Path dir;
    private final long minFreeBytes;
    private final LongSupplier freeBytes;
    private final Consumer<String> onLow;
    private final AtomicBoolean fired = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closed;

    /** Checks every {@code periodMs} on a daemon thread; {@code freeBytes} is the disk's usable space now. */
    public DiskWatch(Path dir, long minFreeBytes, LongSupplier freeBytes, long periodMs, Consumer<String> onLow) {
        this.dir = dir;
        this.minFreeBytes = minFreeBytes;
        this.freeBytes = freeBytes;
        this.onLow = onLow;
        this.thread = Thread.ofPlatform().daemon().name("disk-watch").unstarted(() -> {
            while (!closed && !check()) {
                try {
                    Thread.sleep(periodMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The usable space of the file store holding {@code dir}, or -1 if it cannot be read. */
    public static LongSupplier usableSpace(Path dir) {
        return () -> {
            try {
                return Files.getFileStore(dir).getUsableSpace();
            } catch (IOException e) {
                return -1;
            }
        };
    }

    public DiskWatch start() {
        thread.start();
        return this;
    }

    /** One check: true (and {@code onLow} told, the first time only) when the free space is below the minimum. */
    public boolean check() {
        long free = freeBytes.getAsLong();
        if (free < 0 || free >= minFreeBytes) return false;
        if (fired.compareAndSet(false, true)) {
            String why = "the disk holding " + dir + " has " + mib(free) + " MiB free, less than the " + mib(minFreeBytes)
                    + " MiB this member needs to keep recording the log (--min-free-mb). It stops now so the others elect a leader"
                    + " among themselves; nothing acknowledged is lost. Free space on that disk (or move --dir to a larger one),"
                    + " then start this member again with the same options: it catches up from the others";
            log.error("event=disk_low dir={} freeBytes={} minFreeBytes={} action=stop", dir, free, minFreeBytes);
            onLow.accept(why);
        }
        return true;
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
