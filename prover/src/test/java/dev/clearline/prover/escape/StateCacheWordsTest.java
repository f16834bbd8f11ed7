package dev.clearline.prover.escape;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state cache that cannot be made is explained in words, not with a java.nio exception's class name. */
class StateCacheWordsTest {
    @TempDir
    Path tmp;

    @Test
    void aFileInTheWay_isNamedAsOne() throws IOException {
        Path file = Files.writeString(tmp.resolve("cache"), "not a directory");
        IOException e = null;
        try {
            Files.createDirectories(file.resolve("31337-0xabc"));
        } catch (IOException thrown) {
            e = thrown;
        }
        assertThat(e).as("the file system refused").isNotNull();
        assertThat(FinalizedState.whyNot(e)).contains(file.toString()).doesNotContain("java.nio", "Exception");
    }

    @Test
    void eachKindOfRefusal_hasItsWords() {
        assertThat(FinalizedState.whyNot(new FileAlreadyExistsException("/x/cache"))).isEqualTo("/x/cache is a file, not a directory");
        assertThat(FinalizedState.whyNot(new AccessDeniedException("/root/c"))).isEqualTo("no permission to write in /root/c");
        assertThat(FinalizedState.whyNot(new NoSuchFileException("/proc/nope"))).startsWith("/proc/nope cannot be made here");
        assertThat(FinalizedState.whyNot(new IOException("disk full"))).isEqualTo("disk full");
        assertThat(FinalizedState.whyNot(new java.nio.file.FileSystemException("/x/cache", null, "Not a directory")))
                .isEqualTo("/x/cache: Not a directory");
        assertThat(FinalizedState.whyNot(new java.nio.file.FileSystemException("/x/cache"))).as("no reason given").isEqualTo("/x/cache");
    }
}
