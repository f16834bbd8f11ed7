package dev.clearline.evm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryCacheTest {
    @TempDir
    Path cache;

    @Test
    void libevmIsExtractedOnceAndThenReused() throws Exception {
        Path dir = NativeLibraryCache.extracted("evm", cache).orElseThrow();
        Path lib = dir.resolve(System.mapLibraryName("evm"));
        assertThat(lib).isRegularFile();
        assertThat(Files.size(lib)).isGreaterThan(1_000_000L);
        FileTime written = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(lib, written);

        assertThat(NativeLibraryCache.extracted("evm", cache)).contains(dir);
        assertThat(Files.getLastModifiedTime(lib)).as("not written again").isEqualTo(written);
        try (var files = Files.list(dir)) {
            assertThat(files).as("no partial copies left").containsExactly(lib);
        }
    }

    @Test
    void aLibraryThatIsNotOnTheClasspathIsLeftToJna() {
        assertThat(NativeLibraryCache.extracted("no-such-library", cache)).isEmpty();
    }
}
