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

    /** Verifies {@code memberDir/archive} if there is one; throws {@link DamagedArchiveException} if anything in it is damaged. */
    public static void verify(Path memberDir, int memberId) {
        File archive = memberDir.resolve("archive").toFile();
        if (!new File(archive, "archive.catalog").exists()) return; // a fresh member: nothing to check
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        boolean ok;
        try (PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8)) {
            ok = (Boolean) VERIFY.invoke(null, out, archive, EnumSet.of(ArchiveTool.VerifyOption.VERIFY_ALL_SEGMENT_FILES,
                    ArchiveTool.VerifyOption.APPLY_CHECKSUM), new FrameChecksum(), SystemEpochClock.INSTANCE,
                    (ArchiveTool.ActionConfirmation<File>) file -> false);
        } catch (InvocationTargetException e) {
            throw damaged(memberDir, memberId, List.of("the archive catalog cannot be read: " + e.getCause()));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot run Aeron's archive verification: " + e.getMessage(), e);
        }
        if (ok) {
            resealDescriptors(archive);
            return;
        }
        List<String> errors = report.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("ERR")).toList();
        java.util.Set<Long> misread = new java.util.TreeSet<>();
        for (String e : errors) {
            java.util.regex.Matcher m = TOOL_MISREAD.matcher(e);
            if (!m.find()) throw damaged(memberDir, memberId, errors);
            misread.add(Long.parseLong(m.group(1)));
        }
        if (misread.isEmpty()) throw damaged(memberDir, memberId, List.of("the archive tool reported a problem without details"));
        List<String> found = checkMisread(archive, misread);
        if (!found.isEmpty()) throw damaged(memberDir, memberId, found);
        resealDescriptors(archive);
        org.slf4j.LoggerFactory.getLogger(ArchiveCheck.class).warn("event=archive_tool_misread recordings={} action=\"verified by our own walk of"
                + " every frame and checksum, catalog entries restored\"", misread);
    }

    /**
     * What Aeron 1.47.7's verification prints when it misreads, not what it finds: its stop-offset recovery
     * ({@code Catalog.recoverStopOffset}) reads a recording's last segment in 1 MiB chunks, and when the last frame
     * crosses a chunk's end it locates that frame in the next chunk at a negative offset, and its page-straddle check
     * throws (an index below 0 in its buffer). It then marks a sound recording INVALID. Seen after kill -9 in
     * KillNineTest: the log's last frame across 1 MiB, the member refused as damaged.
     */
    private static final java.util.regex.Pattern TOOL_MISREAD =
            java.util.regex.Pattern.compile("^\\(recordingId=(\\d+)\\) ERR: index=-\\d+ length=\\d+ capacity=\\d+$");

    /**
     * For each recording the tool misread: every frame of every segment read back as the tool would (header at its
     * place, CRC-32C of each data frame), the stop position recovered from the last segment, and the catalog entry
     * the tool marked INVALID restored (VALID, that stop position). Returns what is wrong, empty when all is sound.
     */
    private static List<String> checkMisread(File archive, java.util.Set<Long> recordings) {
        List<String> found = new java.util.ArrayList<>();
        try (AutoCloseable catalog = (AutoCloseable) OPEN_CATALOG.invoke(null, archive, SystemEpochClock.INSTANCE, 32L, new FrameChecksum(), null)) {
            Object restore = java.lang.reflect.Proxy.newProxyInstance(ENTRY_PROCESSOR.getClassLoader(), new Class<?>[] {ENTRY_PROCESSOR},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "accept" -> {
                            var header = (io.aeron.archive.codecs.RecordingDescriptorHeaderEncoder) args[1];
                            var descriptor = (io.aeron.archive.codecs.RecordingDescriptorEncoder) args[3];
                            var d = (io.aeron.archive.codecs.RecordingDescriptorDecoder) args[4];
                            if (recordings.contains(d.recordingId())) {
                                long stop = walk(archive, d, found);
                                if (stop >= 0) {
                                    if (d.stopPosition() != stop) descriptor.stopPosition(stop);
                                    header.state(io.aeron.archive.codecs.RecordingState.VALID);
                                }
                            }
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "catalog entry restorer";
                    });
            FOR_EACH.invoke(catalog, restore);
        } catch (Exception e) {
            found.add("the archive catalog cannot be checked again: " + e);
        }
        return found;
    }

    /** Walks every segment of recording {@code d}; returns its stop position, or -1 after adding what is wrong to {@code found}. */
    private static long walk(File archive, io.aeron.archive.codecs.RecordingDescriptorDecoder d, List<String> found) throws java.io.IOException {
        long id = d.recordingId();
        int termLength = d.termBufferLength();
        int segmentLength = d.segmentFileLength();
        long startTermOffset = d.startPosition() & (termLength - 1);
        long startTermBase = d.startPosition() - startTermOffset;
        File[] files = archive.listFiles((dir, name) -> name.startsWith(id + "-") && name.endsWith(".rec"));
        if (files == null || files.length == 0) return d.startPosition();
        java.util.Arrays.sort(files, java.util.Comparator.comparingLong(f -> segmentBase(f.getName())));
        FrameChecksum crc = new FrameChecksum();
        long stop = d.startPosition();
        for (File f : files) {
            long base = segmentBase(f.getName());
            long offset = base == startTermBase ? startTermOffset : 0;
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f.toPath(), java.nio.file.StandardOpenOption.READ)) {
                long limit = Math.min(segmentLength, ch.size());
                // a data frame is at most one MTU (64 KiB); padding frames are skipped unread
                java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocateDirect(65_536 + 32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                long address = new org.agrona.concurrent.UnsafeBuffer(frame).addressOffset();
                while (offset < limit) {
                    frame.clear().limit(32);
                    if (ch.read(frame, offset) != 32) {
                        found.add("(recordingId=" + id + ", file=" + f + ") a frame header at " + offset + " cannot be read whole");
                        return -1;
                    }
                    int length = frame.getInt(0);
                    if (length == 0) break;
                    long position = base + offset;
                    int expectedTermOffset = (int) (position & (termLength - 1));
                    int expectedTermId = d.initialTermId() + (int) (position / termLength);
                    int aligned = (length + 31) & ~31;
                    if (length < 32 || aligned > termLength || frame.getInt(8) != expectedTermOffset || frame.getInt(20) != expectedTermId
                            || frame.getInt(16) != d.streamId()) {
                        found.add("(recordingId=" + id + ", file=" + f + ") the frame at " + offset + " is not where it says it is");
                        return -1;
                    }
                    if (frame.getShort(6) == 1) { // a data frame: its payload against the CRC-32C recorded in its session-id field
                        int recorded = frame.getInt(12);
                        if (aligned > frame.capacity()) {
                            found.add("(recordingId=" + id + ", file=" + f + ") the data frame at " + offset + " claims " + length + " bytes");
                            return -1;
                        }
                        frame.clear().limit(aligned);
                        if (ch.read(frame, offset) != aligned) {
                            found.add("(recordingId=" + id + ", file=" + f + ") the frame at " + offset + " is cut short");
                            return -1;
                        }
                        if (crc.compute(address, 32, aligned - 32) != recorded) {
                            found.add("(recordingId=" + id + ", file=" + f + ") the frame at " + offset + " fails its checksum");
                            return -1;
                        }
                    }
                    offset += aligned;
                }
            }
            stop = base + offset;
        }
        return stop;
    }

    private static long segmentBase(String name) {
        return Long.parseLong(name.substring(name.indexOf('-') + 1, name.length() - ".rec".length()));
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
            Object reseal = java.lang.reflect.Proxy.newProxyInstance(ENTRY_PROCESSOR.getClassLoader(), new Class<?>[] {ENTRY_PROCESSOR},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "accept" -> UPDATE_CHECKSUM.invoke(catalog, args[0]);
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "catalog entry resealer";
                    });
            FOR_EACH.invoke(catalog, reseal);
        } catch (Exception e) {
            throw new IllegalStateException("cannot update the archive catalog's checksums in " + archive + ": " + e, e);
        }
    }

    private static DamagedArchiveException damaged(Path memberDir, int memberId, List<String> errors) {
        return new DamagedArchiveException("member " + memberId + "'s recorded log in " + memberDir.resolve("archive")
                + " is damaged: " + String.join("; ", errors)
                + ". Nothing was started. Delete this member's directory (" + memberDir + ") and start it again with the same options:"
                + " it rejoins empty and receives the log from the other members (they hold the same log). If every member"
                + " reports this, restore from L1 instead (docs/replication.md, \"If every member loses its disk\").");
    }
}
