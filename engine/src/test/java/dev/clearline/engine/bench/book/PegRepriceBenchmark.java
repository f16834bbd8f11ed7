package dev.clearline.engine.bench.book;

import dev.clearline.testkit.bench.MachineIdle;
import dev.clearline.engine.bench.exchange.Report;
import dev.clearline.engine.book.BookConfig;
import dev.clearline.engine.book.BookEvents;
import dev.clearline.engine.book.CancelReason;
import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.OrderFlags;
import dev.clearline.engine.book.PegRef;
import dev.clearline.engine.book.RejectReason;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.book.TimeInForce;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a mark update costs the book with pegged orders resting: none, 1,000 and 100,000
 * mark-pegged bids (offsets 1..500 ticks below the mark, limits far above, fixed asks above
 * them), the mark moving by 1-3 ticks per update. Pegs are priced when read, so the cost should
 * not grow with the number resting; the row without pegs is the reference in the same run.
 * {@code ./clearline bench engine pegs}; about a minute on an idle machine.
 */
public final class PegRepriceBenchmark {
    private PegRepriceBenchmark() {}

    /** Counts fills (there should be none: the pegs never reach the asks). */
    static final class Quiet implements BookEvents {
        long fills;
        public void onAccepted(long s, long o, long w, Side side, long p, long l) { }
        public void onRejected(long s, long o, long w, RejectReason r) { throw new IllegalStateException("rejected: " + r); }
        public void onFill(long s, long m, long mo, long t, long to, Side ts, long p, long l, long mr, long tr) { fills++; }
        public void onRested(long s, long o, long p, long l) { }
        public void onCancelled(long s, long o, long w, long l, CancelReason r) { }
        public void onExpired(long s, long o, long w, long l) { }
        public void onAmended(long s, long o, long p, long l, boolean k) { }
    }

    public static List<Report.Row> run(boolean full) {
        int updates = full ? 5_000_000 : 1_000_000;
        List<Report.Row> rows = new ArrayList<>();
        double reference = 0;
        for (int pegs : new int[] {0, 1_000, 100_000}) {
            OrderBook book = new OrderBook(BookConfig.of(1 << 17, 1_000_000, 1 << 18));
            Quiet sink = new Quiet();
            long mid = 50_000;
            book.mark(mid, mid, 0, sink);
            SplittableRandom r = new SplittableRandom(11);
            long id = 1;
            for (int i = 0; i < 1_000; i++) {
                book.place(id++, 1, Side.SELL, mid + 1_000 + r.nextInt(500), 1, TimeInForce.GTC, 0, sink);
            }
            for (int i = 0; i < pegs; i++) {
                book.placePegged(id++, 2 + i % 1_000, Side.BUY, PegRef.MARK, -1 - r.nextInt(500), 100_000, 1,
                        TimeInForce.GTC, OrderFlags.NONE, 0, 0, OrderBook.NEVER_EXPIRES, 0, sink);
            }
            double best = Double.MAX_VALUE;
            double idle = Double.NaN;
            for (int round = 0; round < 3; round++) {
                long m = mid;
                MachineIdle before = MachineIdle.now();
                long t0 = System.nanoTime();
                for (int u = 0; u < updates; u++) {
                    m += (u & 1) == 0 ? 1 + (u >> 1) % 3 : -1 - (u >> 1) % 3;
                    book.mark(m, m, 0, sink);
                }
                double ns = (System.nanoTime() - t0) / (double) updates;
                if (ns < best) {
                    best = ns;
                    idle = MachineIdle.now().since(before);
                }
            }
            if (sink.fills != 0 || book.bestBidTicks() == OrderBook.NO_PRICE && pegs > 0) {
                throw new IllegalStateException("the set-up is wrong: " + sink.fills + " fills");
            }
            if (pegs == 0) reference = best;
            System.out.printf("mark update with %,d pegs resting: %.1f ns (machine idle %.0f%%)%n", pegs, best, idle * 100);
            rows.add(new Report.Row("pegged orders", String.format("mark update, %,d pegs resting", pegs), best, "ns",
                    "independent of the pegs resting",
                    String.format("machine idle %.0f%% during the run; %.2fx the same update with no pegs, same run; "
                            + "best of 3 rounds of %,d updates moving the mark 1-3 ticks", idle * 100, best / reference, updates)));
        }
        return rows;
    }
}
