package dev.clearline.contracts.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.evm.Evm;
import dev.clearline.evm.WorldState;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the {@link EvmCalls} JMH benchmarks and writes bench-results/evm.md and evm.json.
 *
 * <p>{@code ./clearline bench contracts} (about 1 minute) or {@code ./clearline bench contracts full}
 * (longer iterations, two forks; about 5 minutes).
 */
public final class EvmBenchmark {
    private static final int ROUNDS = 1000;

    /** The benchmark methods of {@link EvmCalls}, in the order the table lists them. */
    enum Workload {
        EMPTY_CALL("emptyCall", "STOP (empty code)", "per-call floor: intrinsic gas, one opcode"),
        BALANCE_OF("balanceOf", "TestCollateral.balanceOf(address)", "small view: dispatch, ABI decode, one SLOAD"),
        KECCAK_CHAIN("keccakChain", "KeccakLoop.chain(bytes32, " + ROUNDS + ")", ROUNDS + " chained keccak256 of 32 bytes");

        final String method;
        final String label;
        final String description;

        Workload(String method, String label, String description) {
            this.method = method;
            this.label = label;
            this.description = description;
        }

        static Workload ofMethod(String method) {
            return Arrays.stream(values()).filter(w -> w.method.equals(method)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no Workload for benchmark method " + method));
        }
    }

    /** One benchmark's figure. */
    record Figure(Workload workload, double callsPerSecond, double error, long gasPerCall) {}

    public static void main(String[] args) throws RunnerException, IOException {
        boolean full = List.of(args).contains("full");
        Path out = Path.of(System.getProperty("clearline.benchResults", "../bench-results")).toAbsolutePath().normalize();
        String command = "./clearline bench contracts" + (full ? " full" : "");

        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(EvmCalls.class.getName() + "\\.")
                .param("rounds", String.valueOf(ROUNDS))
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "-Xss4m")
                .shouldFailOnError(true);
        if (full) {
            options.forks(2).warmupIterations(5).warmupTime(TimeValue.seconds(3)).measurementIterations(10).measurementTime(TimeValue.seconds(3));
        } else {
            options.forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(2)).measurementIterations(5).measurementTime(TimeValue.seconds(2));
        }
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Collection<RunResult> results = new Runner(options.build()).run();
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        long[] gas = gasPerCall();
        List<Figure> figures = new ArrayList<>();
        for (RunResult result : results) {
            String method = result.getParams().getBenchmark().substring(EvmCalls.class.getName().length() + 1);
            Workload workload = Workload.ofMethod(method);
            figures.add(new Figure(workload, result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError(),
                    gas[workload.ordinal()]));
        }
        figures.sort(Comparator.comparing(Figure::workload));
        write(out, figures, command, full, new double[] {loadBefore, loadAfter});
    }

    /** Gas of one call of each workload, for context beside the throughput. */
    private static long[] gasPerCall() {
        try (WorldState state = WorldState.inMemory()) {
            Evm evm = new Evm(state);
            EvmCalls.Workloads workloads = EvmCalls.Workloads.deploy(evm, ROUNDS);
            return new long[] {
                evm.call(workloads.emptyCall(), EvmCalls.BLOCK).orThrow().gasUsed(),
                evm.call(workloads.balanceOf(), EvmCalls.BLOCK).orThrow().gasUsed(),
                evm.call(workloads.keccakChain(), EvmCalls.BLOCK).orThrow().gasUsed()};
        }
    }

    /** The load average matters on a shared machine: other processes' work shows up as variance. */
    private static void write(Path dir, List<Figure> figures, String command, boolean full, double[] load) throws IOException {
        Files.createDirectories(dir);
        int cores = Runtime.getRuntime().availableProcessors();
        String jdk = Runtime.version().toString() + " (" + System.getProperty("java.vm.name") + ")";
        String date = Instant.now().toString();

        StringBuilder md = new StringBuilder();
        md.append("# Embedded EVM (go-ethereum via libevm) call throughput\n\n")
                .append("Command: `").append(command).append("` (JMH, ").append(full ? "2 forks, 10 x 3 s" : "1 fork, 5 x 2 s")
                .append(" measurement, one thread, `Evm.call`: state changes discarded, intrinsic gas charged).\n\n")
                .append("Machine: ").append(cores).append(" cores, JDK ").append(jdk).append(", ").append(date)
                .append(String.format(Locale.ROOT, ", 1-minute load average %.1f before and %.1f after the run", load[0], load[1]))
                .append("\n\n")
                .append("| workload | what it does | calls/s | ± (99.9%) | gas per call |\n")
                .append("| --- | --- | ---: | ---: | ---: |\n");
        for (Figure f : figures) {
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %,.0f | %,.0f | %,d |%n",
                    f.workload().label, f.workload().description, f.callsPerSecond(), f.error(), f.gasPerCall()));
        }
        figures.stream().filter(f -> f.workload() == Workload.KECCAK_CHAIN).findFirst().ifPresent(f -> md.append(String.format(
                Locale.ROOT, "%nKeccak rate inside the EVM: about %,.0f hashes/s; gas throughput about %,.0f Mgas/s.%n",
                f.callsPerSecond() * ROUNDS, f.callsPerSecond() * f.gasPerCall() / 1e6)));
        if (Math.max(load[0], load[1]) > cores) {
            md.append(String.format(Locale.ROOT, "%nThe machine was busy (load above its %d cores): other processes took CPU time, "
                    + "so read these figures as lower bounds with wide error bars, and rerun on an idle machine to compare.%n", cores));
        }
        Files.writeString(dir.resolve("evm.md"), md.toString());

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("command", command).put("cores", cores).put("jdk", jdk).put("date", date).put("keccakRounds", ROUNDS)
                .put("loadAverageBefore", load[0]).put("loadAverageAfter", load[1]);
        ArrayNode rows = root.putArray("results");
        for (Figure f : figures) {
            rows.addObject().put("workload", f.workload().label).put("callsPerSecond", f.callsPerSecond())
                    .put("error", f.error()).put("gasPerCall", f.gasPerCall());
        }
        Files.writeString(dir.resolve("evm.json"), json.writeValueAsString(root) + "\n");
        System.out.print(md);
        System.out.println("Wrote " + dir.resolve("evm.md") + " and evm.json");
    }

    private EvmBenchmark() {}
}
