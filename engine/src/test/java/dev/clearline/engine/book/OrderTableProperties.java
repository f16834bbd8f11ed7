package dev.clearline.engine.book;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

class OrderTableProperties {

    /**
     * Ids collide on purpose (few distinct values, in a small table) so long probe runs and
     * backward shifts across them happen; every live id is found exactly where its link slot says
     * its order is, and nowhere else; link slots are distinct, stay with their order through
     * moves, and stay packed (none above the most orders ever live at once).
     */
    @Test
    void findsExactlyTheLiveIdsWhereTheirLinkSlotsSayTheyAre() {
        Property.forAll(Gens.listOf(Gens.ints(-40, 40), 0, 400)).tries(300).check(ids -> {
            Map<Long, Integer> linkOf = new HashMap<>();
            OrderTable table = new OrderTable(16);
            int peak = 0;
            for (int k : ids) {
                long id = k * 1_000_003L;
                if (linkOf.containsKey(id)) {
                    table.vacate(table.find(id));
                    linkOf.remove(id);
                } else if (linkOf.size() < 16) {
                    int position = table.claim(id);
                    int link = table.linkOf(position);
                    assertThat(linkOf.values()).as("link slots in use").doesNotContain(link);
                    assertThat(table.positionOf(link)).isEqualTo(position);
                    linkOf.put(id, link);
                    peak = Math.max(peak, linkOf.size());
                }
                for (int probe = -40; probe <= 40; probe++) {
                    long p = probe * 1_000_003L;
                    Integer link = linkOf.get(p);
                    int found = table.find(p);
                    if (link == null) {
                        assertThat(found).as("position of %d", p).isEqualTo(OrderTable.ABSENT);
                    } else {
                        assertThat(found).as("position of %d", p).isEqualTo(table.positionOf(link));
                        assertThat(table.linkOf(found)).as("link slot of %d", p).isEqualTo(link);
                        assertThat(link).as("link slot of %d", p).isBetween(0, peak - 1);
                    }
                }
                assertThat(table.emptyPositions()).isEqualTo(table.positions() - linkOf.size());
            }
        });
    }

    /** A table refuses a claim beyond its capacity with a clear error instead of corrupting a link slot. */
    @Test
    void aClaimBeyondCapacityIsRefused() {
        OrderTable table = new OrderTable(16);
        for (long id = 1; id <= 16; id++) table.claim(id);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> table.claim(17))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("order table full");
        table.vacate(table.find(5));
        assertThat(table.find(17)).isEqualTo(OrderTable.ABSENT);
        int position = table.claim(17);
        assertThat(table.find(17)).isEqualTo(position);
    }

    /** The table of a book at 75 % of its capacity, after heavy cancel+place churn, keeps no dead positions. */
    @Test
    void churnAtThreeQuartersOfCapacityLeavesEveryFreePositionEmpty() {
        int capacity = 4_096;
        OrderBook book = new OrderBook(BookConfig.of(1_000, 100, capacity));
        BookEvents quiet = new BookEvents() {
            public void onAccepted(long s, long o, long w, Side side, long p, long l) { }
            public void onRejected(long s, long o, long w, RejectReason r) { throw new AssertionError(r); }
            public void onFill(long s, long m, long mo, long t, long to, Side ts, long p, long l, long mr, long tr) { }
            public void onRested(long s, long o, long p, long l) { }
            public void onCancelled(long s, long o, long w, long l, CancelReason r) { }
            public void onExpired(long s, long o, long w, long l) { }
            public void onAmended(long s, long o, long p, long l, boolean k) { }
        };
        int resting = capacity * 3 / 4;
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        long[] ids = new long[resting];
        long next = 1;
        for (int i = 0; i < resting; i++) {
            ids[i] = next++;
            book.place(ids[i], 1, Side.BUY, 1 + random.nextInt(500), 1, TimeInForce.GTC, 0, quiet);
        }
        for (int churn = 0; churn < 200_000; churn++) {
            int i = random.nextInt(resting);
            book.cancel(ids[i], 0, quiet);
            ids[i] = next++;
            book.place(ids[i], 1, Side.BUY, 1 + random.nextInt(500), 1, TimeInForce.GTC, 0, quiet);
        }
        OrderTable table = book.table();
        assertThat(book.restingOrders()).isEqualTo(resting);
        // 8,192 positions, 3,072 orders: every other position is empty, none lost to dead entries
        assertThat(table.emptyPositions()).isEqualTo(table.positions() - resting);
        // at a load of 3/8 linear probing keeps displacements short; 64 is far above any random outcome
        assertThat(table.longestProbe()).isLessThan(64);
        for (long id : ids) assertThat(book.isResting(id)).isTrue();
    }

    /**
     * The exchange numbers orders one after another: the ids of one run of {@link OrderTable#RUN}
     * land side by side (a new order's line is next to the last one's), while different runs are
     * scattered, so a table of long-lived orders does not become one long probe run.
     */
    @Test
    void consecutiveIdsOfOneRunSitSideBySideAndRunsScatter() {
        Property.forAll(Gens.longs(0, 1L << 40)).tries(200).check(start -> {
            OrderTable table = new OrderTable(4_096);
            long first = start & -OrderTable.RUN;
            int home = table.claim(first);
            for (int k = 1; k < OrderTable.RUN; k++) {
                assertThat(table.claim(first + k)).as("id %d of the run", first + k).isEqualTo((home + k) & (table.positions() - 1));
            }
            // the next 64 runs: their first ids are not all in the positions right after this run
            int adjacent = 0;
            for (int r = 1; r <= 64; r++) {
                int p = table.find(first + (long) r * OrderTable.RUN);
                if (p == OrderTable.ABSENT) p = table.claim(first + (long) r * OrderTable.RUN);
                if (((p - home) & (table.positions() - 1)) < 2L * OrderTable.RUN) adjacent++;
            }
            assertThat(adjacent).as("runs placed right after the first").isLessThan(8);
        });
    }
}
