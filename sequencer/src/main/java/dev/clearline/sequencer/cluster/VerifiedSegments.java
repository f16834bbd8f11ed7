package dev.clearline.sequencer.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The closed archive segments a member's start-up check has read back whole and found sound, each
 * with what identifies that exact file: its size, inode, and modification and status-change times.
 * The archive never writes to a segment again once it has moved on to the next one, so a later
 * start that finds the same file unchanged need not read it again; its check then reads what a
 * kill could have touched (each recording's last segment) and what is new, and takes the same
 * time however long the log has grown. A changed file (rewritten, replaced, restored with its old
 * modification time: the status-change time and inode still differ) is read again.
 *
 * <p>Kept in {@code <member dir>/verified-segments}, one line per segment:
 * {@code name size inode mtime-ns ctime-ns}. A missing or unreadable ledger means nothing is
 * trusted: the next check reads every segment (delete it to have that happen on purpose). Each
 * segment is synced to disk before it is entered, and the ledger is replaced atomically.
 */
final class VerifiedSegments {
    static final String FILE_NAME = "verified-segments";

    /** What identifies one segment file as it was when it was read. */
    record Stamp(long size, long inode, long modifiedNanos, long changedNanos) {
        static Stamp of(File segment) throws IOException {
            Map<String, Object> a = Files.readAttributes(segment.toPath(), "unix:size,ino,lastModifiedTime,ctime");
            return new Stamp((Long) a.get("size"), (Long) a.get("ino"), nanos(a.get("lastModifiedTime")), nanos(a.get("ctime")));
        }

        private static long nanos(Object time) {
            return ((FileTime) time).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private final Path ledger;
    private final Map<String, Stamp> known;
    private final Map<String, Stamp> verified = new LinkedHashMap<>();

    private VerifiedSegments(Path ledger, Map<String, Stamp> known) {
        this.ledger = ledger;
        this.known = known;
    }

    /** The ledger of {@code memberDir}; empty when there is none or it cannot be read (then every segment is read). */
    static VerifiedSegments of(Path memberDir) {
        Path ledger = memberDir.resolve(FILE_NAME);
        Map<String, Stamp> known = new LinkedHashMap<>();
        try {
            if (Files.exists(ledger)) {
                for (String line : Files.readAllLines(ledger, StandardCharsets.US_ASCII)) {
                    String[] f = line.trim().split(" ");
                    if (f.length != 5) throw new IllegalArgumentException("a line of " + f.length + " fields");
                    known.put(f[0], new Stamp(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])));
                }
            }
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(VerifiedSegments.class).warn("event=verified_segments_unreadable file={} cause=\"{}\""
                    + " action=\"every archive segment is read again\"", ledger, e.getMessage());
            known.clear();
        }
        return new VerifiedSegments(ledger, known);
    }

    /** Whether {@code segment} was read whole by an earlier check and is the same file still; if so it stays in the ledger. */
    boolean unchanged(File segment) throws IOException {
        Stamp was = known.get(segment.getName());
        if (was == null || !was.equals(Stamp.of(segment))) return false;
        verified.put(segment.getName(), was);
        return true;
    }

    /** Enters {@code segment}, just read whole and found sound, once it is on disk. */
    void add(File segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment.toPath(), StandardOpenOption.READ)) {
            ch.force(true);
        }
        verified.put(segment.getName(), Stamp.of(segment));
    }

    /** Replaces the ledger with the segments found unchanged or added by this check (those gone since are left out). */
    void save() throws IOException {
        StringBuilder text = new StringBuilder();
        verified.forEach((name, s) -> text.append(name).append(' ').append(s.size()).append(' ').append(s.inode()).append(' ')
                .append(s.modifiedNanos()).append(' ').append(s.changedNanos()).append('\n'));
        Path next = ledger.resolveSibling(FILE_NAME + ".next");
        try (FileChannel ch = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        try {
            Files.move(next, ledger, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, ledger, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** How many segments this check trusted from the ledger, and how many it entered after reading them. */
    int count() {
        return verified.size();
    }
}
