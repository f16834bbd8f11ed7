package dev.clearline.engine.bench.book;

import dev.clearline.engine.bench.Workload;
import dev.clearline.engine.book.BookEvents;
import dev.clearline.engine.book.CancelReason;
import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.RejectReason;
import dev.clearline.engine.book.Side;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The "order book alone" figure: replays an exchange-core style {@link Workload} (1,000 accounts,
 * ~750 price levels, 9% GTC / 3% IOC / 6% cancel / 82% move) against one {@link OrderBook} on one
 * thread, with a sink that only counts, and reports operations per second.
 *
 * <p>Each round rebuilds the book from the prefill (not timed), then times the whole command
 * stream; a few warm-up rounds let the JIT settle, and the median of the measured rounds is the
 * figure. Arguments: {@code full} for more rounds and a longer stream; {@code 1K} or {@code 1M} to
 * run one scenario only (the figures file then holds just that one). Run through
 * {@code ./clearline bench engine book [full]} (the engine's bench main dispatches {@code book}
 * here) or this class's {@code main}. Writes {@code bench-results/engine-book.md} and {@code .json}.
 */
public final class BookBenchmark {
    private static final long SEED = 20_251_125L;

    /** One measured configuration. */
    record Scenario(String key, Workload.Spec spec, double goalOpsPerSecond) {
        String name() {
            return String.format("%,d resting orders", spec.restingOrders());
        }
    }

    /** The figures of one scenario. */
    record Result(Scenario scenario, double[] opsPerSecond, double[] opsPerCpuSecond, long fills, long rejects,
                  int restingAfter, Histogram latencyNanos) {
        double median() {
            return BookBenchmark.median(opsPerSecond);
        }

        double medianPerCpuSecond() {
            return BookBenchmark.median(opsPerCpuSecond);
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Counts events and folds them into a checksum, so no work can be optimised away. */
    static final class CountingSink implements BookEvents {
        long events;
        long fills;
        long rejects;
        long checksum;

        @Override
        public void onAccepted(long seq, long orderId, long ownerId, Side side, long priceTicks, long sizeLots) {
            events++;
        }

        @Override
        public void onRejected(long seq, long orderId, long ownerId, RejectReason reason) {
            rejects++;
        }

        @Override
        public void onFill(long seq, long makerOrderId, long makerOwnerId, long takerOrderId, long takerOwnerId,
                           Side takerSide, long priceTicks, long lots, long makerRemainingLots, long takerRemainingLots) {
            fills++;
            checksum += priceTicks * lots + makerOrderId;
        }

        @Override
        public void onRested(long seq, long orderId, long priceTicks, long restingLots) {
            checksum += priceTicks;
        }

        @Override
        public void onCancelled(long seq, long orderId, long ownerId, long remainingLots, CancelReason reason) {
            checksum += remainingLots;
        }

        @Override
        public void onExpired(long seq, long orderId, long ownerId, long remainingLots) {
            checksum -= remainingLots;
        }

        @Override
        public void onAmended(long seq, long orderId, long newPriceTicks, long newSizeLots, boolean keptPriority) {
            checksum += newPriceTicks;
        }
    }

    public static void main(String[] args) throws IOException {
        boolean full = Arrays.asList(args).contains("full");
        int operations = full ? 10_000_000 : 3_000_000;
        int warmups = full ? 5 : 3;
        int rounds = full ? 11 : 5;
        List<String> only = Arrays.stream(args).filter(a -> a.equals("1K") || a.equals("1M")).toList();
        List<Scenario> scenarios = Stream.of(
                        new Scenario("1K", new Workload.Spec(1_000, 1_000, 750, operations), 8e6),
                        new Scenario("1M", new Workload.Spec(1_000, 1_000_000, 750, operations), 6e6))
                .filter(s -> only.isEmpty() || only.contains(s.key()))
                .toList();
        double loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<Result> results = new ArrayList<>();
        for (Scenario s : scenarios) {
            System.out.printf("generating %s workload (%,d prefill + %,d ops)...%n", s.name(),
                    s.spec().restingOrders(), s.spec().operations());
            Workload w = Workload.generate(s.spec(), new SplittableRandom(SEED));
            results.add(measure(s, w, warmups, rounds));
        }
        String command = "./clearline bench engine book" + (args.length > 0 ? " " + String.join(" ", args) : "");
        write(results, command, warmups, rounds, loadAverage);
    }

    static Result measure(Scenario s, Workload w, int warmups, int rounds) {
        double[] opsPerSecond = new double[rounds];
        double[] opsPerCpuSecond = new double[rounds];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CountingSink sink = null;
        OrderBook book = null;
        for (int r = -warmups; r < rounds; r++) {
            book = new OrderBook(s.spec().bookConfig());
            sink = new CountingSink();
            for (int i = 0; i < w.prefillCount(); i++) {
                w.apply(i, book, sink);
            }
            // Collect the previous round's book now, not during the timed loop.
            System.gc();
            int first = w.prefillCount();
            int end = first + w.operationCount();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (int i = first; i < end; i++) {
                w.apply(i, book, sink);
            }
            long elapsed = System.nanoTime() - start;
            long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
            double rate = w.operationCount() / (elapsed / 1e9);
            double cpuRate = w.operationCount() / (cpu / 1e9);
            System.out.printf("  %s %s %d: %,.0f ops/s wall, %,.0f ops per CPU-second (checksum %d)%n", s.name(),
                    r < 0 ? "warm-up" : "round", Math.abs(r < 0 ? r : r + 1), rate, cpuRate, sink.checksum);
            if (r >= 0) {
                opsPerSecond[r] = rate;
                opsPerCpuSecond[r] = cpuRate;
            }
        }
        return new Result(s, opsPerSecond, opsPerCpuSecond, sink.fills, sink.rejects, book.restingOrders(),
                latency(s, w));
    }

    /**
     * One extra round that times every command on its own: the per-command latency distribution
     * (including the clock read, some tens of nanoseconds), kept out of the throughput rounds.
     */
    static Histogram latency(Scenario s, Workload w) {
        OrderBook book = new OrderBook(s.spec().bookConfig());
        CountingSink sink = new CountingSink();
        for (int i = 0; i < w.prefillCount(); i++) {
            w.apply(i, book, sink);
        }
        System.gc();
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        int end = w.prefillCount() + w.operationCount();
        for (int i = w.prefillCount(); i < end; i++) {
            long start = System.nanoTime();
            w.apply(i, book, sink);
            h.recordValue(System.nanoTime() - start);
        }
        return h;
    }

    private static void write(List<Result> results, String command, int warmups, int rounds, double loadAverage)
            throws IOException {
        Path dir = repositoryRoot().resolve("bench-results");
        Files.createDirectories(dir);
        String jdk = System.getProperty("java.vm.name") + " " + Runtime.version();
        int cores = Runtime.getRuntime().availableProcessors();
        String date = Instant.now().toString();
        StringBuilder md = new StringBuilder();
        md.append("# engine: order book alone\n\n")
                .append("One market, one thread, exchange-core style flow: 1,000 accounts, ~750 price levels, ")
                .append("9% GTC / 3% IOC / 6% cancel / 82% move, seeded workload (`Workload`, seed ")
                .append(SEED).append("). ")
                .append(warmups).append(" warm-up rounds, median of ").append(rounds).append(" measured rounds; ")
                .append("each round rebuilds the book from the prefill (not timed) and replays the whole stream. ")
                .append("Wall-clock ops/s is the figure; ops per CPU-second (the thread's own CPU time) shows how ")
                .append("much of the gap is the shared machine taking the core away (the load average at the start ")
                .append("of the run was ").append(String.format("%.1f", loadAverage)).append(").\n\n")
                .append("| scenario | ops per round | median ops/s | min | max | median ops per CPU-s | goal | fills | rejects | resting after |\n")
                .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        StringBuilder latencies = new StringBuilder()
                .append("\nPer-command latency (one extra round, each command timed alone, clock read included), ns:\n\n")
                .append("| scenario | p50 | p90 | p99 | p99.9 | max |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
        StringBuilder json = new StringBuilder("{\n  \"benchmark\": \"engine-book\",\n");
        json.append("  \"cores\": ").append(cores).append(",\n  \"jdk\": \"").append(jdk).append("\",\n")
                .append("  \"date\": \"").append(date).append("\",\n  \"command\": \"").append(command).append("\",\n")
                .append("  \"loadAverageAtStart\": ").append(String.format("%.2f", loadAverage)).append(",\n")
                .append("  \"warmupRounds\": ").append(warmups).append(",\n  \"rounds\": ").append(rounds)
                .append(",\n  \"scenarios\": [\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            double[] sorted = r.opsPerSecond().clone();
            Arrays.sort(sorted);
            md.append(String.format("| %s | %,d | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %,d | %,d | %,d |%n",
                    r.scenario().name(), r.scenario().spec().operations(), r.median(), sorted[0],
                    sorted[sorted.length - 1], r.medianPerCpuSecond(), r.scenario().goalOpsPerSecond(), r.fills(),
                    r.rejects(), r.restingAfter()));
            Histogram h = r.latencyNanos();
            latencies.append(String.format("| %s | %,d | %,d | %,d | %,d | %,d |%n", r.scenario().name(),
                    h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue()));
            json.append(String.format(
                    "    {\"name\": \"%s\", \"restingOrders\": %d, \"operations\": %d, \"medianOpsPerSecond\": %.0f, "
                            + "\"minOpsPerSecond\": %.0f, \"maxOpsPerSecond\": %.0f, \"medianOpsPerCpuSecond\": %.0f, "
                            + "\"goalOpsPerSecond\": %.0f, "
                            + "\"fills\": %d, \"rejects\": %d, \"restingAfter\": %d, \"latencyNanos\": "
                            + "{\"p50\": %d, \"p90\": %d, \"p99\": %d, \"p999\": %d, \"max\": %d}}%s%n",
                    r.scenario().name(), r.scenario().spec().restingOrders(), r.scenario().spec().operations(),
                    r.median(), sorted[0], sorted[sorted.length - 1], r.medianPerCpuSecond(),
                    r.scenario().goalOpsPerSecond(), r.fills(),
                    r.rejects(), r.restingAfter(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                    h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
                    i + 1 < results.size() ? "," : ""));
        }
        md.append(latencies);
        md.append("\nWith a million resting orders the book no longer fits in cache: a move is a dependent chain ")
                .append("of about three cache misses (id index, then the order, then its queue neighbours), so that ")
                .append("figure tracks the machine's memory latency far more than the code path.\n");
        md.append("\nMachine: ").append(cores).append(" cores, ").append(jdk).append(", ").append(date)
                .append(".\n\nCommand: `").append(command).append("`\n");
        json.append("  ]\n}\n");
        Files.writeString(dir.resolve("engine-book.md"), md.toString());
        Files.writeString(dir.resolve("engine-book.json"), json.toString());
        System.out.print(md);
    }

    /** The checkout root: the nearest directory up from here that holds the Maven wrapper. */
    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.exists(q.resolve("mvnw"))) {
                return q;
            }
        }
        return p;
    }

    private BookBenchmark() {}
}
