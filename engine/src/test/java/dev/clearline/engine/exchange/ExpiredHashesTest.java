package dev.clearline.engine.exchange;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.transition.Transition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exchange prunes a finished order's hash (PruneOrderHash) in the first command after which its
 * market's oracle clock has passed the order's expiry, soonest first; an order without expiry keeps
 * its hash; and the signed order stays refused after its hash is gone.
 */
class ExpiredHashesTest {
    final Desk d = new Desk();
    final Signer alice = d.trader(1, 1_000_000_000_000L);
    final Signer bob = d.trader(2, 1_000_000_000_000L);

    VerifiedOrder expiring(Signer s, Side side, long price, long expiry) {
        return d.verified(d.order(s, side, price, 1, 10_000, TimeInForce.GTC, 0, 0, expiry));
    }

    List<Transition.PruneOrderHash> hashPrunes() {
        return d.ex.takeTransitions().stream().filter(t -> t instanceof Transition.PruneOrderHash).map(t -> (Transition.PruneOrderHash) t).toList();
    }

    @Test
    void filledOrdersHashesGoSoonestFirstOnceTheClockPassesTheirExpiryAndStayRefused() {
        VerifiedOrder later = expiring(bob, Side.SELL, 10_000, d.ts + 20);
        VerifiedOrder sooner = expiring(alice, Side.BUY, 10_000, d.ts + 10);
        VerifiedOrder forever = d.gtc(bob, Side.SELL, 10_100, 1, 10_000);
        VerifiedOrder taker = d.gtc(alice, Side.BUY, 10_100, 1, 10_000);
        d.place(later);
        assertThat(d.submit(sooner)).isNull();     // fills `later`: both done with
        d.place(forever);
        assertThat(d.submit(taker)).isNull();      // fills `forever`: both done with, neither expires
        assertThat(hashPrunes()).isEmpty();
        assertThat(d.ex.hashesWaitingForPrune()).isEqualTo(2);

        d.oracle(10_000, d.ts + 10);                // at `sooner`'s expiry: not past it
        assertThat(hashPrunes()).isEmpty();
        d.oracle(10_000, d.ts + 15);                // past `sooner`'s and `later`'s expiries, in that order
        assertThat(hashPrunes()).extracting(Transition.PruneOrderHash::orderHash).containsExactly(sooner.hash(), later.hash());
        assertThat(d.ex.hashesWaitingForPrune()).isZero();
        assertThat(StateReads.orderHash(d.ex.state(), sooner.hash())).isNull();
        assertThat(StateReads.orderHash(d.ex.state(), forever.hash())).as("no expiry: kept").isNotNull();

        assertThat(d.submit(sooner)).as("the same signed order again: its nonce is forgotten too, the order expired for good")
                .isEqualTo(Reject.EXPIRED);
        assertThat(d.ex.takeTransitions()).isEmpty();
        d.oracle(10_000, d.ts + 1_000);
        assertThat(hashPrunes()).isEmpty();
    }

    @Test
    void aPartlyFilledRestingOrderThatExpiresLosesItsLeafThenItsHashInTheSameCommand() {
        VerifiedOrder bid = d.verified(d.order(alice, Side.BUY, 9_000, 2, 20_000, TimeInForce.GTC, 0, 0, d.ts + 5));
        d.place(bid);
        assertThat(d.submit(d.gtc(bob, Side.SELL, 9_000, 1, 10_000))).isNull(); // posts the bid, which rests on with 1 lot
        d.ex.takeTransitions();
        long id = StateReads.orderHash(d.ex.state(), bid.hash()).orderId();
        d.oracle(10_000, d.ts + 6);
        List<Transition> taken = d.ex.takeTransitions();
        int leaf = taken.indexOf(new Transition.PruneOrder(id));
        int hash = taken.indexOf(new Transition.PruneOrderHash(bid.hash()));
        assertThat(leaf).as("%s", taken).isNotNegative();
        assertThat(hash).as("after the leaf's prune").isGreaterThan(leaf);
        assertThat(StateReads.orderHash(d.ex.state(), bid.hash())).isNull();
        assertThat(d.book().restingOrders()).isZero();
    }

    @Test
    void aCrowdExpiringTogetherIsPrunedAtMostAFewHundredPerCommandSoonestFirst() {
        int n = 2 * ExpiredHashes.PER_COMMAND + 88;
        List<VerifiedOrder> bids = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            VerifiedOrder bid = expiring(alice, Side.BUY, 10_000, d.ts + 1 + i % 2);
            d.place(bid);
            assertThat(d.submit(expiring(bob, Side.SELL, 10_000, d.ts + 5))).isNull();
            bids.add(bid);
        }
        d.ex.takeTransitions();
        assertThat(d.ex.hashesWaitingForPrune()).isEqualTo(2 * n);
        d.oracle(10_000, d.ts + 3); // past every bid's expiry, not the asks'
        List<Transition.PruneOrderHash> first = hashPrunes();
        assertThat(first).hasSize(ExpiredHashes.PER_COMMAND);
        // soonest first: the bids expiring a second earlier (every other one) leave before any of the others
        java.util.Set<dev.clearline.engine.order.Hash32> sooner = new java.util.HashSet<>();
        for (int i = 0; i < n; i += 2) sooner.add(bids.get(i).hash());
        assertThat(first).extracting(Transition.PruneOrderHash::orderHash).allMatch(sooner::contains);
        d.oracle(10_000, d.ts + 1);
        assertThat(hashPrunes()).hasSize(ExpiredHashes.PER_COMMAND);
        d.oracle(10_000, d.ts + 1);
        assertThat(hashPrunes()).as("the rest of the bids").hasSize(88);
        assertThat(d.ex.hashesWaitingForPrune()).as("the asks, not expired yet").isEqualTo(n);
        for (VerifiedOrder bid : bids) assertThat(StateReads.orderHash(d.ex.state(), bid.hash())).isNull();
    }
}
