package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.testkit.Market;
import dev.clearline.engine.testkit.World;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.transition.Transition;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

class BadOrdersTest {
    static final long NOW = 1_000;
    final World w = new World();
    final Exchange ex = new Exchange(w.domain, new BouncyCastleVerifier(), new MarketBooks(1 << 16, 1 << 30, 1 << 12));
    final SignatureStage stage = new SignatureStage(w.domain, new BouncyCastleVerifier());
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);
    long nonce = 100;

    @BeforeEach
    void marketWithOneRestingAsk() {
        ex.apply(w.market(1), NOW);
        ex.apply(w.deposit(alice.address(), 1_000_000), NOW);
        ex.apply(w.deposit(bob.address(), 1_000_000), NOW);
        ex.apply(w.price(1, 10_000, 0, NOW), NOW);
        bobsAsk = order(bob, Side.SELL, 10_000, 10 * LOT, 50_000, TimeInForce.GTC, 0, 0);
        assertThat(submit(bob, bobsAsk)).isNull();
        assertThat(submit(alice, order(alice, Side.BUY, 9_000, 10 * LOT, 50_000, TimeInForce.GTC, 0, 0))).isNull();
        setup.addAll(ex.takeTransitions());
    }

    @Test
    void everyKindOfBadOrderIsRejectedWithItsReasonAndChangesNeitherBookNorState() {
        Order fine = order(alice, Side.BUY, 9_500, LOT, 10_000, TimeInForce.GTC, 0, 0);
        assertBadAndHarmless(stage.verify(new SignedOrder(fine, World.CHAIN_ID, World.ROLLUP, bob.sign(w.domain.orderDigest(fine)))),
                Reject.BAD_SIGNATURE);
        Eip712 otherChain = new Eip712(World.CHAIN_ID + 1, World.ROLLUP);
        assertBadAndHarmless(stage.verify(new SignedOrder(fine, World.CHAIN_ID + 1, World.ROLLUP, alice.sign(otherChain.orderDigest(fine)))),
                Reject.WRONG_DOMAIN);
        assertBadAndHarmless(signed(alice, order(alice, Side.BUY, 9_500, LOT, 10_000, TimeInForce.GTC, 0, NOW - 1)), Reject.EXPIRED);
        assertBadAndHarmless(signed(alice, order(alice, Side.BUY, 9_550, LOT, 10_000, TimeInForce.GTC, 0, 0)), Reject.PRICE_OFF_TICK);
        assertBadAndHarmless(signed(alice, order(alice, Side.BUY, 9_500, LOT + 1, 10_000, TimeInForce.GTC, 0, 0)), Reject.SIZE_OFF_LOT);
        Order elsewhere = new Order(alice.address(), 9, Side.BUY, 9_500, LOT, 0, TimeInForce.GTC, 0, 0, nonce++, 0);
        assertBadAndHarmless(signed(alice, elsewhere), Reject.UNKNOWN_MARKET);
        // 100 lots at 10_000 plus alice's resting 10 lots need 110_000 initial margin; 40_000 and the
        // resting order's own 50_000 are not enough
        assertBadAndHarmless(signed(alice, order(alice, Side.BUY, 10_000, 100 * LOT, 40_000, TimeInForce.IOC, 0, 0)),
                Reject.INSUFFICIENT_MARGIN);
        assertBadAndHarmless(signed(alice, order(alice, Side.BUY, 10_000, LOT, 2_000_000, TimeInForce.IOC, 0, 0)),
                Reject.INSUFFICIENT_BALANCE);
        assertBadAndHarmless(signed(alice, order(alice, Side.BUY, 10_000, LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY, 0)),
                Reject.REDUCE_ONLY_WOULD_INCREASE);
        assertBadAndHarmless(signed(alice, order(alice, Side.BUY, 10_000, LOT, 10_000, TimeInForce.GTC, Order.POST_ONLY, 0)),
                Reject.POST_ONLY_WOULD_TAKE);
        Order first = order(alice, Side.BUY, 9_000, LOT, 10_000, TimeInForce.GTC, 0, 0);
        assertThat(submit(alice, first)).isNull();
        ex.takeTransitions();
        Order sameNonce = new Order(alice.address(), 1, Side.BUY, 8_000, LOT, 0, TimeInForce.GTC, 0, 0, first.nonce(), 10_000);
        assertBadAndHarmless(signed(alice, sameNonce), Reject.DUPLICATE_NONCE);
        assertBadAndHarmless(signed(alice, first), Reject.DUPLICATE_ORDER);
    }

    @Test
    void crossingOrdersBecomePostsAndATradeThatTheRealTreeAccepts() {
        List<Transition> all = new ArrayList<>(setup);
        assertThat(submit(alice, order(alice, Side.BUY, 10_000, 4 * LOT, 50_000, TimeInForce.IOC, 0, 0))).isNull();
        List<Transition> out = ex.takeTransitions();
        // the IOC taker is done after its fill: its ORDER leaf is pruned after the Trade that names it
        assertThat(out).extracting(t -> t.getClass().getSimpleName()).containsExactly("PostOrder", "PostOrder", "Trade", "PruneOrder");
        assertThat(out.get(3)).isEqualTo(new Transition.PruneOrder(2));
        all.addAll(out);
        assertThat(ex.book(1).openLots(ex.orderId(w.domain.orderDigest(bobsAsk)))).isEqualTo(6);

        World replay = new World();
        for (Transition t : all) replay.ok(t);
        assertThat(StateReads.position(replay.state, alice.address(), 1).size()).isEqualTo(4 * LOT);
        assertThat(StateReads.position(replay.state, bob.address(), 1).size()).isEqualTo(-4 * LOT);
        // the exchange's mirror holds exactly what the tree holds under each of its keys
        ex.state().forEach((k, v) -> assertThat(replay.state.get(k)).isEqualTo(v));
    }

    @Test
    void anOrderForceCancelledBeforeTheExchangeSawItIsRefused() {
        Order censored = order(alice, Side.BUY, 9_500, LOT, 10_000, TimeInForce.GTC, 0, 0);
        assertThat(ex.apply(w.forcedCancel(alice.address(), w.domain.orderDigest(censored)), NOW)).isNull();
        ex.takeTransitions();
        assertBadAndHarmless(signed(alice, censored), Reject.ORDER_CANCELLED);
    }

    @Test
    void aCancelledNeverPostedOrderIsRefusedByTheExchangeAndItsSignedCancelBindsInTheTree() {
        List<Transition> all = new ArrayList<>(setup);
        Order resting = order(alice, Side.BUY, 9_500, LOT, 10_000, TimeInForce.GTC, 0, 0);
        assertThat(submit(alice, resting)).isNull();
        var hash = w.domain.orderDigest(resting);
        Reject got = ex.cancel(new VerifiedCancel(alice.address(), hash, alice.sign(w.domain.cancelDigest(alice.address(), hash))), NOW);
        assertThat(got).isNull();
        assertThat(ex.takeTransitions()).isEmpty();
        assertBadAndHarmless(signed(alice, resting), Reject.ORDER_CANCELLED);

        // the same signed cancel, put in the tree, binds an operator that would post the order anyway
        World replay = new World();
        for (Transition t : all) replay.ok(t);
        replay.ok(replay.cancel(alice, hash));
        assertThat(replay.apply(replay.post(alice, resting)))
                .isEqualTo(new dev.clearline.engine.stf.Outcome.Rejected(Reject.ORDER_CANCELLED));
    }

    @Test
    void twoOrdersThatEachFitAloneButNotTogetherLeaveTheSecondRejected() {
        // mark 10_000: 60 lots need 60_000 initial margin; 60_000 allocated plus the 6_000 gain at mark covers one, not two
        assertThat(ex.apply(w.allocate(bob, 1, 60_000, 0), NOW)).isNull();
        Order first = new Order(bob.address(), 1, Side.BUY, 9_900, 60 * LOT, 0, TimeInForce.GTC, 0, 0, nonce++, 0);
        Order second = new Order(bob.address(), 1, Side.BUY, 9_900, 60 * LOT, 0, TimeInForce.GTC, 0, 0, nonce++, 0);
        assertThat(submit(bob, first)).isNull();
        ex.takeTransitions();
        assertBadAndHarmless(signed(bob, second), Reject.INSUFFICIENT_MARGIN);
        // the other side does not add to the buy side's worst case
        assertThat(submit(bob, new Order(bob.address(), 1, Side.SELL, 11_000, 50 * LOT, 0, TimeInForce.GTC, 0, 0, nonce++, 0))).isNull();
        // alone, the second order passes: cancel the first and it is accepted
        var h = w.domain.orderDigest(first);
        assertThat(ex.cancel(new VerifiedCancel(bob.address(), h, bob.sign(w.domain.cancelDigest(bob.address(), h))), NOW)).isNull();
        assertThat(submit(bob, second)).isNull();
    }

    @Test
    void liquidationTakesTheTradersRestingOrdersInThatMarketOffTheBook() {
        Order alicesBid = new Order(alice.address(), 1, Side.BUY, 9_000, 10 * LOT, 0, TimeInForce.GTC, 0, 0, 101, 50_000);
        long restingId = ex.orderId(w.domain.orderDigest(alicesBid));
        assertThat(restingId).isPositive();
        assertThat(submit(alice, order(alice, Side.BUY, 10_000, 5 * LOT, 6_000, TimeInForce.IOC, 0, 0))).isNull();
        assertThat(ex.apply(w.price(1, 9_000, 0, NOW + 1), NOW)).isNull();
        assertThat(ex.apply(new Transition.Liquidate(alice.address(), 1), NOW)).isNull();
        assertThat(ex.orderId(w.domain.orderDigest(alicesBid))).isEqualTo(-1);
        assertThat(ex.book(1).isResting(restingId)).isFalse();
        assertThat(ex.takeEvents()).filteredOn(e -> e instanceof ExchangeEvent.Cancelled c
                && c.orderId() == restingId && c.why() == ExchangeEvent.Why.RISK).hasSize(1);
        // bob's half-filled ask stays
        assertThat(ex.orderId(w.domain.orderDigest(bobsAsk))).isPositive();
    }

    /**
     * The node's own removal ({@code takeOff}, a trader's dead man's switch): a posted, half-filled order leaves the book
     * with a Cancelled event naming the reason and no Cancel transition (its trader signed none), its reservation is freed,
     * no later taker meets it, its signed order cannot come back; an order no longer live is answered false, untouched.
     */
    @Test
    void anOrderTheNodeTakesOffLeavesTheBookWithoutATransitionAndCannotComeBack() {
        assertThat(submit(alice, order(alice, Side.BUY, 10_000, 4 * LOT, 50_000, TimeInForce.IOC, 0, 0))).isNull();
        ex.takeTransitions();
        ex.takeEvents();
        var hash = w.domain.orderDigest(bobsAsk);
        long id = ex.orderId(hash);
        assertThat(ex.reserved(bob.address(), 1, false)[0]).as("bob's ask reserves its 6 open lots").isEqualTo(6 * LOT);

        assertThat(ex.takeOff(hash, ExchangeEvent.Why.SCHEDULED)).isTrue();
        // no Cancel goes to L1 (none was signed): the retired order's leaf is pruned, as for any order the exchange is done
        // with, while its ORDER_HASH leaf stays and keeps the hash from being posted again
        assertThat(ex.takeTransitions()).extracting(t -> t.getClass().getSimpleName()).containsExactly("PruneOrder");
        List<ExchangeEvent> events = ex.takeEvents();
        assertThat(events).hasSize(1);
        assertThat(events.getFirst()).isInstanceOfSatisfying(ExchangeEvent.Cancelled.class, c -> {
            assertThat(c.orderId()).isEqualTo(id);
            assertThat(c.remaining()).as("the open lots").isEqualTo(6 * LOT);
            assertThat(c.why()).isEqualTo(ExchangeEvent.Why.SCHEDULED);
            assertThat(c.reason()).isNull();
        });
        assertThat(ex.orderId(hash)).isEqualTo(-1);
        assertThat(ex.book(1).isResting(id)).isFalse();
        assertThat(ex.reserved(bob.address(), 1, false)[0]).as("the reservation freed").isZero();
        assertThat(ex.takeOff(hash, ExchangeEvent.Why.SCHEDULED)).as("gone already").isFalse();
        assertThat(ex.takeEvents()).isEmpty();

        // a taker finds nothing at bob's price, and bob's signed ask cannot be placed again
        assertThat(submit(alice, order(alice, Side.BUY, 10_000, LOT, 50_000, TimeInForce.IOC, 0, 0))).isNull();
        assertThat(ex.takeTransitions()).noneMatch(t -> t instanceof Transition.Trade);
        assertThat(signed(bob, bobsAsk)).isInstanceOf(VerifiedOrder.class);
        assertThat(ex.submit((VerifiedOrder) signed(bob, bobsAsk), NOW)).isNotNull();
        assertThat(ex.orderId(hash)).isEqualTo(-1);
    }

    Order bobsAsk;
    final List<Transition> setup = new ArrayList<>();

    private Verification signed(Signer s, Order o) {
        return stage.verify(new SignedOrder(o, World.CHAIN_ID, World.ROLLUP, s.sign(w.domain.orderDigest(o))));
    }

    private Reject submit(Signer s, Order o) {
        Verification v = signed(s, o);
        assertThat(v).isInstanceOf(VerifiedOrder.class);
        return ex.submit((VerifiedOrder) v, NOW);
    }

    private void assertBadAndHarmless(Verification v, Reject expected) {
        List<String> book = Market.book(ex.book(1));
        TreeMap<String, String> leaves = Market.leaves(ex.state());
        Reject got = v instanceof VerifiedOrder vo ? ex.submit(vo, NOW) : ((Verification.Refused) v).reason();
        assertThat(got).as("expected %s", expected).isEqualTo(expected);
        assertThat(Market.book(ex.book(1))).isEqualTo(book);
        assertThat(Market.leaves(ex.state())).isEqualTo(leaves);
        assertThat(ex.takeTransitions()).isEmpty();
    }

    private Order order(Signer s, Side side, long price, long size, long margin, TimeInForce tif, int flags, long expiry) {
        return new Order(s.address(), 1, side, price, size, 0, tif, flags, expiry, nonce++, margin);
    }

    @SuppressWarnings("unused")
    private static Address unused() {
        return Address.INSURANCE_FUND;
    }
}
