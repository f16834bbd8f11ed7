package dev.clearline.contracts.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.WorldState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
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
 * (longer iterations, two forks; about 4 minutes).
 */
public final class EvmBenchmark {
    private static final int ROUNDS = 1000;

    /** One benchmark's figure. */
    record Figure(String workload, String description, double callsPerSecond, double error, long gasPerCall) {}

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
        Collection<RunResult> results = new Runner(options.build()).run();

        long[] gas = gasPerCall();
        List<Figure> figures = new ArrayList<>();
        for (RunResult result : results) {
            String method = result.getParams().getBenchmark().substring(EvmCalls.class.getName().length() + 1);
            boolean view = method.equals("balanceOf");
            figures.add(new Figure(
                    view ? "TestCollateral.balanceOf(address)" : "KeccakLoop.chain(bytes32, " + ROUNDS + ")",
                    view ? "small view: dispatch, ABI decode, one SLOAD" : ROUNDS + " chained keccak256 of 32 bytes",
                    result.getPrimaryResult().getScore(),
                    result.getPrimaryResult().getScoreError(),
                    view ? gas[0] : gas[1]));
        }
        write(out, figures, command, full);
    }

    /** Gas of one call of each workload, for context beside the throughput. */
    private static long[] gasPerCall() {
        try (WorldState state = WorldState.inMemory()) {
            Evm evm = new Evm(state);
            EvmCalls.Workloads workloads = EvmCalls.Workloads.deploy(evm, ROUNDS);
            ExecutionResult view = evm.call(workloads.balanceOf(), EvmCalls.BLOCK).orThrow();
            ExecutionResult hashing = evm.call(workloads.keccakChain(), EvmCalls.BLOCK).orThrow();
            return new long[] {view.gasUsed(), hashing.gasUsed()};
        }
    }

    private static void write(Path dir, List<Figure> figures, String command, boolean full) throws IOException {
        Files.createDirectories(dir);
        int cores = Runtime.getRuntime().availableProcessors();
        String jdk = Runtime.version().toString() + " (" + System.getProperty("java.vm.name") + ")";
        String date = Instant.now().toString();

        StringBuilder md = new StringBuilder();
        md.append("# Embedded EVM (go-ethereum via libevm) call throughput\n\n")
                .append("Command: `").append(command).append("` (JMH, ").append(full ? "2 forks, 10 x 3 s" : "1 fork, 5 x 2 s")
                .append(" measurement, one thread, `Evm.call`: state changes discarded, intrinsic gas charged).\n\n")
                .append("Machine: ").append(cores).append(" cores, JDK ").append(jdk).append(", ").append(date).append("\n\n")
                .append("| workload | what it does | calls/s | ± (99.9%) | gas per call |\n")
                .append("| --- | --- | ---: | ---: | ---: |\n");
        for (Figure f : figures) {
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %,.0f | %,.0f | %,d |%n",
                    f.workload(), f.description(), f.callsPerSecond(), f.error(), f.gasPerCall()));
        }
        figures.stream().filter(f -> f.workload().startsWith("KeccakLoop")).findFirst().ifPresent(f -> md.append(String.format(
                Locale.ROOT, "%nKeccak rate inside the EVM: about %,.0f hashes/s; gas throughput about %,.0f Mgas/s.%n",
                f.callsPerSecond() * ROUNDS, f.callsPerSecond() * f.gasPerCall() / 1e6)));
        Files.writeString(dir.resolve("evm.md"), md.toString());

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("command", command).put("cores", cores).put("jdk", jdk).put("date", date).put("keccakRounds", ROUNDS);
        ArrayNode rows = root.putArray("results");
        for (Figure f : figures) {
            rows.addObject().put("workload", f.workload()).put("callsPerSecond", f.callsPerSecond())
                    .put("error", f.error()).put("gasPerCall", f.gasPerCall());
        }
        Files.writeString(dir.resolve("evm.json"), json.writeValueAsString(root) + "\n");
        System.out.print(md);
        System.out.println("Wrote " + dir.resolve("evm.md") + " and evm.json");
    }

    private EvmBenchmark() {}
}
