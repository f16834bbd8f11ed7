package dev.clearline.devnet.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The state roots known to be in the state database. A read at a past block starts from the nearest
 * of them at or before that block and re-executes the blocks after it.
 *
 * <p>With a data directory the set is also a file beside the chain, one root per line, so that a
 * reopened devnet still knows which past states it wrote. Without it a reopened node knew only the
 * root it opened at, and its first read at an earlier block had to find a written state by asking
 * libevm to open each block's root in turn, which libevm answers with an ERROR line per root it does
 * not hold. The file is not synced: a root it lost only costs that search, and a root it names that
 * the database lost is caught by opening it before use (see {@link DevnetNode}). A torn last line
 * (a kill mid-write) is skipped.
 */
final class WrittenStates {
    static final String FILE = "written-states.txt";
    private static final Pattern ROOT = Pattern.compile("0x[0-9a-f]{64}");

    private final Set<String> roots = new HashSet<>();
    private final Path file;

    private WrittenStates(Path file) {
        this.file = file;
    }

    /** Kept in memory only: the state database goes with the process. */
    static WrittenStates inMemory() {
        return new WrittenStates(null);
    }

    /** Kept in {@code dir}, with the roots an earlier run there recorded. */
    static WrittenStates inDirectory(Path dir) {
        WrittenStates states = new WrittenStates(dir.resolve(FILE));
        try {
            if (Files.exists(states.file)) {
                String text = Files.readString(states.file, StandardCharsets.UTF_8);
                for (String line : text.split("\n")) {
                    if (ROOT.matcher(line).matches()) states.roots.add(line);
                }
                // End a torn last line, so that the next root does not continue it.
                if (!text.isEmpty() && !text.endsWith("\n")) {
                    Files.writeString(states.file, "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + states.file + "; delete it (past-block reads will then search "
                    + "for written states) or the data directory", e);
        }
        return states;
    }

    boolean contains(String root) {
        return roots.contains(normal(root));
    }

    /** Records that the database holds {@code root}; appends it to the file the first time. */
    void add(String root) {
        String r = normal(root);
        if (!roots.add(r) || file == null) return;
        try {
            Files.writeString(file, r + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record a written state in " + file + " (is the disk full?)", e);
        }
    }

    private static String normal(String root) {
        return root.toLowerCase(Locale.ROOT);
    }
}
