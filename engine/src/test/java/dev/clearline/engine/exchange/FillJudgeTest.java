package dev.clearline.engine.exchange;

import dev.clearline.engine.book.FillVerdict;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import org.junit.jupiter.api.Test;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/** Refusal handling: the order at fault is found from its own state, on the real tree. */
class FillJudgeTest {
    final World w = new World();
    final Signer maker = World.signer(1);
    final Signer taker = World.signer(2);
    long nonce;

    FillJudgeTest() {
        w.ok(w.market(1));
        w.ok(w.deposit(maker.address(), 10_000_000));
        w.ok(w.deposit(taker.address(), 10_000_000));
        w.ok(w.price(1, 10_000, 0, 100));
    }

    LiveOrder posted(Signer s, Side side, long price, long margin, long expiry) {
        Order o = new Order(s.address(), 1, side, price, 10 * LOT, 0, TimeInForce.GTC, 0, expiry, nonce++, margin);
        Transition.PostOrder p = w.post(s, o);
        w.ok(p);
        LiveOrder e = new LiveOrder(nonce, new VerifiedOrder(o, w.hash(o), p.signature()), null);
        e.posted = true;
        e.stateId = dev.clearline.engine.stf.StateReads.global(w.state).orderCount(); // the short id this post received
        return e;
    }

    FillVerdict judge(LiveOrder m, LiveOrder t) {
        Reject r = w.stf.apply(w.state, new Transition.Trade(m.stateId, t.stateId, 10 * LOT)) instanceof dev.clearline.engine.stf.Outcome.Rejected x
                ? x.reason() : null;
        assertThat(r).as("the STF refuses this trade").isNotNull();
        return FillJudge.tradeRefused(r, w.state, m, t, 10 * LOT);
    }

    @Test
    void aMakerWithoutEnoughMarginIsAtFaultAndTheTakerIsNot() {
        LiveOrder m = posted(maker, Side.BUY, 10_000, 11_000, 0);
        LiveOrder t = posted(taker, Side.SELL, 10_000, 1_000_000, 0);
        w.ok(w.price(1, 5_000, 0, 101));
        assertThat(judge(m, t)).isEqualTo(FillVerdict.MAKER_LEAVES);
    }

    @Test
    void aTakerWithoutEnoughMarginIsAtFaultAndTheMakerStays() {
        LiveOrder m = posted(maker, Side.SELL, 10_000, 1_000_000, 0);
        LiveOrder t = posted(taker, Side.BUY, 10_000, 11_000, 0);
        w.ok(w.price(1, 5_000, 0, 101));
        assertThat(judge(m, t)).isEqualTo(FillVerdict.TAKER_STOPS);
    }

    @Test
    void whenBothSidesFailBothLeave() {
        LiveOrder m = posted(maker, Side.SELL, 10_000, 1_000_000, 100);
        LiveOrder t = posted(taker, Side.BUY, 10_000, 1_000_000, 100);
        w.ok(w.price(1, 10_000, 0, 101));
        assertThat(judge(m, t)).isEqualTo(FillVerdict.BOTH_LEAVE);
    }

    @Test
    void anExpiredTakerIsAtFaultAndTheMakerStays() {
        LiveOrder m = posted(maker, Side.SELL, 10_000, 1_000_000, 0);
        LiveOrder t = posted(taker, Side.BUY, 10_000, 1_000_000, 100);
        w.ok(w.price(1, 10_000, 0, 101));
        assertThat(judge(m, t)).isEqualTo(FillVerdict.TAKER_STOPS);
    }

    @Test
    void anExpiredMakerIsAtFault() {
        LiveOrder m = posted(maker, Side.BUY, 10_000, 1_000_000, 100);
        LiveOrder t = posted(taker, Side.SELL, 10_000, 1_000_000, 0);
        w.ok(w.price(1, 10_000, 0, 101));
        assertThat(judge(m, t)).isEqualTo(FillVerdict.MAKER_LEAVES);
    }

    @Test
    void aRefusedPostBlamesTheOrderBeingPosted() {
        assertThat(FillJudge.postRefused(true)).isEqualTo(FillVerdict.MAKER_LEAVES);
        assertThat(FillJudge.postRefused(false)).isEqualTo(FillVerdict.TAKER_STOPS);
    }
}
