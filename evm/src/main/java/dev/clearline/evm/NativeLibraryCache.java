package dev.clearline.evm;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.jar.JarEntry;

/**
 * Keeps libevm's native library (37 MB, 18 MB compressed in its jar) extracted in a per-user
 * cache directory and points JNA at it. Left to itself, JNA inflates and writes the library to a
 * temporary file on every start and deletes it on exit: a tenth to a few tenths of a second of
 * every devnet start, spent before the first request can be answered.
 *
 * <p>The copy is named after the jar entry's CRC and size, so another libevm build gets its own
 * copy; it is written to a temporary name and moved into place, so a concurrent start never sees
 * a partial file. Whatever fails here only means JNA extracts the library itself, as before.
 */
final class NativeLibraryCache {
    /** Where JNA looks for a library before extracting one from the classpath. */
    private static final String JNA_PATH = "jna.library.path";

    private NativeLibraryCache() {}

    /**
     * Points JNA at a cached copy of {@code lib<name>.so} (or the platform's equivalent), extracting
     * it once, unless {@code jna.library.path} is already set. Returns the directory used, if any.
     */
    static Optional<Path> use(String name, Path cacheRoot) {
        if (System.getProperty(JNA_PATH) != null) return Optional.empty();
        Optional<Path> dir = extracted(name, cacheRoot);
        dir.ifPresent(d -> System.setProperty(JNA_PATH, d.toString()));
        return dir;
    }

    /** The cache directory holding an up-to-date copy of the library, extracting it if needed; empty if that failed. */
    static Optional<Path> extracted(String name, Path cacheRoot) {
        try {
            String file = System.mapLibraryName(name);
            URL url = NativeLibraryCache.class.getClassLoader().getResource(com.sun.jna.Platform.RESOURCE_PREFIX + "/" + file);
            if (url == null) return Optional.empty();
            URLConnection connection = url.openConnection();
            if (!(connection instanceof JarURLConnection jar)) return Optional.empty();
            JarEntry entry = jar.getJarEntry();
            if (entry == null || entry.getSize() <= 0) return Optional.empty();
            Path dir = cacheRoot.resolve(name + "-" + Long.toHexString(entry.getCrc()) + "-" + entry.getSize());
            Path target = dir.resolve(file);
            if (!Files.exists(target) || Files.size(target) != entry.getSize()) {
                Files.createDirectories(dir);
                Path partial = Files.createTempFile(dir, file, ".partial");
                try (InputStream in = connection.getInputStream()) {
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(partial);
                }
            }
            return Optional.of(dir);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code $XDG_CACHE_HOME/clearline} or {@code ~/.cache/clearline}. */
    static Path defaultRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("clearline");
    }
}
