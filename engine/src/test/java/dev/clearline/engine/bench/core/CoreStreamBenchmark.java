package dev.clearline.engine.bench.core;

import dev.clearline.engine.bench.exchange.Report;
import dev.clearline.engine.book.BookEvents;
import dev.clearline.engine.book.CancelReason;
import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.RejectReason;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.exchange.Exchange;
import dev.clearline.engine.exchange.MarketBooks;
import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.testkit.bench.MachineIdle;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * exchange-core's own stream ({@link CoreStream}) through our order book alone and through the
 * exchange (pre-checks, book, every fill settled on the STF mirror), at about 1K resting orders
 * (3M commands) and 1M resting orders (5M commands); throughput with the prefill timed apart, and
 * latency at 1M commands/s offered with the matcher thread pinned. Every figure carries the
 * machine's idle share during its run and its ratio to exchange-core's published 5M ops/s.
 */
public final class CoreStreamBenchmark {
    /** exchange-core's published throughput for its single-symbol test (ops/s), the reference. */
    static final double EXCHANGE_CORE_OPS = 5_000_000;
    static final int CHUNK = 50_000;
    static final Signature UNCHECKED = new Signature(new byte[65]);
    static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    /** Commands per second offered in the latency runs. */
    static final double OFFERED = 1_000_000;

    private CoreStreamBenchmark() {}

    record Scenario(String name, int resting, int commands, int users, int rounds) {}

    /**
     * What to run: {@code full} (more rounds), {@code latencyOnly} (the latency figures alone, no
     * throughput rounds), {@code commands} (0: 3M at ~1K resting and 5M at 1M resting; else this
     * many in each, for a quick trial), {@code resting} ("1k", "1m" or "both"), {@code bookOnly}
     * (the book's throughput rounds alone: no platform floor, latency or exchange; for profiling).
     */
    public record Options(boolean full, boolean latencyOnly, int commands, String resting, boolean bookOnly) {
        public static Options parse(String[] args) {
            boolean full = false;
            boolean latency = false;
            boolean bookOnly = false;
            int commands = 0;
            String resting = "both";
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "full" -> full = true;
                    case "latency" -> latency = true;
                    case "--book-only" -> bookOnly = true;
                    case "--commands" -> commands = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
                    case "--resting" -> resting = args[++i];
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                            + "'; use: core [full] [latency] [--commands N] [--resting 1k|1m|both] [--book-only]");
                }
            }
            if (!resting.equals("1k") && !resting.equals("1m") && !resting.equals("both")) {
                throw new IllegalArgumentException("--resting takes 1k, 1m or both, not '" + resting + "'");
            }
            if (latency && resting.equals("both")) resting = "1k";
            if (latency && bookOnly) {
                throw new IllegalArgumentException("latency and --book-only exclude each other: --book-only runs the book's throughput rounds alone");
            }
            return new Options(full, latency, commands, resting, bookOnly);
        }

        /**
         * A trial run (fewer commands, or the latency alone) writes its own report, not the published one. The book
         * alone writes its own too, named by its resting size ({@code engine-core-1m-book-only}, which the README
         * quotes): it wrote {@code engine-core-book-trial} whatever was asked, so the README's command never
         * refreshed the published figure.
         */
        public String stem() {
            if (latencyOnly) return "engine-latency" + (commands > 0 ? "-trial" : "");
            if (bookOnly) return "engine-core-" + (resting.equals("both") ? "" : resting + "-") + "book-only" + (commands > 0 ? "-trial" : "");
            return "engine-core" + (commands > 0 ? "-trial" : "");
        }
    }

    public static List<Report.Row> run(boolean full) {
        return run(new Options(full, false, 0, "both", false));
    }

    public static List<Report.Row> run(Options o) {
        List<Report.Row> rows = new ArrayList<>();
        int cpu = Runtime.getRuntime().availableProcessors() - 1;
        String pin = Pinning.isolateCurrentThread(cpu);
        System.out.println("matcher thread: " + pin);
        List<Scenario> scenarios = new ArrayList<>();
        if (!o.resting().equals("1m")) {
            scenarios.add(new Scenario("~1K resting", 1_000, o.commands() > 0 ? o.commands() : 3_000_000, 2_000, o.full() ? 5 : 3));
        }
        if (!o.resting().equals("1k")) {
            scenarios.add(new Scenario("1M resting", 1_000_000, o.commands() > 0 ? o.commands() : 5_000_000, 100_000, o.full() ? 5 : 3));
        }
        for (Scenario sc : scenarios) {
            long g0 = System.nanoTime();
            CoreStream s = CoreStream.generate(sc.resting(), sc.commands(), sc.users(), new SplittableRandom(7 + sc.resting()));
            System.out.printf("%s: generated %,d prefill + %,d commands in %.1f s (mid %d, prices %d..%d)%n", sc.name(),
                    s.prefillCount(), s.commandCount(), (System.nanoTime() - g0) / 1e9, s.mid, s.minPrice, s.maxPrice);
            if (o.bookOnly()) {
                rows.addAll(book(sc, s, pin, cpu, false, null));
                continue;
            }
            MachineIdle f0 = MachineIdle.now();
            PacedRun platform = platformFloor(s, cpu);
            rows.addAll(platformRows(platform, MachineIdle.now().since(f0), pin));
            rows.addAll(book(sc, s, pin, cpu, o.latencyOnly(), platform));
            rows.addAll(exchange(sc, s, pin, cpu, o.latencyOnly(), platform));
        }
        return rows;
    }

    private static String note(double idle, String extra) {
        return String.format("machine idle %.0f%% during the run; %s", idle * 100, extra);
    }

    private static Report.Row rate(String bench, String metric, double value, double idle, String extra) {
        return new Report.Row(bench, metric, value, "ops/s", "≥ 10,000,000 (2x exchange-core)",
                note(idle, String.format("%.2fx exchange-core's published 5M ops/s; %s", value / EXCHANGE_CORE_OPS, extra)));
    }

    // ----------------------------------------------------------------------------------- book alone

    /** Untimed rounds before the timed ones: at least this many, and until {@link #WARMUP_NANOS} have passed. */
    static final int MIN_WARMUP_ROUNDS = 2;
    static final long WARMUP_NANOS = 5_000_000_000L;

    /**
     * The book alone on the stream. The timed rounds follow untimed warm-up rounds, at least
     * {@link #MIN_WARMUP_ROUNDS} and at least 5 s in all. With a single warm-up round (~0.3 s at
     * ~1K resting) C2 was still replacing the book's code during the timed rounds: the rate per
     * matcher CPU-second kept rising for about 1.5 s of replay (11.4M to 13.4M, measured on a
     * loaded machine), so the figure depended on which compilations had finished, the likely
     * reason the same book measured 8.56M and 13.70M ops/s in two quiet runs. Each round prints
     * its rate per matcher CPU-second, JIT compilations (of the whole JVM, so never quite zero) and
     * collections, so a run shows whether it was measured warm.
     *
     * <p>The figure is the median of the timed rounds (each a fresh book), printed with the slowest
     * and fastest, because single rounds at 1M resting ranged 3.53M-5.44M ops/s in one quiet run: at
     * that size every command waits on memory, so the rate follows whatever else uses the shared
     * last-level cache and, without huge pages, the page walks over the order records (64 MB at a million orders). Each round also
     * prints the matcher thread's page faults (first touches of fresh memory) and how much of the
     * heap huge pages back; the bench JVM asks for both (engine/pom.xml's bench profile:
     * transparent huge pages, a pre-touched heap).
     */
    static List<Report.Row> book(Scenario sc, CoreStream s, String pin, int cpu, boolean latencyOnly, PacedRun platform) {
        List<Report.Row> rows = new ArrayList<>();
        Counting sink = new Counting();
        String bench = "book alone, exchange-core stream, " + sc.name();
        // the latency alone still replays the stream untimed first, so the matcher is compiled when measured
        int warmups = 0;
        BookRound round;
        long warmStart = System.nanoTime();
        do {
            round = BookRound.run(sc, s, sink, "warm-up", warmups++);
        } while (warmups < MIN_WARMUP_ROUNDS || System.nanoTime() - warmStart < WARMUP_NANOS);
        if (latencyOnly) {
            return latency(bench, s, sink, pin, cpu, platform);
        }
        long timedCompiles = 0;
        long timedFaults = 0;
        List<BookRound> timed = new ArrayList<>();
        for (int t = 0; t < sc.rounds(); t++) {
            round = BookRound.run(sc, s, sink, "timed", warmups + t);
            timed.add(round);
            timedCompiles += Math.max(0, round.jvm().compiles());
            timedFaults += Math.max(0, round.jvm().pageFaults());
        }
        BookRound median = median(timed, BookRound::rate);
        double idle = timed.stream().mapToDouble(BookRound::idle).average().orElse(Double.NaN);
        rows.add(rate(bench, "throughput", median.rate(), idle, String.format("%,d commands after a %,d-order prefill; median of %d timed rounds "
                + "(slowest %,.0f, fastest %,.0f) after %d warm-up rounds (at least %d and %d s); median %,.0f ops per matcher "
                + "CPU-second; %d JIT compilations and %d matcher page faults during the timed rounds",
                s.commandCount(), s.prefillCount(), sc.rounds(), timed.stream().mapToDouble(BookRound::rate).min().orElse(0),
                timed.stream().mapToDouble(BookRound::rate).max().orElse(0), warmups, MIN_WARMUP_ROUNDS, WARMUP_NANOS / 1_000_000_000L,
                median(timed, BookRound::cpuRate).cpuRate(), timedCompiles, timedFaults)));
        rows.add(new Report.Row(bench, "prefill throughput", median(timed, BookRound::prefillRate).prefillRate(), "orders/s", "-",
                "GTC orders placed into the empty book, median of the timed rounds"));
        if (platform != null) rows.addAll(latency(bench, s, sink, pin, cpu, platform));
        return rows;
    }

    /** The round whose value is the median (the lower middle one of an even count). */
    static BookRound median(List<BookRound> rounds, java.util.function.ToDoubleFunction<BookRound> value) {
        List<BookRound> sorted = new ArrayList<>(rounds);
        sorted.sort(java.util.Comparator.comparingDouble(value));
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** One replay of the stream on a fresh book: wall and CPU rates of the commands after the prefill, and what the JVM did meanwhile. */
    record BookRound(double rate, double cpuRate, double prefillRate, double idle, JvmWindow.Counters jvm) {
        static BookRound run(Scenario sc, CoreStream s, Counting sink, String what, int index) {
            OrderBook book = new OrderBook(s.bookConfig());
            MachineIdle i0 = MachineIdle.now();
            long t0 = System.nanoTime();
            for (int i = 0; i < s.prefillCount(); i++) s.apply(i, book, sink);
            JvmWindow window = JvmWindow.start();
            long c1 = THREADS.getCurrentThreadCpuTime();
            long t1 = System.nanoTime();
            for (int i = s.prefillCount(); i < s.total(); i++) s.apply(i, book, sink);
            long t2 = System.nanoTime();
            long c2 = THREADS.getCurrentThreadCpuTime();
            JvmWindow.Counters jvm = window.end();
            double idle = MachineIdle.now().since(i0);
            BookRound r = new BookRound(s.commandCount() / ((t2 - t1) / 1e9), s.commandCount() / ((c2 - c1) / 1e9),
                    s.prefillCount() / ((t1 - t0) / 1e9), idle, jvm);
            long huge = JvmWindow.hugePagesMb();
            System.out.printf("book %s %s round %d: %,.0f ops/s, %,.0f ops per matcher CPU-second (prefill %,.0f/s), %d resting, idle %.0f%%; %s; %s%n",
                    sc.name(), what, index, r.rate, r.cpuRate, r.prefillRate, book.restingOrders(), idle * 100, jvm.describe(s.commandCount()),
                    huge < 0 ? "huge pages unknown" : huge + " MB of the process on huge pages");
            return r;
        }
    }

    static List<Report.Row> latency(String bench, CoreStream s, Counting sink, String pin, int cpu, PacedRun platform) {
        return latency(bench, s, () -> {
            OrderBook book = new OrderBook(s.bookConfig());
            for (int i = 0; i < s.prefillCount(); i++) s.apply(i, book, sink);
            return i -> s.apply(i, book, sink);
        }, pin, cpu, platform);
    }

    interface Replay {
        void run(int i);
    }

    /**
     * The book's latency at 1M commands/s offered, on a fresh book holding the prefill. The
     * replay ran untimed before, so the matcher is compiled when measured; the JIT compilations
     * that still finish in the window are counted beside the figures.
     */
    static List<Report.Row> latency(String bench, CoreStream s, java.util.function.Supplier<Replay> fresh, String pin, int cpu, PacedRun platform) {
        // the paced loop was compiled around the empty matcher of the floor: run it on a scratch book
        // first, so the switch to the book's replay (a deoptimization and a recompilation) is not in the window
        PacedRun.run(s.prefillCount(), Math.min(s.total(), s.prefillCount() + 200_000), OFFERED, cpu, fresh.get());
        Replay r = fresh.get();
        MachineIdle i0 = MachineIdle.now();
        PacedRun run = PacedRun.run(s.prefillCount(), s.total(), OFFERED, cpu, r);
        return latencyRows(bench, run, platform, MachineIdle.now().since(i0), pin);
    }

    /**
     * The same paced loop with an empty matcher, on the same CPU, just before the matchers run:
     * the floor every matcher's latency stands on (the platform's interruptions of the CPU and the
     * loop's own cost), printed beside their figures.
     */
    static PacedRun platformFloor(CoreStream s, int cpu) {
        Replay nothing = i -> { };
        PacedRun.run(s.prefillCount(), Math.min(s.total(), s.prefillCount() + 200_000), OFFERED, cpu, nothing); // compiles the loop
        PacedRun p = PacedRun.run(s.prefillCount(), s.total(), OFFERED, cpu, nothing);
        System.out.println("platform floor (empty matcher, same loop and CPU): " + p.summary());
        return p;
    }

    static List<Report.Row> platformRows(PacedRun p, double idle, String pin) {
        String extra = String.format("the paced loop with an empty matcher at 1M commands/s offered, %,d commands, matcher %s: what the CPU "
                + "alone adds (a command delayed by an interruption of the CPU waits like any other); %s; %s; %s",
                p.commands, pin, p.stallNote(), p.counters.describe(p.commands), p.cpuShare);
        List<Report.Row> rows = new ArrayList<>();
        String bench = "platform floor: empty matcher, same loop and CPU";
        rows.add(new Report.Row(bench, "latency p50", p.us(p.latency, 50), "us", "-", note(idle, extra)));
        rows.add(new Report.Row(bench, "latency p99", p.us(p.latency, 99), "us", "-", note(idle, extra)));
        rows.add(new Report.Row(bench, "latency p99.9", p.us(p.latency, 99.9), "us", "-", note(idle, extra)));
        return rows;
    }

    static List<Report.Row> latencyRows(String bench, PacedRun run, PacedRun platform, double idle, String pin) {
        String extra = String.format("%,d commands at 1M commands/s offered, from intended start (coordinated omission corrected); "
                + "the matcher's own time per command p50 %.2f us, p99 %.2f us, p99.9 %.2f us; %s; during the window: %s; matcher %s; %s; "
                + "exchange-core publishes p99 4 us", run.commands, run.us(run.service, 50), run.us(run.service, 99), run.us(run.service, 99.9),
                run.stallNote(), run.counters.describe(run.commands), pin, run.cpuShare);
        System.out.printf("%s latency: %s, idle %.0f%%%n", bench, run.summary(), idle * 100);
        List<Report.Row> rows = new ArrayList<>();
        for (double pct : new double[] {50, 99, 99.9}) {
            double v = run.us(run.latency, pct);
            double floor = platform.us(platform.latency, pct);
            String vsFloor = String.format("%.2fx the platform floor's p%s (%.2f us)", floor > 0 ? v / floor : Double.NaN, pct == 99.9 ? "99.9" : String.valueOf((int) pct), floor);
            rows.add(new Report.Row(bench, "latency p" + (pct == 99.9 ? "99.9" : String.valueOf((int) pct)), v, "us", pct == 99 ? "< 10 us" : "-",
                    note(idle, vsFloor + "; " + extra)));
        }
        return rows;
    }

    /** A sink that only counts fills. */
    static class Counting implements BookEvents {
        long fills;

        public void onAccepted(long s, long o, long w, Side side, long p, long l) { }
        public void onRejected(long s, long o, long w, RejectReason r) { }
        public void onFill(long s, long m, long mo, long t, long to, Side ts, long p, long l, long mr, long tr) { fills++; }
        public void onRested(long s, long o, long p, long l) { }
        public void onCancelled(long s, long o, long w, long l, CancelReason r) { }
        public void onExpired(long s, long o, long w, long l) { }
        public void onAmended(long s, long o, long p, long l, boolean k) { }
    }

    // ------------------------------------------------------------------------------ matching + risk

    static List<Report.Row> exchange(Scenario sc, CoreStream s, String pin, int cpu, boolean latencyOnly, PacedRun platform) {
        List<Report.Row> rows = new ArrayList<>();
        int rounds = Math.max(1, sc.rounds() - 2);
        String bench = "matching + risk (exchange), exchange-core stream, " + sc.name();
        double last = 0;
        double lastIdle = 0;
        ExchangeRun run = null;
        for (int round = 0; round < rounds; round++) {
            run = new ExchangeRun(s, sc.users());
            run.prefill();
            MachineIdle i0 = MachineIdle.now();
            double r = run.throughput();
            double idle = MachineIdle.now().since(i0);
            System.out.printf("exchange %s round %d: %,.0f ops/s, %,.0f ops per matcher CPU-second (prefill %,.0f/s, %,d fills, %,d rejects), idle %.0f%%%n",
                    sc.name(), round, r, s.commandCount() / (run.cpuNanos / 1e9), run.prefillRate, run.fills, run.rejects, idle * 100);
            last = r;
            lastIdle = idle;
        }
        if (!latencyOnly) {
            rows.add(rate(bench, "throughput", last, lastIdle, String.format("%,d commands after a %,d-order prefill; %,d fills, %,d refused commands; "
                    + "requests pre-built outside the timed loop (signatures are verified upstream); %,.0f ops per matcher CPU-second",
                    s.commandCount(), s.prefillCount(), run.fills, run.rejects, s.commandCount() / (run.cpuNanos / 1e9))));
            rows.add(new Report.Row(bench, "prefill throughput", run.prefillRate, "orders/s", "-", "GTC orders through the exchange into the empty book"));
        }
        if (sc.resting() <= 10_000) {
            ExchangeRun lat = new ExchangeRun(s, sc.users());
            lat.prefill();
            rows.addAll(lat.latency(bench, pin, cpu, platform));
        }
        return rows;
    }

    /** One fresh exchange replaying the stream with pre-built, already verified requests. */
    static final class ExchangeRun {
        final CoreStream s;
        final Eip712 domain = new Eip712(1, Address.fromHex("0x00000000000000000000000000000000000000aa"));
        final Exchange ex;
        final Address[] owners;
        Hash32[] current;
        final Object[] requests = new Object[CHUNK];
        final Hash32[] replaced = new Hash32[CHUNK];
        long fills;
        long rejects;
        double prefillRate;
        /** The matcher thread's own CPU time in the last {@link #throughput} (the timed part only). */
        long cpuNanos;
        long nonce = 1;

        /**
         * Margin each order brings: far above what any trader's resting orders and position need
         * together (the pre-check counts all of a trader's resting orders on a side against the
         * new order's margin), so no command is refused for risk and the exchange replays the
         * same book as the generator.
         */
        static final long MARGIN = 10_000_000_000_000L;

        ExchangeRun(CoreStream s, int users) {
            this.s = s;
            ex = new Exchange(domain, new dev.clearline.engine.order.NativeSecp256k1Verifier(),
                    new MarketBooks(s.bookConfig().maxPriceTicks(), s.bookConfig().maxSizeLots(), s.bookConfig().capacity()));
            current = new Hash32[s.total() + 2];
            Signer oracle = new Signer(BigInteger.valueOf(99));
            ex.apply(new Transition.MarketConfig(0, 0, 1, 1, 1, 100_000, 50_000, 0, 0, oracle.address()));
            ex.apply(new Transition.OraclePrice(1, s.mid, 0, 1, oracle.sign(domain.oraclePriceDigest(1, s.mid, 0, 1))));
            owners = new Address[users + 1];
            for (int i = 1; i <= users; i++) {
                byte[] a = new byte[20];
                a[0] = 1;
                a[17] = (byte) (i >>> 16);
                a[18] = (byte) (i >>> 8);
                a[19] = (byte) i;
                owners[i] = new Address(a);
                ex.apply(new Transition.Deposit(i, 0, owners[i], 100_000_000_000_000_000L));
            }
            ex.takeTransitions();
            ex.discardEvents();
        }

        void prefill() {
            long nanos = 0;
            for (int from = 0; from < s.prefillCount(); from += CHUNK) {
                int to = Math.min(s.prefillCount(), from + CHUNK);
                build(from, to);
                long t0 = System.nanoTime();
                for (int i = from; i < to; i++) execute(i, from);
                nanos += System.nanoTime() - t0;
                ex.takeTransitions();
                ex.discardEvents();
            }
            prefillRate = s.prefillCount() / (nanos / 1e9);
            if (rejects > 0) System.out.printf("warning: %d prefill orders were refused%n", rejects);
        }

        double throughput() {
            long nanos = 0;
            cpuNanos = 0;
            for (int from = s.prefillCount(); from < s.total(); from += CHUNK) {
                int to = Math.min(s.total(), from + CHUNK);
                build(from, to);
                long c0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int i = from; i < to; i++) {
                    execute(i, from);
                    if ((i & 1023) == 0) ex.discardEvents();
                }
                nanos += System.nanoTime() - t0;
                cpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
                for (Transition t : ex.takeTransitions()) if (t instanceof Transition.Trade) fills++;
                ex.discardEvents();
            }
            return s.commandCount() / (nanos / 1e9);
        }

        List<Report.Row> latency(String bench, String pin, int cpu, PacedRun platform) {
            PacedRun run = new PacedRun();
            double interval = 1e9 / OFFERED;
            double idleWeighted = 0;
            long idleSpan = 0;
            run.begin(cpu);
            for (int from = s.prefillCount(); from < s.total(); from += CHUNK) {
                int to = Math.min(s.total(), from + CHUNK);
                build(from, to);
                MachineIdle i0 = MachineIdle.now();
                long t0 = System.nanoTime();
                for (int i = from; i < to; i++) {
                    long intended = t0 + (long) ((i - from) * interval);
                    long started = run.awaitDue(intended);
                    execute(i, from);
                    run.record(intended, started, System.nanoTime());
                    if ((i & 1023) == 0) ex.discardEvents();
                }
                long span = System.nanoTime() - t0;
                double idle = MachineIdle.now().since(i0);
                if (!Double.isNaN(idle)) {
                    idleWeighted += idle * span;
                    idleSpan += span;
                }
                ex.takeTransitions();
                ex.discardEvents();
            }
            run.end();
            // the requests of each chunk are built between chunks, outside the timed commands but inside the window's counters
            return latencyRows(bench, run, platform, idleSpan == 0 ? Double.NaN : idleWeighted / idleSpan, pin);
        }

        private void build(int from, int to) {
            for (int i = from; i < to; i++) {
                int id = s.orderId(i);
                Address owner = owners[s.ownerId(i)];
                switch (s.kind(i)) {
                    case CoreStream.CANCEL -> requests[i - from] = new VerifiedCancel(owner, hashOf(id), UNCHECKED);
                    case CoreStream.MOVE, CoreStream.REDUCE -> {
                        if (s.size(i) == 0) {
                            requests[i - from] = new VerifiedCancel(owner, hashOf(id), UNCHECKED);
                        } else {
                            replaced[i - from] = hashOf(id);
                            requests[i - from] = verified(id, owner, s.buy(i), s.price(i), s.size(i), TimeInForce.GTC, 0);
                        }
                    }
                    case CoreStream.IOC -> requests[i - from] = verified(id, owner, s.buy(i), s.price(i), s.size(i), TimeInForce.IOC, 0);
                    default -> requests[i - from] = verified(id, owner, s.buy(i), s.price(i), s.size(i), TimeInForce.GTC, 0);
                }
            }
        }

        private Hash32 hashOf(int id) {
            Hash32 h = current[id];
            return h == null ? Hash32.ZERO : h;
        }

        private VerifiedOrder verified(int id, Address owner, boolean buy, long price, long size, TimeInForce tif, int flags) {
            Order o = new Order(owner, 1, buy ? dev.clearline.engine.order.Side.BUY : dev.clearline.engine.order.Side.SELL,
                    price, size, 0, tif, flags, 0, nonce++, MARGIN);
            Hash32 h = domain.orderDigest(o);
            current[id] = h;
            return new VerifiedOrder(o, h, UNCHECKED);
        }

        private void execute(int i, int from) {
            Object r = requests[i - from];
            Object result;
            if (r instanceof VerifiedCancel c) {
                result = ex.cancel(c);
            } else if (s.kind(i) == CoreStream.MOVE || s.kind(i) == CoreStream.REDUCE) {
                VerifiedOrder v = (VerifiedOrder) r;
                result = ex.amend(new VerifiedCancel(v.order().trader(), replaced[i - from], UNCHECKED), v);
            } else {
                result = ex.submit((VerifiedOrder) r);
            }
            if (result != null) rejects++;
        }
    }
}
