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
     * backward shifts across them happen; every live id is found in exactly the slot it was given,
     * and nowhere else; slots are distinct, stay with their order while other orders come and go,
     * and stay packed (none above the most orders ever live at once); the index holds exactly one
     * position per live order.
     */
    @Test
    void findsExactlyTheLiveIdsInTheSlotsTheyWereGiven() {
        Property.forAll(Gens.listOf(Gens.ints(-40, 40), 0, 400)).tries(300).check(ids -> {
            Map<Long, Integer> slotOf = new HashMap<>();
            OrderTable table = new OrderTable(16);
            int peak = 0;
            for (int k : ids) {
                long id = k * 1_000_003L;
                if (slotOf.containsKey(id)) {
                    table.vacate(table.find(id));
                    slotOf.remove(id);
                } else if (slotOf.size() < 16) {
                    int slot = table.claim(id);
                    assertThat(slotOf.values()).as("slots in use").doesNotContain(slot);
                    slotOf.put(id, slot);
                    peak = Math.max(peak, slotOf.size());
                }
                for (int probe = -40; probe <= 40; probe++) {
                    long p = probe * 1_000_003L;
                    Integer slot = slotOf.get(p);
                    int found = table.find(p);
                    if (slot == null) {
                        assertThat(found).as("slot of %d", p).isEqualTo(OrderTable.ABSENT);
                    } else {
                        assertThat(found).as("slot of %d", p).isEqualTo(slot);
                        assertThat(slot).as("slot of %d", p).isBetween(0, peak - 1);
                        assertThat(table.pool()[slot * Slots.STRIDE + Slots.ID]).as("id in the record of %d", p).isEqualTo(p);
                    }
                }
                assertThat(table.emptyPositions()).isEqualTo(table.positions() - slotOf.size());
            }
        });
    }

    /**
     * Ids whose fingerprints collide: the index compares the record's id, so an id that shares a
     * fingerprint with a live one is not found in its place, and both are found when both live.
     * The pair is built by inverting the run hash (a multiplication by an odd constant): run
     * numbers whose hashes differ only below the fingerprint's 34 bits.
     */
    @Test
    void anIdSharingALiveIdsFingerprintIsNotTakenForIt() {
        long inverse = OrderTable.RUN_HASH; // Newton's iteration for the inverse modulo 2^64
        for (int k = 0; k < 6; k++) inverse *= 2 - OrderTable.RUN_HASH * inverse;
        long inv = inverse;
        Property.forAll(Gens.longs(0, 1L << 40)).tries(100).check(start -> {
            long a = start * OrderTable.RUN + (start % OrderTable.RUN);
            long h = (a >>> OrderTable.RUN_BITS) * OrderTable.RUN_HASH;
            long b = 0;
            for (long d = 1; b == 0; d++) {
                long hb = h ^ d; // same top bits as h
                long run = hb * inv;
                if (run >>> 61 == 0) b = run << OrderTable.RUN_BITS | (a & (OrderTable.RUN - 1));
            }
            assertThat(b).isNotEqualTo(a);
            assertThat(OrderTable.fingerprint(b)).as("fingerprints of %d and %d", a, b).isEqualTo(OrderTable.fingerprint(a));
            OrderTable table = new OrderTable(64);
            int sa = table.claim(a);
            assertThat(table.find(b)).isEqualTo(OrderTable.ABSENT);
            int sb = table.claim(b);
            assertThat(table.find(a)).isEqualTo(sa);
            assertThat(table.find(b)).isEqualTo(sb);
            table.vacate(sa);
            assertThat(table.find(a)).isEqualTo(OrderTable.ABSENT);
            assertThat(table.find(b)).isEqualTo(sb);
        });
    }

    /** The slot freed last is the next one given out, so a new order writes a record that is still cached. */
    @Test
    void theSlotFreedLastIsReusedFirst() {
        Property.forAll(Gens.listOf(Gens.longs(1, 1_000_000), 1, 60)).tries(200).check(ids -> {
            OrderTable table = new OrderTable(64);
            java.util.List<Long> live = new java.util.ArrayList<>();
            for (long id : ids) {
                if (table.find(id) == OrderTable.ABSENT) {
                    table.claim(id);
                    live.add(id);
                }
            }
            long gone = live.get(live.size() / 2);
            int freed = table.find(gone);
            table.vacate(freed);
            assertThat(table.claim(2_000_000L)).isEqualTo(freed);
        });
    }

    /** A table refuses a claim beyond its capacity with a clear error instead of corrupting a slot. */
    @Test
    void aClaimBeyondCapacityIsRefused() {
        OrderTable table = new OrderTable(16);
        for (long id = 1; id <= 16; id++) table.claim(id);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> table.claim(17))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("order table full");
        int five = table.find(5);
        table.vacate(five);
        // freeing it again is a caller's bug: a clear error, not a loop over the index or a slot freed twice
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> table.vacate(five))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds no live order");
        assertThat(table.find(17)).isEqualTo(OrderTable.ABSENT);
        int position = table.claim(17);
        assertThat(table.find(17)).isEqualTo(position);
    }

    /** The index of a book at 75 % of its capacity, after heavy cancel+place churn, keeps no dead positions. */
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
     * land side by side in the index, in one aligned group of 8 (a cache line), while different
     * runs are scattered, so a table of long-lived orders does not become one long probe run.
     */
    @Test
    void consecutiveIdsOfOneRunSitSideBySideAndRunsScatter() {
        Property.forAll(Gens.longs(0, 1L << 40)).tries(200).check(start -> {
            OrderTable table = new OrderTable(4_096);
            long first = start & -OrderTable.RUN;
            table.claim(first);
            int home = table.indexPosition(first);
            assertThat(home % OrderTable.RUN).as("the run's first position").isZero();
            for (int k = 1; k < OrderTable.RUN; k++) {
                table.claim(first + k);
                assertThat(table.indexPosition(first + k)).as("id %d of the run", first + k).isEqualTo((home + k) & (table.positions() - 1));
            }
            // the next 64 runs: their first ids are not all in the positions right after this run
            int adjacent = 0;
            for (int r = 1; r <= 64; r++) {
                long id = first + (long) r * OrderTable.RUN;
                if (table.find(id) == OrderTable.ABSENT) table.claim(id);
                int p = table.indexPosition(id);
                if (((p - home) & (table.positions() - 1)) < 2L * OrderTable.RUN) adjacent++;
            }
            assertThat(adjacent).as("runs placed right after the first").isLessThan(8);
        });
    }
}
