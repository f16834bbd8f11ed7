import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Turns PIT's mutations.xml files under bench-results/mutation/<module>/ into one markdown summary
 * per package (mutants, killed, score) with every survivor listed beside its reason. Reasons come
 * from bench-results/mutation/equivalent-mutants.tsv (class, method or method:line, a piece of
 * PIT's description, reason), written by a person who looked at the mutant; a survivor without one
 * is marked UNEXPLAINED, which is a to-do: kill it with a test or explain why it is equivalent.
 * Reasons that match no survivor any more are listed too, so the file does not go stale.
 *
 * <p>Run: java scripts/MutationSummary.java bench-results/mutation "command line" seconds [idle-share cpu-seconds
 * [modules output]]: with {@code modules} (comma-separated) only those modules' reports are read, and the summary is
 * written to {@code output} in that directory (README.md without them), so a campaign over one module leaves the
 * others' summaries alone.
 */
public class MutationSummary {
    record Mutant(String pkg, String cls, String method, int line, String mutator, String description, String status,
                  boolean detected) {}

    /** {@code line} 0 matches any line of the method. */
    record Reason(String cls, String method, int line, String descriptionPart, String reason) {
        boolean matches(Mutant m) {
            return cls.equals(m.cls()) && method.equals(m.method()) && (line == 0 || line == m.line())
                    && m.description().contains(descriptionPart);
        }
    }

    /** The goal of docs (README "Testing") and of issue 8, per package. */
    static final double GOAL = 90.0;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench-results/mutation");
        String command = args.length > 1 ? args[1] : "./clearline mutation";
        String seconds = args.length > 2 ? args[2] : "?";
        String idle = args.length > 3 ? args[3] : null;
        String cpuSeconds = args.length > 4 ? args[4] : null;
        List<String> only = args.length > 5 ? List.of(args[5].split(",")) : null;
        String output = args.length > 6 ? args[6] : "README.md";
        List<Reason> reasons = reasons(dir.resolve("equivalent-mutants.tsv"));
        Map<String, List<Mutant>> byPackage = new TreeMap<>();
        StringBuilder reports = new StringBuilder();
        try (var modules = Files.list(dir)) {
            for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
                if (only != null && !only.contains(module.getFileName().toString())) continue;
                Path xml = module.resolve("mutations.xml");
                if (!Files.exists(xml)) continue;
                reports.append("- `").append(module.getFileName()).append("`: report of ")
                        .append(Files.getLastModifiedTime(xml).toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                        .append(" (").append(module.getFileName()).append("/index.html)\n");
                for (Mutant m : parse(xml)) byPackage.computeIfAbsent(m.pkg(), k -> new ArrayList<>()).add(m);
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# Mutation testing (PIT)\n\n")
                .append("- date: ").append(Instant.now()).append('\n')
                .append("- command: `").append(command).append("`\n")
                .append("- wall time of the PIT run: ").append(seconds).append(" s, 2 PIT threads")
                .append(idle == null ? "" : ", machine idle " + idle + " % during the run")
                .append(cpuSeconds == null ? "" : ", " + cpuSeconds + " CPU-seconds (user + system, Maven and its minions)")
                .append("\n")
                .append("- score = killed (timed out included) / mutants, non-viable mutants left out; goal >= ")
                .append(String.format("%.0f", GOAL)).append(" % per package\n")
                .append("- a mutant \"timed out\" when its tests ran past PIT's limit (8 s + 1.25 x normal); on a loaded")
                .append(" machine a few of those are slow tests rather than infinite loops, so that column is shown apart\n")
                .append(reports).append('\n')
                .append("| package | mutants | killed | of which timed out | no coverage | survived | score | score, timeouts as survivors | goal |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        int allMutants = 0;
        int allKilled = 0;
        for (var e : byPackage.entrySet()) {
            List<Mutant> ms = e.getValue();
            long killed = ms.stream().filter(Mutant::detected).count();
            long noCoverage = ms.stream().filter(m -> m.status().equals("NO_COVERAGE")).count();
            long survived = ms.stream().filter(m -> m.status().equals("SURVIVED")).count();
            long timedOut = ms.stream().filter(m -> m.status().equals("TIMED_OUT")).count();
            allMutants += ms.size();
            allKilled += (int) killed;
            double score = 100.0 * killed / Math.max(1, ms.size());
            md.append("| `").append(e.getKey()).append("` | ").append(ms.size()).append(" | ").append(killed).append(" | ")
                    .append(timedOut).append(" | ").append(noCoverage).append(" | ").append(survived).append(" | ")
                    .append(String.format("%.1f %%", score)).append(" | ")
                    .append(String.format("%.1f %%", 100.0 * (killed - timedOut) / Math.max(1, ms.size()))).append(" | ")
                    .append(score >= GOAL ? "met" : "**below**").append(" |\n");
        }
        if (!PARTIAL.isEmpty()) {
            md.insert(md.indexOf("| package |"), "**Partial run:** PIT was stopped before it finished in " + PARTIAL
                    + "; those figures cover only the mutants processed so far.\n\n");
        }
        md.append("| **all** | ").append(allMutants).append(" | ").append(allKilled).append(" | | | | ")
                .append(String.format("**%.1f %%**", 100.0 * allKilled / Math.max(1, allMutants))).append(" | | |\n\n");
        int unexplained = 0;
        List<Reason> used = new ArrayList<>();
        for (var e : byPackage.entrySet()) {
            List<Mutant> left = e.getValue().stream().filter(m -> !m.detected()).toList();
            if (left.isEmpty()) continue;
            md.append("## Survivors in `").append(e.getKey()).append("`\n\n");
            for (Mutant m : left) {
                Reason reason = reasons.stream().filter(r -> r.matches(m)).findFirst().orElse(null);
                String why = reason == null ? null : reason.reason();
                if (why == null) unexplained++;
                else used.add(reason);
                md.append("- `").append(m.cls()).append('.').append(m.method()).append("` line ").append(m.line())
                        .append(", ").append(m.description()).append(" (").append(m.status().toLowerCase()).append("): ")
                        .append(why == null ? "UNEXPLAINED" : why).append('\n');
            }
            md.append('\n');
        }
        for (var e : byPackage.entrySet()) {
            List<Mutant> slow = e.getValue().stream().filter(m -> m.status().equals("TIMED_OUT")).toList();
            if (slow.isEmpty()) continue;
            md.append("## Timed out in `").append(e.getKey()).append("` (counted as killed by PIT)\n\n");
            for (Mutant m : slow) {
                Reason reason = reasons.stream().filter(r -> r.matches(m)).findFirst().orElse(null);
                if (reason != null) used.add(reason);
                md.append("- `").append(m.cls()).append('.').append(m.method()).append("` line ").append(m.line())
                        .append(", ").append(m.description())
                        .append(reason == null ? "" : ": " + reason.reason()
                                + (reason.reason().startsWith("equivalent") || reason.reason().startsWith("unreachable")
                                        ? " (so a slow run, not a kill)" : ""))
                        .append('\n');
            }
            md.append('\n');
        }
        md.append("Unexplained survivors: ").append(unexplained).append(".\n");
        // only reasons about classes this run mutated: another module's reasons are not stale because it was not run
        java.util.Set<String> mutated = new java.util.HashSet<>();
        byPackage.values().forEach(ms -> ms.forEach(m -> mutated.add(m.cls())));
        List<Reason> stale = reasons.stream().filter(r -> !used.contains(r) && mutated.contains(r.cls())).toList();
        if (!stale.isEmpty()) {
            md.append("\nReasons in equivalent-mutants.tsv that match no survivor of this run (a test kills the mutant now,")
                    .append(" the code moved, or the package was not run):\n\n");
            for (Reason r : stale) {
                md.append("- `").append(r.cls()).append('.').append(r.method()).append(r.line() == 0 ? "" : ":" + r.line())
                        .append("` ").append(r.descriptionPart()).append('\n');
            }
        }
        Files.writeString(dir.resolve(output), md);
        System.out.print(md);
    }

    /** Modules whose PIT run was stopped before it finished: their figures cover only part of the mutants. */
    private static final List<String> PARTIAL = new ArrayList<>();

    private static List<Mutant> parse(Path xml) throws Exception {
        String text = Files.readString(xml);
        if (!text.strip().endsWith("</mutations>")) {
            // PIT streams results; a stopped run leaves the file cut mid-way: keep the complete entries.
            int last = text.lastIndexOf("</mutation>");
            text = (last < 0 ? "<mutations>" : text.substring(0, last + "</mutation>".length())) + "</mutations>";
            PARTIAL.add(xml.getParent().getFileName().toString());
        }
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        NodeList nodes = doc.getElementsByTagName("mutation");
        List<Mutant> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            String status = e.getAttribute("status");
            if (status.equals("NON_VIABLE")) continue;
            String fqcn = text(e, "mutatedClass");
            String outer = fqcn.contains("$") ? fqcn.substring(0, fqcn.indexOf('$')) : fqcn;
            String pkg = outer.substring(0, outer.lastIndexOf('.'));
            String mutator = text(e, "mutator");
            out.add(new Mutant(pkg, fqcn.substring(pkg.length() + 1), text(e, "mutatedMethod"),
                    Integer.parseInt(text(e, "lineNumber")), mutator.substring(mutator.lastIndexOf('.') + 1),
                    text(e, "description"), status, Boolean.parseBoolean(e.getAttribute("detected"))));
        }
        return out;
    }

    private static String text(Element e, String tag) {
        NodeList l = e.getElementsByTagName(tag);
        return l.getLength() == 0 ? "" : l.item(0).getTextContent().trim();
    }

    private static List<Reason> reasons(Path tsv) throws IOException {
        if (!Files.exists(tsv)) return List.of();
        List<Reason> out = new ArrayList<>();
        for (String line : Files.readAllLines(tsv)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", 4);
            if (f.length != 4) throw new IllegalArgumentException(tsv + ": want 4 tab-separated fields, got: " + line);
            int colon = f[1].indexOf(':');
            String method = colon < 0 ? f[1] : f[1].substring(0, colon);
            int at = colon < 0 ? 0 : Integer.parseInt(f[1].substring(colon + 1));
            out.add(new Reason(f[0], method, at, f[2], f[3]));
        }
        return out;
    }
}
