package dev.clearline.sequencer.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The cluster secret of tests whose members share one JVM, and a file holding it for the command line's {@code --cluster-secret-file}. */
public final class TestSecrets {
    public static final ClusterSecret SECRET = ClusterSecret.parse("c1".repeat(ClusterSecret.BYTES));

    private TestSecrets() {
    }

    /** A new file holding {@link #SECRET}, removed when the JVM exits. */
    public static Path file() {
        try {
            Path dir = Files.createTempDirectory("clearline-secret");
            Path f = dir.resolve("cluster.secret");
            SECRET.writeTo(f);
            f.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
