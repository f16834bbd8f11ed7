package dev.clearline.conformance.stf.bench;

import dev.clearline.testkit.bench.MachineIdle;
import dev.clearline.conformance.stf.CaseGenerator;
import dev.clearline.conformance.stf.CodeTally;
import dev.clearline.conformance.stf.Differential;
import dev.clearline.conformance.stf.DivergenceVectors;
import dev.clearline.conformance.stf.KnownDivergences;
import dev.clearline.conformance.stf.StepHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The long differential campaign: {@code --cases} random cases (default 1,000,000) from {@code --seed},
 * each through the Java STF and the Solidity step in the embedded EVM, on {@code --threads} threads
 * (one EVM each). Writes bench-results/stf-conformance.md and .json: the reject-code table, cases
 * per second, divergences (each kept as a vector under test-vectors/stf-steps/).
 *
 * <p>{@code ./clearline bench conformance stf-campaign --cases 1000000 --seed 42}
 */
public final class StfCampaign {
    private StfCampaign() {}

    public static void main(String[] args) throws Exception {
        long cases = 1_000_000;
        long seed = 42;
        int threads = Runtime.getRuntime().availableProcessors();
        Path out = Path.of("..", "bench-results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cases" -> cases = Long.parseLong(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --cases N --seed S --threads T --out DIR");
            }
        }
        CodeTally tally = new CodeTally();
        AtomicLong next = new AtomicLong();
        AtomicLong done = new AtomicLong();
        List<String> divergences = java.util.Collections.synchronizedList(new ArrayList<>());
        MachineIdle idle = new MachineIdle();
        long t0 = System.nanoTime();
        final long total = cases;
        final long base = seed;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try (StepHarness evm = new StepHarness()) {
                    Differential d = new Differential(evm::step);
                    CaseGenerator g = new CaseGenerator(Differential.DOMAIN);
                    for (long i; (i = next.getAndIncrement()) < total; ) {
                        Differential.Comparison c = d.run(g.generate(caseSeed(base, i)));
                        if (c.agree()) tally.count(c);
                        else if (KnownDivergences.explain(c).isPresent()) tally.known(c);
                        else divergences.add(c.describe() + " kept=" + DivergenceVectors.keep(d, c));
                        long n = done.incrementAndGet();
                        if (n % 10_000 == 0) {
                            double s = (System.nanoTime() - t0) / 1e9;
                            System.out.printf(Locale.ROOT, "stf-campaign progress cases=%d of=%d cases_per_s=%.0f divergences=%d%n",
                                    n, total, n / s, divergences.size());
                        }
                    }
                }
            }, "stf-campaign-" + t);
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) w.join();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double perSecond = done.get() / seconds;
        double idleShare = idle.share();
        String command = "./clearline bench conformance stf-campaign --cases " + cases + " --seed " + seed;
        String md = "# STF differential campaign (Java STF vs Solidity step, embedded EVM)\n\n"
                + "- command: `" + command + "`\n"
                + "- date: " + Instant.now() + ", threads: " + threads + ", cores: " + Runtime.getRuntime().availableProcessors()
                + ", JDK: " + Runtime.version() + "\n"
                + String.format(Locale.ROOT, "- cases: %d in %.0f s = **%.0f cases/s** (machine idle share during the run: %.0f %%)%n",
                        done.get(), seconds, perSecond, idleShare * 100)
                + "- unexplained divergences: " + divergences.size() + (divergences.isEmpty() ? "" : " (see below; vectors kept)") + "\n"
                + tally.body()
                + (divergences.isEmpty() ? "" : "\n## Divergences\n\n" + String.join("\n", divergences.stream().map(x -> "- " + x).toList()) + "\n");
        String json = String.format(Locale.ROOT,
                "{\"command\": \"%s\", \"date\": \"%s\", \"cases\": %d, \"seed\": %d, \"threads\": %d, \"seconds\": %.1f,"
                        + " \"casesPerSecond\": %.1f, \"idleShare\": %.3f, \"divergences\": %d, \"outcomes\": %s}%n",
                command, Instant.now(), done.get(), seed, threads, seconds, perSecond, idleShare, divergences.size(), tally.json());
        Files.createDirectories(out);
        Files.writeString(out.resolve("stf-conformance.md"), md);
        Files.writeString(out.resolve("stf-conformance.json"), json);
        System.out.print(md);
        if (!divergences.isEmpty()) System.exit(1);
    }

    /** The seed of case {@code i} of a campaign: a SplitMix64 step, so neighbouring cases differ widely. */
    static long caseSeed(long seed, long i) {
        long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
