package dev.clearline.devnet.deploy;

import java.nio.file.Path;

/**
 * A deployment manifest that cannot be used: unreadable, not JSON, or JSON of another shape. The
 * message names the file and the problem and says what to do; it is meant for the user as is.
 */
public final class InvalidManifestException extends RuntimeException {
    private final Path file;

    InvalidManifestException(Path file, String problem, Throwable cause) {
        super("the deployment manifest " + file + " " + problem + "; give the right --manifest, or fix it (./clearline deploy --fresh deploys again and replaces it)",
                cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
