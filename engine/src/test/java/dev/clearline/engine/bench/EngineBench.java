package dev.clearline.engine.bench;

import dev.clearline.engine.bench.book.BookBenchmark;
import dev.clearline.engine.bench.exchange.ExchangeBenchmark;
import dev.clearline.engine.bench.exchange.Report;
import dev.clearline.engine.bench.exchange.SignatureBenchmark;
import dev.clearline.engine.bench.exchange.StfBenchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The engine's benchmark entry ({@code ./clearline bench engine [book|exchange|core|pegs|stf|sigs|all] [full]};
 * {@code core} also takes {@code latency}, {@code --commands N}, {@code --resting 1k|1m|both} and {@code --book-only}, see
 * {@link dev.clearline.engine.bench.core.CoreStreamBenchmark.Options}).
 * {@code pegs} is the cost of a mark update with pegged orders resting (bench-results/engine-pegs.md).
 * {@code book} is the order book alone on the uniform workload (its own report,
 * bench-results/engine-book.md); {@code core} is exchange-core's own stream through the book alone
 * and through the exchange, beside the uniform workload through the exchange (its own report,
 * bench-results/engine-core.md); the others write bench-results/engine.md and engine.json. No
 * argument runs exchange, stf and sigs.
 */
public final class EngineBench {
    private EngineBench() {}

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "all";
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : new String[0];
        if (which.equals("book")) {
            BookBenchmark.main(rest);
            return;
        }
        boolean full = Arrays.asList(rest).contains("full");
        if (which.equals("pegs")) {
            Report.write(dev.clearline.engine.bench.book.PegRepriceBenchmark.run(full), "./clearline bench engine " + String.join(" ", args),
                    "engine-pegs", "engine: what a mark update costs the book with pegged orders resting");
            return;
        }
        if (which.equals("core")) {
            // core [full] [latency] [--commands N] [--resting 1k|1m|both] [--book-only]; a trial (--commands, latency) writes its own report
            var o = dev.clearline.engine.bench.core.CoreStreamBenchmark.Options.parse(rest);
            List<Report.Row> core = new ArrayList<>(dev.clearline.engine.bench.core.CoreStreamBenchmark.run(o));
            if (!o.latencyOnly() && !o.bookOnly() && o.commands() == 0) core.addAll(ExchangeBenchmark.run(full));
            Report.write(core, "./clearline bench engine " + String.join(" ", args), o.stem(),
                    o.latencyOnly() ? "engine: latency at 1M commands/s offered on exchange-core's stream, matcher pinned"
                            : "engine: exchange-core's stream and the uniform workload, book alone and matching + risk");
            return;
        }
        List<Report.Row> rows = new ArrayList<>();
        if (which.equals("all") || which.equals("sigs")) rows.addAll(SignatureBenchmark.run(full));
        if (which.equals("all") || which.equals("exchange")) rows.addAll(ExchangeBenchmark.run(full));
        if (which.equals("all") || which.equals("stf")) rows.addAll(StfBenchmark.run(full));
        if (rows.isEmpty()) throw new IllegalArgumentException("unknown benchmark '" + which + "'; use book, pegs, exchange, core, stf, sigs or all");
        Report.write(rows, "./clearline bench engine " + String.join(" ", args));
    }
}
