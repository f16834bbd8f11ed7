package dev.clearline.engine.exchange;

import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.testkit.World;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fixture of the reduce-only tests: market 1 priced at 10,000; Alice long 5 lots bought from Bob, whose other 5
 * lots rest at 10,000; Carol funded and idle. Orders are signed for real and go through the signature stage.
 */
abstract class AliceLongFive {
    static final long NOW = 1_000;
    final World w = new World();
    final Exchange ex = new Exchange(w.domain, new BouncyCastleVerifier(), new MarketBooks(1 << 16, 1 << 30, 1 << 12));
    final SignatureStage stage = new SignatureStage(w.domain, new BouncyCastleVerifier());
    final Signer alice = World.signer(1);
    final Signer bob = World.signer(2);
    final Signer carol = World.signer(3);
    long nonce = 100;

    @BeforeEach
    void aliceIsLongFiveLots() {
        ex.apply(w.market(1), NOW);
        for (Signer s : List.of(alice, bob, carol)) ex.apply(w.deposit(s.address(), 1_000_000), NOW);
        ex.apply(w.price(1, 10_000, 0, NOW), NOW);
        assertThat(submit(bob, order(bob, Side.SELL, 10_000, 10 * LOT, 50_000, TimeInForce.GTC, 0))).isNull();
        assertThat(submit(alice, order(alice, Side.BUY, 10_000, 5 * LOT, 10_000, TimeInForce.IOC, 0))).isNull();
        ex.takeEvents();
        ex.takeTransitions();
    }

    /** The book id the exchange gave {@code o}, from its Accepted event. */
    long idOf(List<ExchangeEvent> events, Order o) {
        Hash32 hash = w.domain.orderDigest(o);
        return events.stream().filter(e -> e instanceof ExchangeEvent.Accepted a && a.orderHash().equals(hash))
                .mapToLong(e -> ((ExchangeEvent.Accepted) e).orderId()).findFirst().orElseThrow();
    }

    /** Submits {@code o}, which must be accepted, and returns its book id (the events taken). */
    long placed(Signer s, Order o) {
        assertThat(submit(s, o)).isNull();
        return idOf(ex.takeEvents(), o);
    }

    static List<ExchangeEvent.Cancelled> cancelled(List<ExchangeEvent> events, long id) {
        return events.stream().filter(e -> e instanceof ExchangeEvent.Cancelled c && c.orderId() == id)
                .map(e -> (ExchangeEvent.Cancelled) e).toList();
    }

    long position(Signer s) {
        return StateReads.position(ex.state(), s.address(), 1).size();
    }

    Reject submit(Signer s, Order o) {
        return ex.submit(verified(s, o));
    }

    VerifiedOrder verified(Signer s, Order o) {
        Verification v = stage.verify(new SignedOrder(o, World.CHAIN_ID, World.ROLLUP, s.sign(w.domain.orderDigest(o))));
        assertThat(v).isInstanceOf(VerifiedOrder.class);
        return (VerifiedOrder) v;
    }

    Order order(Signer s, Side side, long price, long size, long margin, TimeInForce tif, int flags) {
        return new Order(s.address(), 1, side, price, size, 0, tif, flags, 0, nonce++, margin);
    }
}
