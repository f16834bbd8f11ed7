package dev.clearline.engine.bench.exchange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Writes bench-results/engine.md and engine.json: one row per measured figure. */
public final class Report {
    public record Row(String benchmark, String metric, double value, String unit, String goal, String notes) {}

    private Report() {}

    public static void write(List<Row> rows, String command) throws IOException {
        write(rows, command, "engine", "engine: exchange (matching + risk), STF, signatures");
    }

    /** Writes bench-results/{@code stem}.md and .json. */
    public static void write(List<Row> rows, String command, String stem, String title) throws IOException {
        Path dir = root().resolve("bench-results");
        Files.createDirectories(dir);
        String jdk = System.getProperty("java.vm.name") + " " + Runtime.version();
        int cores = machineCores();
        String date = Instant.now().toString();
        StringBuilder md = new StringBuilder("# " + title + "\n\n");
        md.append("Machine: ").append(cores).append(" cores, ").append(jdk).append(", ").append(date)
                .append(". Command: `").append(command.strip()).append("`. The order book alone is in engine-book.md.\n\n")
                .append("| benchmark | metric | value | unit | goal | notes |\n| --- | --- | ---: | --- | --- | --- |\n");
        StringBuilder json = new StringBuilder("{\n  \"cores\": " + cores + ",\n  \"jdk\": \"" + jdk + "\",\n  \"date\": \""
                + date + "\",\n  \"command\": \"" + command.strip() + "\",\n  \"results\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            md.append("| ").append(r.benchmark()).append(" | ").append(r.metric()).append(" | ")
                    .append(String.format(Locale.ROOT, "%,.1f", r.value())).append(" | ").append(r.unit()).append(" | ")
                    .append(r.goal()).append(" | ").append(r.notes()).append(" |\n");
            json.append(String.format(Locale.ROOT, "    {\"benchmark\": \"%s\", \"metric\": \"%s\", \"value\": %.3f, \"unit\": \"%s\", \"goal\": \"%s\", \"notes\": \"%s\"}%s%n",
                    r.benchmark(), r.metric(), r.value(), r.unit(), r.goal(), r.notes().replace("\"", "'"), i + 1 < rows.size() ? "," : ""));
        }
        json.append("  ]\n}\n");
        Files.writeString(dir.resolve(stem + ".md"), md.toString());
        Files.writeString(dir.resolve(stem + ".json"), json.toString());
        System.out.println(md);
    }

    /**
     * The machine's CPUs from /proc/cpuinfo: {@code availableProcessors()} counts only the calling
     * thread's affinity, which is one CPU once a benchmark has pinned its matcher thread.
     */
    static int machineCores() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            int n = (int) lines.filter(l -> l.startsWith("processor")).count();
            if (n > 0) return n;
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return Runtime.getRuntime().availableProcessors();
    }

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) if (Files.exists(q.resolve("mvnw"))) return q;
        return p;
    }
}
