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
        throw damaged(memberDir, memberId, errors.isEmpty() ? List.of("the archive tool reported a problem without details") : errors);
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
