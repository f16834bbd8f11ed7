package dev.clearline.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.book.BookEvent;
import dev.clearline.engine.book.BookEventLog;
import dev.clearline.engine.book.OrderBook;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The benchmark workload must be reproducible and valid, or its figures mean nothing. */
class WorkloadTest {
    private static final Workload.Spec SPEC = new Workload.Spec(1_000, 1_000, 750, 20_000);

    @Test
    void sameSeedGivesTheSameCommands() {
        Workload a = Workload.generate(SPEC, new SplittableRandom(7));
        Workload b = Workload.generate(SPEC, new SplittableRandom(7));
        for (int i = 0; i < a.prefillCount() + a.operationCount(); i++) {
            assertThat(new long[] {a.kind(i), a.orderId(i), a.ownerId(i), a.priceTicks(i), a.sizeLots(i)})
                    .as("command %d", i)
                    .containsExactly(b.kind(i), b.orderId(i), b.ownerId(i), b.priceTicks(i), b.sizeLots(i));
        }
    }

    @Test
    void replayIsNeverRejectedAndKeepsTheBookNearItsPrefillSize() {
        Workload w = Workload.generate(SPEC, new SplittableRandom(11));
        OrderBook book = new OrderBook(SPEC.bookConfig());
        BookEventLog log = new BookEventLog();
        int[] kinds = new int[4];
        for (int i = 0; i < w.prefillCount() + w.operationCount(); i++) {
            w.apply(i, book, log);
            if (i >= w.prefillCount()) {
                kinds[w.kind(i)]++;
            }
        }
        assertThat(log.events()).noneMatch(e -> e instanceof BookEvent.Rejected);
        assertThat(log.events()).anyMatch(e -> e instanceof BookEvent.Filled);
        assertThat(book.restingOrders()).isBetween(800, 1_200);
        // 9% GTC, 3% IOC, 6% cancel, 82% move, within sampling noise of 20,000 draws.
        assertThat(kinds[Workload.GTC]).isBetween(1_600, 2_000);
        assertThat(kinds[Workload.IOC]).isBetween(480, 720);
        assertThat(kinds[Workload.CANCEL]).isBetween(1_000, 1_400);
        assertThat(kinds[Workload.MOVE]).isBetween(16_000, 16_800);
    }
}
