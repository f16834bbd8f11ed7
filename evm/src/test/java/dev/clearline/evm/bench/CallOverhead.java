package dev.clearline.evm.bench;

import dev.clearline.evm.Address;
import dev.clearline.evm.Asm;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Bytes32;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionOptions;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Per-call overhead of the embedded EVM: how many tiny executions per second the facade sustains,
 * where the EVM work itself is negligible, so what is measured is the Java/JNA/JSON path around it.
 *
 * <p>Each workload warms up, then runs {@code rounds} timed rounds of {@code seconds}; the median
 * round is reported (the machine is shared, so single rounds are noisy). Figures go to
 * {@code bench-results/evm-overhead.md} and {@code .json}.
 *
 * <p>Args: {@code [rounds] [seconds] [workload-name-filter]}; defaults 5 rounds of 2 s.
 */
public final class CallOverhead {
    private static final Address ALICE = Address.ofLong(0xa11ce);
    private static final Address BOB = Address.ofLong(0xb0b);
    private static final BigInteger ETHER = BigInteger.TEN.pow(18);
    private static final BigInteger GWEI = BigInteger.TEN.pow(9);
    private static final BlockContext BLOCK = BlockContext.of(31337, 7, 1_700_000_000).withBaseFee(GWEI);

    /** A named loop body; the argument is the iteration number. */
    private record Workload(String name, String what, LongConsumer body) {}

    /** Rates in operations per wall-clock second; {@code cpuMicros}: the calling thread's CPU time per operation (median round). */
    private record Figure(String name, String what, double medianPerSecond, double minPerSecond, double maxPerSecond,
                          double cpuMicros) {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2.0;
        String filter = args.length > 2 ? args[2] : "";
        Path out = args.length > 3 ? Path.of(args[3]) : Path.of(System.getProperty("bench.out", "../bench-results/evm-overhead"));
        List<Figure> figures = new ArrayList<>();
        try (WorldState state = WorldState.inMemory()) {
            Evm evm = new Evm(state);
            state.setBalance(ALICE, ETHER.multiply(BigInteger.valueOf(1_000_000)));
            Address view = evm.transact(Message.create(ALICE, Asm.deployer(Asm.code().push(42).returnTop().bytes())), BLOCK)
                    .contractAddress();
            // slot0 += 1, then return it: a write the devnet's token transfers resemble.
            byte[] counterCode = Asm.code().push(0).op("SLOAD").push(1).op("ADD").op("DUP1").push(0).op("SSTORE")
                    .returnTop().bytes();
            Address counter = evm.transact(Message.create(ALICE, Asm.deployer(counterCode)), BLOCK).contractAddress();
            // slot0 += 1 and LOG1(topic = new value): the shape of an ERC-20 transfer (writes and a Transfer event).
            byte[] loggingCode = Asm.code().push(0).op("SLOAD").push(1).op("ADD").op("DUP1").push(0).op("SSTORE")
                    .push(0).push(0).op("LOG1", "STOP").bytes();
            Address logger = evm.transact(Message.create(ALICE, Asm.deployer(loggingCode)), BLOCK).contractAddress();
            byte[] oneByte = {1};
            Message viewCall = Message.call(ALICE, view, oneByte).withGasLimit(100_000);
            Message write = Message.call(ALICE, counter, oneByte).withGasLimit(100_000).withGasPrice(GWEI.multiply(BigInteger.TWO));
            Message logged = Message.call(ALICE, logger, oneByte).withGasLimit(100_000).withGasPrice(GWEI.multiply(BigInteger.TWO));
            Message transfer = Message.transfer(ALICE, BOB, BigInteger.ONE).withGasLimit(21_000).withGasPrice(GWEI.multiply(BigInteger.TWO));
            NativeFloor.bind();
            List<Workload> workloads = List.of(
                    new Workload("native-floor", "a bare libevm round trip: unknown method, no JSON parameters (the floor)",
                            i -> NativeFloor.roundTrip()),
                    new Workload("read-balance", "WorldState.balance: one native round trip", i -> state.balance(ALICE)),
                    new Workload("call-view", "Evm.call of a contract returning 42 (DEFAULT options)",
                            i -> check(evm.call(viewCall, BLOCK))),
                    new Workload("call-view-ethereum", "the same call with ETHEREUM options (what eth_call uses)",
                            i -> check(evm.call(viewCall, BLOCK, ExecutionOptions.ETHEREUM))),
                    new Workload("call-view-no-logs", "the same call with ETHEREUM.withoutLogs() (return data only)",
                            i -> check(evm.call(viewCall, BLOCK, ExecutionOptions.ETHEREUM.withoutLogs()))),
                    new Workload("transact-sstore", "Evm.transact: priced call incrementing a storage slot",
                            i -> check(evm.transact(write, BLOCK, ExecutionOptions.ETHEREUM))),
                    new Workload("transact-sstore-log", "Evm.transact: priced call writing a slot and emitting a log",
                            i -> check(evm.transact(logged, BLOCK, ExecutionOptions.ETHEREUM))),
                    new Workload("transact-transfer", "Evm.transact: priced 1-wei value transfer",
                            i -> check(evm.transact(transfer, BLOCK, ExecutionOptions.ETHEREUM))),
                    new Workload("transfer-commit", "a 1-wei transfer then WorldState.commit (one block per tx)",
                            i -> {
                                check(evm.transact(transfer, BLOCK, ExecutionOptions.ETHEREUM));
                                state.commit();
                            }),
                    new Workload("snapshot-revert", "WorldState.snapshot, a transfer, revertTo",
                            i -> {
                                int id = state.snapshot();
                                check(evm.transact(transfer, BLOCK, ExecutionOptions.ETHEREUM));
                                state.revertTo(id);
                            }),
                    new Workload("estimate-gas", "Evm.estimateGas of the storage write",
                            i -> evm.estimateGas(write, BLOCK, ExecutionOptions.ETHEREUM)));
            for (Workload w : workloads) {
                if (!w.name().contains(filter)) {
                    continue;
                }
                figures.add(measure(w, rounds, seconds));
                Figure f = figures.get(figures.size() - 1);
                System.out.printf(Locale.ROOT, "%-20s %,12.0f /s  (min %,.0f, max %,.0f; %.1f us CPU each)%n",
                        f.name(), f.medianPerSecond(), f.minPerSecond(), f.maxPerSecond(), f.cpuMicros());
            }
            state.storageAt(counter, Bytes32.ZERO); // keeps the state alive to the end
        }
        write(out, figures, rounds, seconds, args);
    }

    private static void check(ExecutionResult r) {
        if (!r.succeeded()) {
            throw new IllegalStateException("benchmark workload failed: " + r);
        }
    }

    private static Figure measure(Workload w, int rounds, double seconds) {
        long n = 0;
        long warmUntil = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < warmUntil) {
            w.body().accept(n++);
        }
        double[] rates = new double[rounds];
        double[] cpu = new double[rounds];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int r = 0; r < rounds; r++) {
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long count = 0;
            long now;
            do {
                for (int k = 0; k < 16; k++) {
                    w.body().accept(n++);
                }
                count += 16;
                now = System.nanoTime();
            } while (now < end);
            rates[r] = count / ((now - start) / 1e9);
            cpu[r] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e3 / count;
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        Arrays.sort(cpu);
        return new Figure(w.name(), w.what(), sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1],
                cpu[cpu.length / 2]);
    }

    private static void write(Path base, List<Figure> figures, int rounds, double seconds, String[] args) {
        String header = "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, JDK " + System.getProperty("java.version")
                + ", " + Instant.now() + "\n\nCommand: `./clearline bench evm" + (args.length > 0 ? " " + String.join(" ", args) : "")
                + "` (" + rounds + " rounds of " + seconds + " s after a warm-up round; median round shown; the machine is shared)\n\n";
        StringBuilder md = new StringBuilder("# Embedded EVM per-call overhead (`dev.clearline.evm.bench.CallOverhead`)\n\n")
                .append(header)
                .append("| workload | what | median /s | min /s | max /s | CPU us per op |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
        StringBuilder json = new StringBuilder("{\"cores\":").append(Runtime.getRuntime().availableProcessors())
                .append(",\"jdk\":\"").append(System.getProperty("java.version")).append("\",\"date\":\"").append(Instant.now())
                .append("\",\"rounds\":").append(rounds).append(",\"seconds\":").append(seconds).append(",\"results\":[");
        Map<String, Figure> byName = new LinkedHashMap<>();
        figures.forEach(f -> byName.put(f.name(), f));
        boolean first = true;
        for (Figure f : byName.values()) {
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %,.0f | %,.0f | %,.0f | %.1f |%n", f.name(), f.what(),
                    f.medianPerSecond(), f.minPerSecond(), f.maxPerSecond(), f.cpuMicros()));
            json.append(first ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"name\":\"%s\",\"medianPerSecond\":%.1f,\"minPerSecond\":%.1f,\"maxPerSecond\":%.1f,\"cpuMicrosPerOp\":%.2f}",
                    f.name(), f.medianPerSecond(), f.minPerSecond(), f.maxPerSecond(), f.cpuMicros()));
            first = false;
        }
        json.append("]}\n");
        try {
            Files.createDirectories(base.toAbsolutePath().getParent());
            Files.writeString(Path.of(base + ".md"), md.toString());
            Files.writeString(Path.of(base + ".json"), json.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark results to " + base, e);
        }
        System.out.println("wrote " + base.toAbsolutePath().normalize() + ".md");
    }
}
