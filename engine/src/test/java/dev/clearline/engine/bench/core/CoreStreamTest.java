package dev.clearline.engine.bench.core;

import dev.clearline.engine.book.OrderBook;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark's exchange-core stream has the shape it claims, and replays on a fresh book without a refusal. */
class CoreStreamTest {
    @Test
    void theStreamHasExchangeCoresMixAndReplaysCleanly() {
        CoreStream s = CoreStream.generate(1_000, 200_000, 2_000, new SplittableRandom(3));
        assertThat(s.prefillCount()).isGreaterThanOrEqualTo(1_000);
        int[] kinds = new int[5];
        for (int i = s.prefillCount(); i < s.total(); i++) kinds[s.kind(i)]++;
        double n = s.commandCount();
        System.out.printf("core stream mix: GTC %.1f%%, IOC %.1f%%, cancel %.1f%%, move %.1f%%, reduce %.1f%%%n",
                100 * kinds[0] / n, 100 * kinds[1] / n, 100 * kinds[2] / n, 100 * kinds[3] / n, 100 * kinds[4] / n);
        // a side short of orders draws new limits 1 time in 5, a full one draws an IOC 1 time in 20;
        // cancels and reductions share the rest equally with moves taking the bulk
        assertThat(kinds[CoreStream.MOVE] / n).isGreaterThan(0.6);
        assertThat(Math.abs(kinds[CoreStream.CANCEL] - kinds[CoreStream.REDUCE]) / n).isLessThan(0.01);
        assertThat(kinds[CoreStream.IOC]).isPositive();
        assertThat(kinds[CoreStream.GTC]).isPositive();
        for (int i = s.prefillCount(); i < s.total(); i++) {
            if (s.kind(i) == CoreStream.GTC || s.kind(i) == CoreStream.IOC) assertThat(s.size(i)).isBetween(1, 126);
        }
        CoreStreamBenchmark.Counting sink = new CoreStreamBenchmark.Counting() {
            @Override
            public void onRejected(long seq, long o, long w, dev.clearline.engine.book.RejectReason r) {
                throw new AssertionError("command for order " + o + " refused: " + r);
            }
        };
        OrderBook book = new OrderBook(s.bookConfig());
        for (int i = 0; i < s.total(); i++) s.apply(i, book, sink);
        assertThat(book.restingOrders()).isBetween(600, 1_600);
        assertThat(sink.fills).isPositive();
    }
}
