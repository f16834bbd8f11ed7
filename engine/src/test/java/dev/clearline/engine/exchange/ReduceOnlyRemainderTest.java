package dev.clearline.engine.exchange;

import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.testkit.World;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reduce-only order larger than its position: the book takes only the position's size, and the
 * rest of the order as signed is reported cancelled with what the book left of it. Before, an order
 * whose capped size filled completely had no closing event, so a view counting the signed size kept
 * it open for ever (10 lots, 5 filled) although nothing could fill or cancel it.
 */
class ReduceOnlyRemainderTest {
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

    @Test
    void itsCappedSizeFilledCompletely_theRestIsCancelled() {
        assertThat(submit(carol, order(carol, Side.BUY, 9_000, 20 * LOT, 50_000, TimeInForce.GTC, 0))).isNull();
        ex.takeEvents();
        Order close = order(alice, Side.SELL, 9_000, 10 * LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY);
        assertThat(submit(alice, close)).isNull();
        List<ExchangeEvent> events = ex.takeEvents();
        long id = idOf(events, w.domain.orderDigest(close));
        assertThat(filled(events, id)).isEqualTo(5 * LOT);
        assertThat(cancelled(events, id)).as("one closing event, the 5 lots past the position")
                .singleElement().satisfies(c -> {
                    assertThat(c.remaining()).isEqualTo(5 * LOT);
                    assertThat(c.why()).isEqualTo(ExchangeEvent.Why.IMMEDIATE_REMAINDER);
                });
    }

    @Test
    void itsCappedSizeFilledInPart_oneCancelCountsBothRests() {
        assertThat(submit(carol, order(carol, Side.BUY, 9_000, 3 * LOT, 50_000, TimeInForce.GTC, 0))).isNull();
        ex.takeEvents();
        Order close = order(alice, Side.SELL, 9_000, 10 * LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY);
        assertThat(submit(alice, close)).isNull();
        List<ExchangeEvent> events = ex.takeEvents();
        long id = idOf(events, w.domain.orderDigest(close));
        assertThat(filled(events, id)).isEqualTo(3 * LOT);
        assertThat(cancelled(events, id)).as("filled + cancelled = the signed 10 lots").singleElement()
                .satisfies(c -> assertThat(c.remaining()).isEqualTo(7 * LOT));
    }

    @Test
    void anOrderWithinItsPosition_isReportedAsBefore() {
        assertThat(submit(carol, order(carol, Side.BUY, 9_000, 20 * LOT, 50_000, TimeInForce.GTC, 0))).isNull();
        ex.takeEvents();
        Order close = order(alice, Side.SELL, 9_000, 5 * LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY);
        assertThat(submit(alice, close)).isNull();
        List<ExchangeEvent> events = ex.takeEvents();
        long id = idOf(events, w.domain.orderDigest(close));
        assertThat(filled(events, id)).isEqualTo(5 * LOT);
        assertThat(cancelled(events, id)).as("filled completely: nothing to cancel").isEmpty();
    }

    private static long idOf(List<ExchangeEvent> events, Hash32 hash) {
        return events.stream().filter(e -> e instanceof ExchangeEvent.Accepted a && a.orderHash().equals(hash))
                .mapToLong(e -> ((ExchangeEvent.Accepted) e).orderId()).findFirst().orElseThrow();
    }

    private static long filled(List<ExchangeEvent> events, long id) {
        return events.stream().filter(e -> e instanceof ExchangeEvent.Filled f && f.takerOrderId() == id)
                .mapToLong(e -> ((ExchangeEvent.Filled) e).size()).sum();
    }

    private static List<ExchangeEvent.Cancelled> cancelled(List<ExchangeEvent> events, long id) {
        return events.stream().filter(e -> e instanceof ExchangeEvent.Cancelled c && c.orderId() == id)
                .map(e -> (ExchangeEvent.Cancelled) e).toList();
    }

    private Reject submit(Signer s, Order o) {
        Verification v = stage.verify(new SignedOrder(o, World.CHAIN_ID, World.ROLLUP, s.sign(w.domain.orderDigest(o))));
        assertThat(v).isInstanceOf(VerifiedOrder.class);
        return ex.submit((VerifiedOrder) v, NOW);
    }

    private Order order(Signer s, Side side, long price, long size, long margin, TimeInForce tif, int flags) {
        return new Order(s.address(), 1, side, price, size, 0, tif, flags, 0, nonce++, margin);
    }
}
