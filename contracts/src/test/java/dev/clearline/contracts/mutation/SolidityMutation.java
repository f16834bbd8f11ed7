package dev.clearline.contracts.mutation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Mutation testing for the Solidity that holds or decides the money (PIT's counterpart for
 * Solidity), in two campaigns ({@link Campaign}): {@code contracts}, the L1 contracts
 * ({@code Rollup}, {@code DisputeGame} with its {@code Clock}, {@code EscapeHatch}) against the L1
 * contract tests; {@code stf}, the one-step verifier ({@code stf/*.sol}) against the Java/Solidity
 * differential tests of the conformance module; and {@code tree}, the proof library and state keys
 * against their Java twins there. Each mutant ({@link SolidityMutants}) is compiled with
 * the build's solc and settings, put in front of the built artifacts ({@link MutantArtifacts}) and run
 * against the campaign's test classes in the embedded EVM, stopping at the first class that fails. A
 * mutant no test notices survives; the report lists each survivor with its explanation from
 * {@code bench-results/mutation/solidity-survivors.tsv}, or UNEXPLAINED.
 *
 * <p>Run: {@code ./clearline mutation contracts|stf|tree [--files rollup/Rollup.sol,.. | --lines stf/Checks.sol:23,..]
 * [--limit N]}; writes {@code bench-results/mutation/<campaign>.md} (a run narrowed by {@code --files} or
 * {@code --lines} writes {@code <campaign>-partial.md}, so the full report stays).
 */
public final class SolidityMutation {
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Verdict { KILLED, SURVIVED, NOT_VIABLE }

    record Result(Mutant mutant, Verdict verdict, String by) {}

    /**
     * What one campaign mutates and what it runs against.
     *
     * @param units the top-level units the tests deploy: a mutated file is compiled into each of these that imports it
     * @param files the mutated files, relative to the source root; empty: every {@code .sol} file under {@code directory}
     * @param tests the test classes for a mutated file, in the order they run (the cheapest, or the mutated contract's own, first)
     */
    record Campaign(String name, String title, String against, List<String> units, List<String> files, String directory,
            Function<String, List<String>> tests) {
        List<String> files(Path root) throws IOException {
            if (!files.isEmpty()) return files;
            try (Stream<Path> list = Files.list(root.resolve(directory))) {
                return list.map(p -> directory + "/" + p.getFileName()).filter(f -> f.endsWith(".sol")).sorted().toList();
            }
        }
    }

    private static final String L1_TESTS = "dev.clearline.contracts.l1.";
    /** The L1 contract tests, the mutated contract's own first. */
    private static final Map<String, List<String>> L1_ORDER = Map.of(
            "rollup", List.of("RollupTest", "SequencerPriorityTest", "L1InvariantTest", "DisputeGameTest", "EscapeHatchTest"),
            "dispute", List.of("DisputeGameTest", "L1InvariantTest", "RollupTest", "SequencerPriorityTest", "EscapeHatchTest"),
            "escape", List.of("EscapeHatchTest", "L1InvariantTest", "RollupTest", "SequencerPriorityTest", "DisputeGameTest"));

    static final Campaign CONTRACTS = new Campaign("contracts", "the L1 contracts against the L1 contract tests",
            "`RollupTest`, `SequencerPriorityTest`, `DisputeGameTest`, `EscapeHatchTest` and `L1InvariantTest`",
            List.of("rollup/Rollup.sol", "dispute/DisputeGame.sol", "escape/EscapeHatch.sol"),
            List.of("rollup/Rollup.sol", "dispute/DisputeGame.sol", "dispute/Clock.sol", "escape/EscapeHatch.sol"), "",
            file -> L1_ORDER.get(file.substring(0, file.indexOf('/'))).stream().map(t -> L1_TESTS + t).toList());

    /**
     * The one-step verifier against the conformance module's tests: the kept vectors and bad input
     * first (cheap, and they kill most mutants), the real verifier's dispute on L1, then the
     * differential run of 10,000 random and adversarial transitions (about 10 s).
     */
    static final Campaign STF = new Campaign("stf", "the Solidity STF against the Java/Solidity differential tests",
            "`StepVectorsTest`, `StepBadInputTest`, `CounterAtMaximumTest`, `SignatureBoundsTest`, `RuleEdgesTest`, `StepVerifierDeployTest`, `RealVerifierDisputeTest` and `StfDifferentialTest`",
            List.of("stf/PriorityStep.sol", "stf/AccountStep.sol", "stf/TradingStep.sol", "stf/StepVerifier.sol"), List.of(), "stf",
            file -> Stream.of("stf.StepVectorsTest", "stf.StepBadInputTest", "stf.CounterAtMaximumTest", "stf.SignatureBoundsTest", "stf.RuleEdgesTest", "stf.StepVerifierDeployTest",
                    "l1.RealVerifierDisputeTest", "stf.StfDifferentialTest").map(t -> "dev.clearline.conformance." + t).toList());

    /**
     * The proof library every leaf read and write on L1 rests on (a false proof accepted is money taken),
     * and the state keys, against the twin tests with the Java tree: random trees and proofs, forged and
     * truncated proofs, the shared vectors.
     */
    static final Campaign TREE = new Campaign("tree", "the Solidity proof library and state keys against their Java twins",
            "`SharedProofVectorsConformanceTest`, `OrderStateKeyTwinTest`, `StateKeysTwinProperties`, `TreeProofTwinProperties` and `ProofBoundaryTwinProperties`",
            List.of("tree/SparseMerkleProofHarness.sol", "tree/StateKeysHarness.sol"),
            List.of("tree/SparseMerkleProof.sol", "state/StateKeys.sol"), "",
            file -> Stream.of("SharedProofVectorsConformanceTest", "OrderStateKeyTwinTest", "StateKeysTwinProperties", "TreeProofTwinProperties",
                    "ProofBoundaryTwinProperties")
                    .map(t -> "dev.clearline.conformance.tree." + t).toList());

    static final List<Campaign> CAMPAIGNS = List.of(CONTRACTS, STF, TREE);

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (IllegalArgumentException badInput) {
            // what the user typed is wrong: say so in one line, no stack trace
            System.err.println("mutation: " + badInput.getMessage());
            System.exit(2);
        }
    }

    /**
     * The items of {@code --lines}: {@code file:line}, where an item that is only a line number
     * names a line of the file before it ({@code a.sol:12,40,b.sol:7}).
     */
    static List<String> lineItems(String value, String usage) {
        List<String> out = new ArrayList<>();
        String file = null;
        for (String item : value.split(",", -1)) {
            int colon = item.lastIndexOf(':');
            String line = colon < 0 ? item : item.substring(colon + 1);
            if (colon >= 0) file = item.substring(0, colon);
            if (file == null || file.isEmpty() || !line.matches("[1-9][0-9]*")) {
                throw new IllegalArgumentException("--lines takes file:line items (a bare line number continues the file before it), got \""
                        + item + "\" in \"" + value + "\"; " + usage);
            }
            out.add(file + ":" + line);
        }
        return out;
    }

    private static void run(String[] args) throws Exception {
        String usage = "use: SolidityMutation contracts|stf|tree [--files a.sol,b.sol | --lines a.sol:12,40,b.sol:7] [--limit N]";
        if (args.length == 0) throw new IllegalArgumentException("name a campaign; " + usage);
        Campaign campaign = CAMPAIGNS.stream().filter(c -> c.name().equals(args[0])).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no campaign " + args[0] + "; " + usage));
        // the contracts module: its sources and build/mutant-compile.mjs (the stf campaign runs from the conformance module)
        Path module = Path.of(System.getProperty("clearline.contracts", System.getProperty("basedir", "."))).toAbsolutePath().normalize();
        Path results = Path.of(System.getProperty("clearline.benchResults", module.resolve("../bench-results").toString())).resolve("mutation");
        Path root = module.resolve("src/main/solidity");
        List<String> files = campaign.files(root);
        int limit = Integer.MAX_VALUE;
        List<String> lines = List.of();
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--files" -> files = List.of(args[i + 1].split(","));
                case "--lines" -> lines = lineItems(args[i + 1], usage);
                case "--limit" -> {
                    if (!args[i + 1].matches("[1-9][0-9]{0,8}")) throw new IllegalArgumentException("--limit takes a positive count, got " + args[i + 1]);
                    limit = Integer.parseInt(args[i + 1]);
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + usage);
            }
        }
        if (!lines.isEmpty()) files = lines.stream().map(l -> l.substring(0, l.lastIndexOf(':'))).distinct().toList();
        List<Mutant> mutants = new ArrayList<>();
        for (String f : files) {
            if (!Files.isRegularFile(root.resolve(f))) throw new IllegalArgumentException("no file " + f + " under " + root + " (names are relative to it, as rollup/Rollup.sol)");
        }
        for (String f : files) mutants.addAll(SolidityMutants.of(f, Files.readString(root.resolve(f))));
        // --lines file:line,..: only the mutants of those lines (a survivor's, after a test was written for it)
        if (!lines.isEmpty()) {
            List<String> wanted = lines;
            mutants = mutants.stream().filter(m -> wanted.contains(m.file() + ":" + m.line())).toList();
        }
        if (mutants.size() > limit) mutants = mutants.subList(0, limit);
        long[] cpu0 = cpuTimes();
        long began = System.nanoTime();
        Path scratch = Files.createTempDirectory("solidity-mutants");
        List<Result> done = new ArrayList<>();
        try (Compiler compiler = new Compiler(module, root, campaign.units())) {
            // the tests must pass on the contracts as they are, compiled the way the mutants are
            Path baseline = scratch.resolve("baseline");
            if (!compiler.compile(files.get(0), Files.readString(root.resolve(files.get(0))), baseline)) {
                throw new IllegalStateException("the unmutated " + files.get(0) + " does not compile here");
            }
            Optional<String> failing = runTests(baseline, campaign.tests().apply(files.get(0)));
            if (failing.isPresent()) throw new IllegalStateException("the tests fail on the unmutated contracts: " + failing.get());
            System.err.printf("solidity mutation (%s): %d mutants of %d files; the tests pass on the contracts as they are%n",
                    campaign.name(), mutants.size(), files.size());
            for (Mutant m : mutants) {
                Path out = scratch.resolve("m" + done.size());
                Result r;
                if (!compiler.compile(m.file(), m.source(), out)) r = new Result(m, Verdict.NOT_VIABLE, "");
                else {
                    Optional<String> by = runTests(out, campaign.tests().apply(m.file()));
                    r = new Result(m, by.isPresent() ? Verdict.KILLED : Verdict.SURVIVED, by.orElse(""));
                }
                deleteTree(out);
                done.add(r);
                if (r.verdict() == Verdict.SURVIVED) System.err.println("  survived: " + m.describe());
                if (done.size() % 10 == 0 || done.size() == mutants.size()) progress(done, mutants.size(), began);
            }
        } finally {
            deleteTree(scratch);
        }
        long seconds = (System.nanoTime() - began) / 1_000_000_000L;
        long[] cpu1 = cpuTimes();
        double idle = 100.0 * (cpu1[1] - cpu0[1]) / Math.max(1, cpu1[0] - cpu0[0]);
        String args0 = String.join(" ", args);
        boolean partial = args.length > 1;
        Path report = results.resolve(campaign.name() + (partial ? "-partial" : "") + ".md");
        Files.createDirectories(results);
        Files.writeString(report, report(campaign, done, "./clearline mutation " + args0, seconds, idle,
                explanations(results.resolve("solidity-survivors.tsv"))));
        System.err.println("solidity mutation: report in " + report);
    }

    /** Runs the test classes against the artifacts in {@code artifacts}; the first failing test's name, if any. */
    static Optional<String> runTests(Path artifacts, List<String> tests) {
        System.setProperty(MutantArtifacts.PROPERTY, artifacts.toString());
        // a killed mutant's failure (a property's seed and its table, a test's stack trace) is expected: the campaign prints its own progress
        PrintStream out = System.out, err = System.err;
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(quiet);
        System.setErr(quiet);
        try {
            Launcher launcher = LauncherFactory.create();
            for (String test : tests) {
                String[] failed = new String[1];
                TestExecutionListener listener = new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL && failed[0] == null) {
                            failed[0] = test.substring(test.lastIndexOf('.') + 1) + "." + id.getDisplayName();
                        }
                    }
                };
                launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(DiscoverySelectors.selectClass(test)).build(), listener);
                if (failed[0] != null) return Optional.of(failed[0]);
            }
            return Optional.empty();
        } finally {
            System.setOut(out);
            System.setErr(err);
            System.clearProperty(MutantArtifacts.PROPERTY);
        }
    }

    private static void progress(List<Result> done, int total, long began) {
        long killed = done.stream().filter(r -> r.verdict() == Verdict.KILLED).count();
        long survived = done.stream().filter(r -> r.verdict() == Verdict.SURVIVED).count();
        double perMutant = (System.nanoTime() - began) / 1e9 / done.size();
        System.err.printf("solidity mutation: %d/%d: killed %d, survived %d, not viable %d; about %d min left%n", done.size(), total, killed, survived,
                done.size() - killed - survived, Math.round(perMutant * (total - done.size()) / 60));
    }

    /** Survivors' explanations: {@code file:line<TAB>operator<TAB>reason} per line, {@code #} comments. */
    static Map<String, String> explanations(Path tsv) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        if (!Files.exists(tsv)) return m;
        for (String line : Files.readAllLines(tsv)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", 3);
            if (f.length == 3) m.put(f[0] + "\t" + f[1], f[2]);
        }
        return m;
    }

    static String report(Campaign campaign, List<Result> done, String command, long seconds, double idle, Map<String, String> why) {
        StringBuilder b = new StringBuilder("# Solidity mutation: " + campaign.title() + "\n\n");
        b.append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC).format(Instant.now())).append(" UTC, `")
                .append(command).append("`, ").append(seconds).append(" s wall, machine idle ")
                .append(String.format("%.0f", idle)).append(" % during the run. Each mutant is compiled with the build's solc and settings and run\n")
                .append("against ").append(campaign.against()).append(" in the embedded EVM\n")
                .append("(`dev.clearline.contracts.mutation.SolidityMutation`). Score: killed / (killed + survived); a mutant\n")
                .append("that does not compile is not viable and not counted.\n\n");
        b.append("| file | mutants | not viable | killed | survived | score |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
        Map<String, List<Result>> byFile = new LinkedHashMap<>();
        for (Result r : done) byFile.computeIfAbsent(r.mutant().file(), k -> new ArrayList<>()).add(r);
        long allKilled = 0, allSurvived = 0;
        for (var e : byFile.entrySet()) {
            long k = e.getValue().stream().filter(r -> r.verdict() == Verdict.KILLED).count();
            long s = e.getValue().stream().filter(r -> r.verdict() == Verdict.SURVIVED).count();
            allKilled += k;
            allSurvived += s;
            b.append("| ").append(e.getKey()).append(" | ").append(e.getValue().size()).append(" | ").append(e.getValue().size() - k - s)
                    .append(" | ").append(k).append(" | ").append(s).append(" | ").append(score(k, s)).append(" |\n");
        }
        b.append("| **all** | ").append(done.size()).append(" | ").append(done.size() - allKilled - allSurvived).append(" | ").append(allKilled)
                .append(" | ").append(allSurvived).append(" | **").append(score(allKilled, allSurvived)).append("** |\n\n");
        b.append("## Survivors\n\n");
        List<Result> survivors = done.stream().filter(r -> r.verdict() == Verdict.SURVIVED)
                .sorted(Comparator.comparing((Result r) -> r.mutant().file()).thenComparingInt(r -> r.mutant().line())).toList();
        if (survivors.isEmpty()) b.append("None.\n");
        for (Result r : survivors) {
            b.append("- ").append(r.mutant().describe()).append(": ")
                    .append(why.getOrDefault(r.mutant().key(), "UNEXPLAINED")).append('\n');
        }
        return b.toString();
    }

    private static String score(long killed, long survived) {
        return killed + survived == 0 ? "-" : String.format("%.1f %%", 100.0 * killed / (killed + survived));
    }

    /** {total, idle} jiffies from /proc/stat, or zeros where there is none. */
    private static long[] cpuTimes() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The long-lived solc of build/mutant-compile.mjs. */
    static final class Compiler implements AutoCloseable {
        private final Process node;
        private final BufferedWriter in;
        private final BufferedReader out;

        Compiler(Path module, Path root, List<String> units) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("node", module.resolve("build/mutant-compile.mjs").toString(), root.toString()));
            cmd.addAll(units);
            node = new ProcessBuilder(cmd).directory(module.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = new BufferedWriter(new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8));
            out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            if (first == null) throw new IOException("build/mutant-compile.mjs stopped before compiling the contracts (its message is above)");
        }

        /** Compiles the units holding {@code file}, with {@code content} in its place, into {@code dir}; false when it does not compile. */
        boolean compile(String file, String content, Path dir) throws IOException {
            ObjectNode req = JSON.createObjectNode().put("file", file).put("content", content).put("out", dir.toString());
            in.write(req.toString());
            in.newLine();
            in.flush();
            String line = out.readLine();
            if (line == null) throw new IOException("build/mutant-compile.mjs stopped (its message is above)");
            JsonNode reply = JSON.readTree(line);
            return reply.path("ok").asBoolean();
        }

        @Override
        public void close() throws IOException {
            in.close();
            node.destroy();
        }
    }
}
