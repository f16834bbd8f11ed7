package dev.clearline.sequencer.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own tool, where it is installed (Debian's {@code prometheus} package; CI installs it): the judge of the
 * exposition our endpoints write and of the operator's rules. Tests skip what needs it, with a message, when it is not.
 */
public final class Promtool {
    /** What promtool printed and how it exited. */
    public record Result(int exitCode, String output) {}

    private final Path binary;

    private Promtool(Path binary) {
        this.binary = binary;
    }

    /** promtool on the PATH, or null. */
    public static Promtool find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) return new Promtool(p);
        }
        return null;
    }

    /** Runs promtool in {@code dir} with {@code args}, {@code stdin} written to it (or nothing). */
    public Result run(Path dir, String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("promtool " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out);
    }

    /**
     * promtool's lint of an exposition ({@code check metrics}): the format, and its naming rules (a counter's
     * {@code _total}, base units). What it reports, empty when nothing; null when promtool is not installed.
     */
    public static String lint(String exposition) throws IOException, InterruptedException {
        Promtool promtool = find();
        if (promtool == null) return null;
        Result r = promtool.run(Path.of("."), exposition, "check", "metrics");
        return r.exitCode() == 0 && r.output().isBlank() ? "" : "exit " + r.exitCode() + ": " + r.output();
    }
}
