package dev.clearline.engine.exchange;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.stf.Reject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exchange's table of order hashes holds the live orders only, however many orders came and
 * went; every hash that left stays refused all the same (through its used nonce, the tree's
 * ORDER_HASH leaf, or the fingerprint of a cancel before posting).
 */
class OrderHashRetentionTest {
    static final int CYCLES = 1_000;

    final Desk d = new Desk();
    final Signer alice = d.trader(1, 1_000_000_000_000L);
    final Signer bob = d.trader(2, 1_000_000_000_000L);

    @Test
    void churnLeavesOnlyTheLiveOrdersInTheHashTable() {
        VerifiedOrder anchor = d.gtc(alice, Side.BUY, 5_000, 1, 10_000); // rests throughout, never posted
        d.place(anchor);
        VerifiedOrder lastCancelled = null;
        VerifiedOrder lastFilled = null;
        VerifiedOrder lastReplaced = null;
        int unpostedCancels = 0;
        for (int i = 0; i < CYCLES; i++) {
            // an order cancelled before it was posted
            VerifiedOrder resting = d.gtc(alice, Side.BUY, 9_000, 1, 10_000);
            d.place(resting);
            assertThat(d.ex.cancel(d.cancelOf(alice, resting))).isNull();
            lastCancelled = resting;
            unpostedCancels++;
            // two orders that meet: both posted, both gone (sides alternate so positions stay flat)
            Side makerSide = i % 2 == 0 ? Side.SELL : Side.BUY;
            Side takerSide = makerSide == Side.SELL ? Side.BUY : Side.SELL;
            d.place(d.gtc(bob, makerSide, 10_000, 1, 10_000));
            VerifiedOrder taker = d.gtc(alice, takerSide, 10_000, 1, 10_000);
            assertThat(d.submit(taker)).isNull();
            lastFilled = taker;
            // an order replaced by an amend
            VerifiedOrder old = d.gtc(bob, Side.SELL, 12_000, 2, 10_000);
            d.place(old);
            VerifiedOrder replacement = d.gtc(bob, Side.SELL, 12_100, 1, 10_000);
            assertThat(d.ex.amend(d.cancelOf(bob, old), replacement)).isNull();
            assertThat(d.ex.cancel(d.cancelOf(bob, replacement))).isNull();
            unpostedCancels++;
            lastReplaced = old;
            assertThat(d.ex.retainedOrderHashes()).as("cycle %d", i).isEqualTo(1);
            assertThat(d.book().restingOrders()).isEqualTo(1);
        }
        assertThat(d.ex.retainedOrderHashes()).isEqualTo(1);
        assertThat(d.ex.cancelledUnpostedFingerprints()).isEqualTo(unpostedCancels);

        // every hash that left is still refused, with the reason that says what became of it
        assertThat(d.submit(lastCancelled)).isEqualTo(Reject.ORDER_CANCELLED);
        assertThat(d.submit(lastFilled)).isEqualTo(Reject.DUPLICATE_ORDER);
        assertThat(d.submit(lastReplaced)).isEqualTo(Reject.DUPLICATE_NONCE);
        assertThat(d.submit(anchor)).isEqualTo(Reject.DUPLICATE_ORDER);
        assertThat(d.ex.retainedOrderHashes()).isEqualTo(1);
    }

    @Test
    void aPostedOrderRefusedAfterItsPostStaysSpent() {
        // a taker posted before its second fill is refused leaves the book; its hash must not come back
        VerifiedOrder ask = d.gtc(bob, Side.SELL, 10_000, 1, 10_000);
        d.place(ask);
        VerifiedOrder bid = d.verified(d.order(alice, Side.BUY, 10_000, 1, 10_000, dev.clearline.engine.order.TimeInForce.IOC, 0, 0, 0));
        assertThat(d.submit(bid)).isNull();
        assertThat(d.ex.retainedOrderHashes()).isZero();
        assertThat(d.submit(bid)).isEqualTo(Reject.DUPLICATE_ORDER);
        assertThat(d.submit(ask)).isEqualTo(Reject.DUPLICATE_ORDER);
    }

    @Test
    void anotherTradersForcedCancelNeitherOrphansNorBlocksAnOrder() {
        // bob force-cancels the hash of alice's resting, never-posted order: the tree holds bob's
        // tombstone, which does not bind alice's order (docs/protocol.md), so it stays live here
        VerifiedOrder resting = d.gtc(alice, Side.BUY, 9_000, 1, 10_000);
        long id = d.place(resting);
        assertThat(d.ex.apply(d.w.forcedCancel(bob.address(), resting.hash()))).isNull();
        assertThat(d.ex.orderId(resting.hash())).isEqualTo(id);
        assertThat(d.book().isResting(id)).isTrue();
        assertThat(d.ex.cancel(d.cancelOf(alice, resting))).isNull();
        assertThat(d.book().isResting(id)).isFalse();

        // and an order whose hash bob tombstoned before the exchange saw it is taken
        VerifiedOrder next = d.gtc(alice, Side.BUY, 9_100, 1, 10_000);
        assertThat(d.ex.apply(d.w.forcedCancel(bob.address(), next.hash()))).isNull();
        assertThat(d.submit(next)).isNull();
        assertThat(d.book().isResting(d.ex.orderId(next.hash()))).isTrue();

        // alice's own tombstone binds her order, nonce fresh or not
        VerifiedOrder own = d.gtc(alice, Side.BUY, 9_200, 1, 10_000);
        assertThat(d.ex.apply(d.w.forcedCancel(alice.address(), own.hash()))).isNull();
        assertThat(d.submit(own)).isEqualTo(Reject.ORDER_CANCELLED);
        assertThat(d.ex.retainedOrderHashes()).isEqualTo(1);
    }
}
