package dev.clearline.sequencer.cluster;

import io.aeron.archive.ArchiveTool;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Before a member starts: every frame of every recording in its archive (the replicated log and
 * the snapshots) is read back, its header checked against where it sits and its payload against
 * the CRC-32C the archive stored when it recorded it ({@link FrameChecksum}). A member whose disk
 * copy is damaged must not start: it would apply a different log than the others and diverge, or
 * serve it to a member catching up. Instead it refuses with the damaged file named and what to do
 * (wipe this member's directory: it rejoins from the others, who hold the same log).
 *
 * <p>Each recording's last segment, the only one a kill can leave half written, is read by Aeron's
 * archive tool at every start. The segments before it are closed for good: each is read once, by
 * the first start after it closed, and entered in {@link VerifiedSegments}; a later start reads it
 * again only if the file changed. So the check costs what is new since the last start, not the
 * whole log, which is never truncated and would otherwise make every start slower than the last
 * (the snapshots bound what recovery replays; reading the archive must not undo that).
 */
public final class ArchiveCheck {
    /**
     * {@code ArchiveTool.verify} taking a {@link io.aeron.archive.checksum.Checksum} instance. Its public
     * twin takes a class name and loads Aeron's {@code Checksums}, whose static set-up opens
     * {@code java.util.zip} internals and fails without {@code --add-opens}; this one is package-private,
     * reached by reflection (both live in the class path's unnamed module, so no JVM flag is needed). A
     * newer Aeron without it fails here, at class load, in every test that starts a member.
     */
    private static final Method VERIFY;
    /**
     * What {@link #resealDescriptors} needs of Aeron's package-private catalog: open it for writing
     * ({@code ArchiveTool.openCatalogReadWrite}), walk its entries ({@code Catalog.forEach}) and
     * recompute one entry's checksum ({@code Catalog.updateChecksum}).
     */
    private static final Method OPEN_CATALOG, FOR_EACH, UPDATE_CHECKSUM;
    private static final Class<?> ENTRY_PROCESSOR;

    static {
        try {
            VERIFY = ArchiveTool.class.getDeclaredMethod("verify", PrintStream.class, File.class, Set.class,
                    io.aeron.archive.checksum.Checksum.class, EpochClock.class, ArchiveTool.ActionConfirmation.class);
            VERIFY.setAccessible(true);
            OPEN_CATALOG = ArchiveTool.class.getDeclaredMethod("openCatalogReadWrite", File.class, EpochClock.class, long.class,
                    io.aeron.archive.checksum.Checksum.class, java.util.function.IntConsumer.class);
            OPEN_CATALOG.setAccessible(true);
            Class<?> catalog = Class.forName("io.aeron.archive.Catalog");
            ENTRY_PROCESSOR = Class.forName("io.aeron.archive.Catalog$CatalogEntryProcessor");
            FOR_EACH = catalog.getDeclaredMethod("forEach", ENTRY_PROCESSOR);
            FOR_EACH.setAccessible(true);
            UPDATE_CHECKSUM = catalog.getDeclaredMethod("updateChecksum", int.class);
            UPDATE_CHECKSUM.setAccessible(true);
        } catch (NoSuchMethodException | ClassNotFoundException e) {
            throw new ExceptionInInitializerError("this Aeron's archive tool or catalog is not the one ArchiveCheck was written for: " + e.getMessage());
        }
    }

    private ArchiveCheck() {
    }

    /** Thrown when the archive is damaged; the message names the files and what to do. */
    public static final class DamagedArchiveException extends IllegalStateException {
        DamagedArchiveException(String message) {
            super(message);
        }
    }

    /**
     * What one check read: the recordings' last segments (by Aeron's tool) and the closed segments that were new or
     * changed, against the closed segments it trusted unread from {@link VerifiedSegments}.
     */
    public record Report(int lastSegmentsRead, int closedSegmentsRead, long closedBytesRead, int closedSegmentsTrusted, long closedBytesTrusted) {
        static final Report NOTHING = new Report(0, 0, 0, 0, 0);
    }

    /** Verifies {@code memberDir/archive} if there is one; throws {@link DamagedArchiveException} if anything in it is damaged. */
    public static Report verify(Path memberDir, int memberId) {
        File archive = memberDir.resolve("archive").toFile();
        if (!new File(archive, "archive.catalog").exists()) return Report.NOTHING; // a fresh member: nothing to check
        java.util.Set<Long> open = openRecordings(archive);
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        boolean ok;
        try (PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8)) {
            // each recording's last segment only: the closed ones before it are read below, those not read before
            ok = (Boolean) VERIFY.invoke(null, out, archive, EnumSet.of(ArchiveTool.VerifyOption.APPLY_CHECKSUM), new FrameChecksum(), SystemEpochClock.INSTANCE,
                    (ArchiveTool.ActionConfirmation<File>) ArchiveCheck::trimTornFrame);
        } catch (InvocationTargetException e) {
            throw damaged(memberDir, memberId, List.of("the archive catalog cannot be read: " + e.getCause()));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot run Aeron's archive verification: " + e.getMessage(), e);
        }
        if (ok) {
            Report checked = checkClosedSegments(memberDir, memberId, archive);
            resealDescriptors(archive);
            return checked;
        }
        List<String> errors = report.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("ERR")).toList();
        java.util.Set<Long> misread = new java.util.TreeSet<>(), unsized = new java.util.TreeSet<>();
        for (String e : errors) {
            java.util.regex.Matcher m = TOOL_MISREAD.matcher(e), u = UNSIZED_SEGMENT.matcher(e);
            if (m.find()) misread.add(Long.parseLong(m.group(1)));
            else if (u.find() && open.contains(Long.parseLong(u.group(1))) && new File(u.group(2)).length() == 0) unsized.add(Long.parseLong(u.group(1)));
            else throw damaged(memberDir, memberId, errors);
        }
        if (misread.isEmpty() && unsized.isEmpty()) throw damaged(memberDir, memberId, List.of("the archive tool reported a problem without details"));
        java.util.Set<Long> recheck = new java.util.TreeSet<>(misread);
        recheck.addAll(unsized);
        List<String> found = checkMisread(archive, recheck, open);
        if (!found.isEmpty()) throw damaged(memberDir, memberId, found);
        Report checked = checkClosedSegments(memberDir, memberId, archive);
        resealDescriptors(archive);
        var log = org.slf4j.LoggerFactory.getLogger(ArchiveCheck.class);
        if (!misread.isEmpty()) log.warn("event=archive_tool_misread recordings={} action=\"verified by our own walk of"
                + " every frame and checksum, catalog entries restored\"", misread);
        if (!unsized.isEmpty()) log.warn("event=archive_unsized_segment recordings={} cause=\"killed between creating a segment file and"
                + " sizing it\" action=\"every other frame verified by our own walk, catalog entries restored\"", unsized);
        return checked;
    }

    /**
     * Reads back every closed segment (each recording's segments but its last, which the tool has just read) that
     * {@link VerifiedSegments} does not hold unchanged, and checks that none is missing between a recording's first and
     * last; enters the sound ones in the ledger. Throws {@link DamagedArchiveException} naming what is wrong.
     */
    private static Report checkClosedSegments(Path memberDir, int memberId, File archive) {
        List<SegmentWalk.Layout> recordings = new java.util.ArrayList<>();
        try (AutoCloseable catalog = (AutoCloseable) OPEN_CATALOG.invoke(null, archive, SystemEpochClock.INSTANCE, 32L, new FrameChecksum(), null)) {
            forEachEntry(catalog, "recording lister", args -> recordings.add(SegmentWalk.Layout.of((io.aeron.archive.codecs.RecordingDescriptorDecoder) args[4])));
        } catch (Exception e) {
            throw damaged(memberDir, memberId, List.of("the archive catalog cannot be read: " + e));
        }
        VerifiedSegments ledger = VerifiedSegments.of(memberDir);
        SegmentWalk frames = new SegmentWalk();
        List<String> found = new java.util.ArrayList<>();
        int lastRead = 0, read = 0, trusted = 0;
        long bytesRead = 0, bytesTrusted = 0;
        try {
            for (SegmentWalk.Layout r : recordings) {
                File[] files = r.segments(archive);
                if (files.length == 0) continue;
                lastRead++;
                long expectedBase = r.firstSegmentBase();
                for (int i = 0; i < files.length - 1 && found.isEmpty(); i++) {
                    File f = files[i];
                    long base = SegmentWalk.base(f.getName());
                    if (base != expectedBase) {
                        found.add("(recordingId=" + r.id() + ") the segment file starting at position " + expectedBase + " is missing");
                        break;
                    }
                    expectedBase += r.segmentLength();
                    if (ledger.unchanged(f)) {
                        trusted++;
                        bytesTrusted += f.length();
                        continue;
                    }
                    long end = frames.walk(f, r, base, found);
                    if (end >= 0 && end != r.segmentLength()) {
                        found.add("(recordingId=" + r.id() + ", file=" + f + ") ends at " + end + " with later segments following it");
                    }
                    if (!found.isEmpty()) break;
                    ledger.add(f);
                    read++;
                    bytesRead += f.length();
                }
                if (found.isEmpty() && SegmentWalk.base(files[files.length - 1].getName()) != expectedBase) {
                    found.add("(recordingId=" + r.id() + ") the segment file starting at position " + expectedBase + " is missing");
                }
                if (!found.isEmpty()) throw damaged(memberDir, memberId, found);
            }
            ledger.save();
        } catch (java.io.IOException e) {
            throw damaged(memberDir, memberId, List.of("a segment cannot be read: " + e));
        }
        return new Report(lastRead, read, bytesRead, trusted, bytesTrusted);
    }

    /**
     * Aeron's tool asks this before it cuts a recording open at the kill back to before its last frame, and asks only
     * when that frame crosses a page boundary, fails its checksum and has an empty page after the crossing: what a
     * kill -9 leaves when it lands inside the write of that frame (the kernel copies a write into the page cache a
     * page at a time). Such a frame was never wholly recorded, so never committed nor acknowledged: the answer is yes.
     * Declining it (as this check did) left the frame in place to fail its checksum, and a healthy member was refused
     * as damaged (TornTailTest).
     */
    private static boolean trimTornFrame(File segment) {
        org.slf4j.LoggerFactory.getLogger(ArchiveCheck.class).warn("event=archive_torn_frame_trimmed file={} cause=\"killed while"
                + " the archive wrote its last frame\" action=\"the recording ends before that frame, which was never committed\"", segment);
        return true;
    }

    /**
     * What Aeron's verification prints for a segment file it cannot read a first frame header from. When the file is
     * empty and its recording was open at the kill, nothing was ever written there: the archive creates a segment file
     * and sizes it in two steps (a new snapshot's first file, the log's next segment), and a kill -9 between them leaves
     * it empty. KillNineTest met it once (a snapshot's recording), and the member was refused as damaged.
     */
    private static final java.util.regex.Pattern UNSIZED_SEGMENT =
            java.util.regex.Pattern.compile("^\\(recordingId=(\\d+), file=(.+)\\) ERR: failed to read fragment header$");

    /**
     * The start position the catalog holds for {@code recordingId} in {@code archive}, or -1 when it is not there or the
     * catalog cannot be read. The segment files before it are not part of the recording (a trim detached them, {@link LogTrim}),
     * even when a kill left them on disk. Read with the member stopped.
     */
    static long startPosition(File archive, long recordingId) {
        long[] start = {-1};
        if (!new File(archive, "archive.catalog").exists()) return -1;
        try (AutoCloseable catalog = (AutoCloseable) OPEN_CATALOG.invoke(null, archive, SystemEpochClock.INSTANCE, 32L, new FrameChecksum(), null)) {
            forEachEntry(catalog, "start position finder", args -> {
                var d = (io.aeron.archive.codecs.RecordingDescriptorDecoder) args[4];
                if (d.recordingId() == recordingId) start[0] = d.startPosition();
            });
        } catch (Exception e) {
            return -1;
        }
        return start[0];
    }

    /** The recordings the catalog holds open (no stop position): those being recorded when the member stopped or was killed. */
    private static java.util.Set<Long> openRecordings(File archive) {
        java.util.Set<Long> open = new java.util.TreeSet<>();
        try (AutoCloseable catalog = (AutoCloseable) OPEN_CATALOG.invoke(null, archive, SystemEpochClock.INSTANCE, 32L, new FrameChecksum(), null)) {
            forEachEntry(catalog, "open recording finder", args -> {
                var d = (io.aeron.archive.codecs.RecordingDescriptorDecoder) args[4];
                if (d.stopPosition() == io.aeron.archive.client.AeronArchive.NULL_POSITION) open.add(d.recordingId());
            });
        } catch (Exception e) {
            // the tool reads the catalog next and reports what is wrong with it
        }
        return open;
    }

    /**
     * What Aeron's verification prints (1.47.7 and 1.51.0 alike: its stop-offset recovery is unchanged) when it misreads, not what it finds: its stop-offset recovery
     * ({@code Catalog.recoverStopOffset}) reads a recording's last segment in 1 MiB chunks, and when the last frame
     * crosses a chunk's end it locates that frame in the next chunk at a negative offset, and its page-straddle check
     * throws (an index below 0 in its buffer). It then marks a sound recording INVALID. Seen after kill -9 in
     * KillNineTest: the log's last frame across 1 MiB, the member refused as damaged.
     */
    private static final java.util.regex.Pattern TOOL_MISREAD =
            java.util.regex.Pattern.compile("^\\(recordingId=(\\d+)\\) ERR: (?:index=-\\d+ length=\\d+ capacity=\\d+"
                    // the same misread as Agrona 2.4's bounds check words it (Aeron 1.51.0)
                    + "|Range \\[-\\d+, -\\d+ \\+ \\d+\\) out of bounds for length \\d+)$");

    /**
     * For each recording the tool misread or found an unsized segment in: every frame of every segment read back as the
     * tool would (header at its place, CRC-32C of each data frame), the segments contiguous and each but the last full,
     * an empty file only as the last segment of a recording {@code open} at the kill, the stop position recovered from
     * the last segment, and the catalog entry the tool marked INVALID restored (VALID, that stop position). Returns what
     * is wrong, empty when all is sound.
     */
    private static List<String> checkMisread(File archive, java.util.Set<Long> recordings, java.util.Set<Long> open) {
        List<String> found = new java.util.ArrayList<>();
        try (AutoCloseable catalog = (AutoCloseable) OPEN_CATALOG.invoke(null, archive, SystemEpochClock.INSTANCE, 32L, new FrameChecksum(), null)) {
            forEachEntry(catalog, "catalog entry restorer", args -> {
                var header = (io.aeron.archive.codecs.RecordingDescriptorHeaderEncoder) args[1];
                var descriptor = (io.aeron.archive.codecs.RecordingDescriptorEncoder) args[3];
                var d = (io.aeron.archive.codecs.RecordingDescriptorDecoder) args[4];
                if (recordings.contains(d.recordingId())) {
                    long stop = walk(archive, d, open.contains(d.recordingId()), found);
                    if (stop >= 0) {
                        if (d.stopPosition() != stop) descriptor.stopPosition(stop);
                        header.state(io.aeron.archive.codecs.RecordingState.VALID);
                    }
                }
            });
        } catch (Exception e) {
            found.add("the archive catalog cannot be checked again: " + e);
        }
        return found;
    }

    /** Walks every segment of recording {@code d}; returns its stop position, or -1 after adding what is wrong to {@code found}. */
    private static long walk(File archive, io.aeron.archive.codecs.RecordingDescriptorDecoder d, boolean open, List<String> found)
            throws java.io.IOException {
        SegmentWalk.Layout r = SegmentWalk.Layout.of(d);
        File[] files = r.segments(archive);
        if (files.length == 0) return d.startPosition();
        SegmentWalk frames = new SegmentWalk();
        long stop = d.startPosition();
        long expectedBase = r.firstSegmentBase(); // the archive names segments from the start's term base, a segment length apart
        for (int i = 0; i < files.length; i++) {
            File f = files[i];
            boolean last = i == files.length - 1;
            long base = SegmentWalk.base(f.getName());
            if (base != expectedBase) {
                found.add("(recordingId=" + r.id() + ") the segment file starting at position " + expectedBase + " is missing");
                return -1;
            }
            expectedBase += r.segmentLength();
            if (f.length() == 0) {
                if (!(last && open)) {
                    found.add("(recordingId=" + r.id() + ", file=" + f + ") is empty" + (last ? " and its recording was closed" : " and later segments follow it"));
                    return -1;
                }
                // the step the kill interrupted: the archive sizes each new segment file (zeros, no frame yet)
                try (java.io.RandomAccessFile sized = new java.io.RandomAccessFile(f, "rw")) {
                    sized.setLength(r.segmentLength());
                }
                return base + (base == r.firstSegmentBase() ? r.startTermOffset() : 0);
            }
            long offset = frames.walk(f, r, base, found);
            if (offset < 0) return -1;
            if (!last && offset != r.segmentLength()) {
                found.add("(recordingId=" + r.id() + ", file=" + f + ") ends at " + offset + " with later segments following it");
                return -1;
            }
            stop = base + offset;
        }
        return stop;
    }

    /**
     * Recomputes every catalog entry's checksum after a verification that passed. The archive tool
     * writes the stop position it recovers for a recording that was open when the member was killed
     * (a snapshot being recorded, the log) into that entry, but not the entry's checksum. An entry
     * the archive never touches again (an unfinished snapshot) then kept a stale checksum, and the
     * next check after another kill called a healthy member damaged (exit 70, wipe). Every entry
     * was verified just now, its checksum included, so resealing blesses only the tool's own repairs.
     */
    private static void resealDescriptors(File archive) {
        try (AutoCloseable catalog = (AutoCloseable) OPEN_CATALOG.invoke(null, archive, SystemEpochClock.INSTANCE, 32L, new FrameChecksum(), null)) {
            forEachEntry(catalog, "catalog entry resealer", args -> UPDATE_CHECKSUM.invoke(catalog, args[0]));
        } catch (Exception e) {
            throw new IllegalStateException("cannot update the archive catalog's checksums in " + archive + ": " + e, e);
        }
    }

    /** What {@link #forEachEntry} does with one catalog entry: Aeron's {@code CatalogEntryProcessor.accept} arguments. */
    @FunctionalInterface
    private interface EntryVisitor {
        void accept(Object[] args) throws Exception;
    }

    /** Visits every entry of an open catalog through Aeron's package-private {@code Catalog.forEach}. */
    private static void forEachEntry(Object catalog, String name, EntryVisitor visitor) throws Exception {
        Object processor = java.lang.reflect.Proxy.newProxyInstance(ENTRY_PROCESSOR.getClassLoader(), new Class<?>[] {ENTRY_PROCESSOR},
                (proxy, method, args) -> switch (method.getName()) {
                    case "accept" -> {
                        visitor.accept(args);
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> name;
                });
        FOR_EACH.invoke(catalog, processor);
    }

    private static DamagedArchiveException damaged(Path memberDir, int memberId, List<String> errors) {
        return new DamagedArchiveException("member " + memberId + "'s recorded log in " + memberDir.resolve("archive")
                + " is damaged: " + String.join("; ", errors)
                + ". Nothing was started. Delete this member's directory (" + memberDir + ") and start it again with the same options:"
                + " it rejoins empty and receives the log from the other members (they hold the same log). If every member"
                + " reports this, restore from L1 instead (docs/replication.md, \"If every member loses its disk\").");
    }
}
