package dev.clearline.sequencer.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JVM flags a sequencer member runs with, from {@code member-jvm.options} next to this class:
 * one place for what the {@code clearline} script, the cluster bench and the replication tests
 * start a member with (docs/replication.md says why each flag is there and what it measured).
 */
public final class MemberJvm {
    private MemberJvm() {}

    /** The flags, in file order, comments and blank lines left out. */
    public static List<String> flags() {
        try (InputStream in = MemberJvm.class.getResourceAsStream("member-jvm.options")) {
            if (in == null) throw new IllegalStateException("member-jvm.options is missing from the sequencer jar; rebuild it");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> parse(String text) {
        return text.lines().map(l -> l.replaceFirst("#.*", "").strip()).filter(l -> !l.isEmpty())
                .flatMap(l -> java.util.Arrays.stream(l.split("\\s+"))).toList();
    }
}
