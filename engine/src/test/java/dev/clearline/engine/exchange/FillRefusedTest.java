package dev.clearline.engine.exchange;

import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

class FillRefusedTest {
    static final long NOW = 1_000;
    final World w = new World();
    final Exchange ex = new Exchange(w.domain, new BouncyCastleVerifier(), new MarketBooks(1 << 16, 1 << 30, 1 << 12));
    final SignatureStage stage = new SignatureStage(w.domain, new BouncyCastleVerifier());
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);

    @Test
    void restingOrderThatNoLongerMeetsMarginAfterThePriceMovedIsRemovedInsteadOfFilled() {
        List<Transition> all = new ArrayList<>();
        ex.apply(w.market(1), NOW);
        ex.apply(w.deposit(alice.address(), 1_000_000), NOW);
        ex.apply(w.deposit(bob.address(), 1_000_000), NOW);
        ex.apply(w.price(1, 10_000, 0, NOW), NOW);
        // alice bids 10 lots at 10_000 with just over 10 % margin: fine at a mark of 10_000
        Order bid = new Order(alice.address(), 1, Side.BUY, 10_000, 10 * LOT, 0, TimeInForce.GTC, 0, 0, 1, 11_000);
        assertThat(ex.submit(verified(alice, bid), NOW)).isNull();
        // the mark halves: buying at 10_000 now loses 50_000 at once, far beyond her margin
        ex.apply(w.price(1, 5_000, 0, NOW + 1), NOW + 1);
        all.addAll(ex.takeTransitions());
        ex.takeEvents();

        Order ask = new Order(bob.address(), 1, Side.SELL, 10_000, 10 * LOT, 0, TimeInForce.IOC, 0, 0, 2, 100_000);
        assertThat(ex.submit(verified(bob, ask), NOW + 1)).isNull();
        List<ExchangeEvent> events = ex.takeEvents();
        assertThat(events).filteredOn(e -> e instanceof ExchangeEvent.FillRefused)
                .singleElement().extracting(e -> ((ExchangeEvent.FillRefused) e).reason()).isEqualTo(Reject.INSUFFICIENT_MARGIN);
        assertThat(events).noneMatch(e -> e instanceof ExchangeEvent.Filled);
        assertThat(ex.book(1).restingOrders()).isZero();
        List<Transition> out = ex.takeTransitions();
        assertThat(out).noneMatch(t -> t instanceof Transition.Trade);
        all.addAll(out);

        // whatever was emitted (the two posts) replays on the real tree, and the mirror agrees with it
        World replay = new World();
        for (Transition t : all) replay.ok(t);
        ex.state().forEach((k, v) -> assertThat(replay.state.get(k)).isEqualTo(v));
    }

    private VerifiedOrder verified(Signer s, Order o) {
        return (VerifiedOrder) stage.verify(new SignedOrder(o, World.CHAIN_ID, World.ROLLUP, s.sign(w.domain.orderDigest(o))));
    }
}
