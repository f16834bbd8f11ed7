package dev.clearline.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a deployment manifest will be written, checked before any transaction is sent. */
final class ManifestTarget {
    private ManifestTarget() {}

    /**
     * Fails with a {@link UserError} unless a manifest can be written at {@code file}: its
     * directory exists or can be created, and a file can be created in it (the manifest is
     * written beside itself and moved into place). Leaves nothing behind but the directories.
     */
    static void requireWritable(Path file) {
        String hint = "; pass --manifest with a path you can write to";
        if (Files.isDirectory(file)) {
            throw new UserError("the manifest path " + file + " is a directory" + hint);
        }
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, file.getFileName().toString(), ".probe");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new UserError("cannot write the manifest " + file + " (" + IoProblem.describe(e) + ")" + hint, e);
        }
    }
}
