package dev.clearline.sequencer.cluster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running node's hold on its member directory: an OS file lock on {@code <dir>/node.lock},
 * which the kernel drops when the process dies, however it dies.
 *
 * <p>Why: Aeron's archive and consensus module refuse to start while their mark files look alive,
 * and a mark file looks alive for 10 s after its last heartbeat, so a member restarted after
 * {@code kill -9} used to wait about ten seconds doing nothing. Holding this lock proves that no
 * process runs on the directory any more, so every mark file in it was left by a dead run: its
 * heartbeat is set back to zero and Aeron takes the file over at once, keeping everything else in
 * it (the consensus module's candidate term, the errors Aeron saves aside). A second node started
 * on a directory in use is refused at once, with the holder's pid, instead of after a wait.
 */
public final class RunLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunLock.class);
    static final String FILE_NAME = "node.lock";
    /** Aeron's mark file liveness timeout (archive and cluster alike): a heartbeat younger than this blocks a start. */
    private static final long AERON_LIVENESS_MS = 10_000;

    private final FileChannel channel;
    /** Null on a file system that offers no locks. */
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code dir}, then releases the mark files a dead run left there.
     *
     * @throws IllegalStateException when another process (or another node in this JVM) holds it
     */
    public static RunLock take(Path dir, long pid, long nowMs) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM runs a node on it already
        } catch (IOException e) {
            // a file system without locks (some network mounts): no proof that a killed run is dead, so Aeron's own
            // liveness check decides, as before (a restart after kill -9 then waits about 10 s)
            log.warn("event=run_lock_unavailable dir={} error=\"{}\" hint=\"put the member's --dir on a local disk\"", dir, e.getMessage());
            return new RunLock(channel, null);
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new IllegalStateException("the directory " + dir + " is in use: another node runs on it" + holder
                    + ". Stop that node first, or start this one with another --dir");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(("pid " + pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        RunLock taken = new RunLock(channel, lock);
        try {
            List<String> released = releaseStaleMarkFiles(dir, nowMs);
            if (!released.isEmpty()) {
                log.info("event=previous_run_released mark_files={} hint=\"the last run on this directory was killed; its mark files no longer hold the start\"",
                        released);
            }
        } catch (IOException | RuntimeException e) {
            taken.close();
            throw e;
        }
        return taken;
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(64);
            channel.read(b, 0);
            String text = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
            return text.startsWith("pid ") ? " (" + text + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Sets the heartbeat of every Aeron mark file under {@code dir}'s archive and cluster
     * directories back to zero when it is younger than Aeron's liveness timeout; returns the files
     * whose heartbeat that was (the ones that would have held the start). Only call it holding the lock.
     */
    static List<String> releaseStaleMarkFiles(Path dir, long nowMs) throws IOException {
        List<String> released = new ArrayList<>();
        for (MarkFileKind kind : MarkFileKind.values()) {
            Path sub = dir.resolve(kind.directory);
            if (!Files.isDirectory(sub)) continue;
            List<Path> files;
            try (Stream<Path> s = Files.list(sub)) {
                files = s.filter(p -> kind.matches(p.getFileName().toString())).sorted().toList();
            }
            for (Path f : files) {
                if (resetHeartbeat(f, kind, nowMs)) released.add(kind.directory + "/" + f.getFileName());
            }
        }
        return released;
    }

    /** Zeroes one mark file's activity timestamp if it is recent; false when it was old already or the file is not one Aeron finished writing. */
    private static boolean resetHeartbeat(Path file, MarkFileKind kind, long nowMs) throws IOException {
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
            f.read(head, 0);
            int offset = kind.activityTimestampOffset(new UnsafeBuffer(head.array()));
            if (offset < 0 || head.position() < offset + Long.BYTES) return false;
            long heartbeat = head.getLong(offset);
            if (heartbeat == 0 || nowMs - heartbeat >= AERON_LIVENESS_MS) return false;
            f.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0L), offset);
            f.force(false);
            return true;
        }
    }

    /**
     * The two layouts: the archive's mark file and the cluster's (consensus module, service container, backup). Each
     * is Aeron's SBE mark file header, behind a message header in files of Aeron 1.4x (older files have none).
     */
    enum MarkFileKind {
        ARCHIVE("archive", io.aeron.archive.ArchiveMarkFile.FILENAME::equals,
                io.aeron.archive.codecs.mark.MarkFileHeaderDecoder.TEMPLATE_ID, io.aeron.archive.codecs.mark.MarkFileHeaderDecoder.SCHEMA_ID,
                io.aeron.archive.codecs.mark.MessageHeaderDecoder.ENCODED_LENGTH,
                io.aeron.archive.codecs.mark.MarkFileHeaderDecoder.activityTimestampEncodingOffset()),
        CLUSTER("cluster", name -> name.startsWith("cluster-mark") && name.endsWith(".dat"),
                io.aeron.cluster.codecs.mark.MarkFileHeaderDecoder.TEMPLATE_ID, io.aeron.cluster.codecs.mark.MarkFileHeaderDecoder.SCHEMA_ID,
                io.aeron.cluster.codecs.mark.MessageHeaderDecoder.ENCODED_LENGTH,
                io.aeron.cluster.codecs.mark.MarkFileHeaderDecoder.activityTimestampEncodingOffset());

        final String directory;
        private final java.util.function.Predicate<String> names;
        private final int templateId;
        private final int schemaId;
        private final int messageHeaderLength;
        private final int timestampOffset;

        MarkFileKind(String directory, java.util.function.Predicate<String> names, int templateId, int schemaId, int messageHeaderLength,
                     int timestampOffset) {
            this.directory = directory;
            this.names = names;
            this.templateId = templateId;
            this.schemaId = schemaId;
            this.messageHeaderLength = messageHeaderLength;
            this.timestampOffset = timestampOffset;
        }

        boolean matches(String name) {
            return names.test(name);
        }

        /** Where the activity timestamp is in a file that begins with {@code head}. */
        int activityTimestampOffset(UnsafeBuffer head) {
            // the SBE message header: block length, template id, schema id, version (two bytes each)
            boolean framed = head.getShort(2, ByteOrder.LITTLE_ENDIAN) == templateId && head.getShort(4, ByteOrder.LITTLE_ENDIAN) == schemaId;
            return (framed ? messageHeaderLength : 0) + timestampOffset;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock != null && lock.isValid()) lock.release();
        } finally {
            channel.close();
        }
    }
}
