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
     * and nowhere else; slots are distinct and stay with their order while other orders come and
     * go; an order sits in its home slot unless that was taken when it came, and the index holds
     * exactly one position per order away from its home; free slots are the slots no order holds.
     */
    @Test
    void findsExactlyTheLiveIdsInTheSlotsTheyWereGiven() {
        Property.forAll(Gens.listOf(Gens.ints(-40, 40), 0, 400)).tries(300).check(ids -> {
            Map<Long, Integer> slotOf = new HashMap<>();
            OrderTable table = new OrderTable(16);
            for (int k : ids) {
                long id = k * 1_000_003L;
                if (slotOf.containsKey(id)) {
                    table.vacate(table.find(id));
                    slotOf.remove(id);
                } else if (slotOf.size() < 16) {
                    int slot = table.claim(id);
                    assertThat(slotOf.values()).as("slots in use").doesNotContain(slot);
                    assertThat(slot == table.home(id)).as("home slot of %d, free when it came", id)
                            .isEqualTo(!slotOf.containsValue(table.home(id)));
                    slotOf.put(id, slot);
                }
                for (int probe = -40; probe <= 40; probe++) {
                    long p = probe * 1_000_003L;
                    Integer slot = slotOf.get(p);
                    int found = table.find(p);
                    if (slot == null) {
                        assertThat(found).as("slot of %d", p).isEqualTo(OrderTable.ABSENT);
                    } else {
                        assertThat(found).as("slot of %d", p).isEqualTo(slot);
                        assertThat(slot).as("slot of %d", p).isBetween(0, table.slots() - 1);
                        assertThat(table.pool()[slot * Slots.STRIDE + Slots.ID]).as("id in the record of %d", p).isEqualTo(p);
                    }
                }
                long away = slotOf.entrySet().stream().filter(e -> e.getValue() != table.home(e.getKey())).count();
                assertThat(table.indexed()).as("orders away from home").isEqualTo((int) away);
                assertThat(table.emptyPositions()).isEqualTo(table.positions() - (int) away);
                assertThat(table.freeSlots()).isEqualTo(table.slots() - slotOf.size());
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
            // strangers in both homes, so a and b go to the index, where fingerprints matter
            int sx = table.claim(a + table.slots());
            if (table.home(b) != table.home(a)) table.claim(b + table.slots());
            int sa = table.claim(a);
            assertThat(sa).isNotEqualTo(table.home(a));
            assertThat(sx).isEqualTo(table.home(a));
            assertThat(table.find(b)).isEqualTo(OrderTable.ABSENT);
            int sb = table.claim(b);
            assertThat(table.find(a)).isEqualTo(sa);
            assertThat(table.find(b)).isEqualTo(sb);
            table.vacate(sa);
            assertThat(table.find(a)).isEqualTo(OrderTable.ABSENT);
            assertThat(table.find(b)).isEqualTo(sb);
        });
    }

    /**
     * Consecutive ids take consecutive slots (the exchange numbers orders one after another, so
     * orders placed together share record lines), found without the index; an id whose home is
     * taken goes elsewhere, half the table away, through the index, and its home is its own again
     * once free.
     */
    @Test
    void consecutiveIdsTakeConsecutiveSlotsAndACollisionGoesToTheIndex() {
        Property.forAll(Gens.longs(0, 1L << 40), Gens.ints(1, 200)).tries(200).check((start, n) -> {
            OrderTable table = new OrderTable(256);
            int first = table.claim(start);
            for (int k = 1; k < n; k++) {
                assertThat(table.claim(start + k)).as("slot of id %d", start + k).isEqualTo((first + k) & (table.slots() - 1));
            }
            assertThat(table.indexed()).isZero();
            assertThat(table.emptyPositions()).isEqualTo(table.positions());
            long stranger = start + table.slots();
            int away = table.claim(stranger);
            assertThat(away).isNotEqualTo(table.home(stranger));
            assertThat(((away - first) & (table.slots() - 1)) >= table.slots() / 2 - n).as("half the table away").isTrue();
            assertThat(table.indexed()).isEqualTo(1);
            assertThat(table.find(stranger)).isEqualTo(away);
            assertThat(table.find(start)).isEqualTo(first);
            table.vacate(first);
            assertThat(table.find(stranger)).isEqualTo(away);
            assertThat(table.find(start)).isEqualTo(OrderTable.ABSENT);
            table.vacate(away);
            assertThat(table.indexed()).isZero();
            assertThat(table.claim(stranger)).as("home again").isEqualTo(first);
        });
    }

    /**
     * Ids that all share one home fill a table to its last slot: each goes wherever a slot is free
     * (the search wraps around the end), every one is found, and slots freed in any order are
     * given out again until the table is full once more.
     */
    @Test
    void idsSharingOneHomeFillEverySlot() {
        Property.forAll(Gens.listOf(Gens.ints(0, 1023), 0, 40), Gens.ints(0, 1000)).tries(100).check((frees, base) -> {
            OrderTable table = new OrderTable(1_024);
            int slots = table.slots();
            assertThat(slots).isEqualTo(1_024);
            long[] idAt = new long[slots];
            long next = base;
            for (int k = 0; k < slots; k++, next += slots) {
                int slot = table.claim(next);
                idAt[slot] = next;
            }
            assertThat(table.freeSlots()).isZero();
            for (int slot = 0; slot < slots; slot++) assertThat(table.find(idAt[slot])).isEqualTo(slot);
            java.util.Set<Integer> freed = new java.util.HashSet<>(frees);
            for (int slot : freed) table.vacate(slot);
            for (int k = 0, n = freed.size(); k < n; k++, next += slots) {
                int slot = table.claim(next);
                assertThat(freed).as("slot given out").contains(slot);
                freed.remove(slot);
                idAt[slot] = next;
            }
            assertThat(table.freeSlots()).isZero();
            for (int slot = 0; slot < slots; slot++) assertThat(table.find(idAt[slot])).isEqualTo(slot);
            assertThat(table.emptyPositions()).isEqualTo(table.positions() - table.indexed());
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
        // ids run far past the 4,096 slots: orders whose home was taken went to the index, and every
        // index position not holding one of them is empty, none lost to dead entries; no slot lost either
        assertThat(table.indexed()).isPositive();
        assertThat(table.emptyPositions()).isEqualTo(table.positions() - table.indexed());
        assertThat(table.freeSlots()).isEqualTo(table.slots() - resting);
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
            // strangers in the homes of the run and the next 64 runs, so they all go to the index
            for (long id = first; id < first + 65L * OrderTable.RUN; id++) table.claim(id + table.slots());
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
