package dev.clearline.engine.stf;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.transition.Transition.PostOrder;

import java.util.function.Function;

/**
 * Brings a signed order into the tree: the only place an order's signature is checked. Moves the
 * order's margin from the free balance into its isolated position.
 */
final class PostOrderRule implements Rule<PostOrder> {
    private final Function<Order, Hash32> digests;
    private final SignatureVerifier verifier;

    /** @param digests the order's EIP-712 digest ({@link Eip712#orderDigest}, or a cache of it) */
    PostOrderRule(Function<Order, Hash32> digests, SignatureVerifier verifier) {
        this.digests = digests;
        this.verifier = verifier;
    }

    @Override
    public Reject execute(StateView s, PostOrder p) {
        Order o = p.order();                                            // 1. load
        Hash32 hash = digests.apply(o);
        MarketLeaf m = s.market(o.marketId());
        GlobalLeaf g = s.global();
        Reject r = Checks.signedBy(verifier, hash, p.signature(), o.trader());  // 2. authorise
        if (r == null) r = Checks.marketExists(m);                      // 3. validate
        if (r == null) r = priorLeaf(s.orderHash(hash), o);
        if (r == null) r = fields(o, m);
        if (r == null) r = Checks.expired(o.expiry(), m) ? Reject.EXPIRED : null;
        if (r == null && g.orderCount() >= GlobalLeaf.MAX_ORDER_ID) r = Reject.OVERFLOW;
        if (r != null) return r;
        long id = g.orderCount() + 1;                                   // 4. apply: the next short id
        s.put(hash, OrderHashLeaf.posted(id, o.marketId(), o.expiry()))
                .put(id, new OrderLeaf(o.trader(), o.marketId(), o.isBuy(), o.price(), o.size(), o.flags(),
                        o.peg(), o.pegOffset(), o.timeInForce(), o.expiry(), s.batchIndex(), 0, false))
                .put(g.withOrderCount(id));
        if (o.margin() == 0) return null;
        BalanceLeaf b = s.balance(o.trader());                          //    margin into the position
        if (b.free() < o.margin()) return Reject.INSUFFICIENT_BALANCE;
        PositionLeaf pos = Checks.settled(s.position(o.trader(), o.marketId()), m);
        long quote = pos == null ? Fixed.OVERFLOW : Fixed.add(pos.quote(), o.margin());
        if (quote == Fixed.OVERFLOW) return Reject.OVERFLOW;
        s.put(o.trader(), new BalanceLeaf(b.free() - o.margin(), b.nonce()))
                .put(o.trader(), o.marketId(), new PositionLeaf(pos.size(), quote, pos.fundingIndex()));
        return null;
    }

    /**
     * A hash already in the tree cannot be posted again: ORDER_CANCELLED when its trader cancelled it
     * before it was posted. Another trader's tombstone does not bind this order (no griefing by
     * force-cancelling someone else's hash); the post overwrites it.
     */
    private static Reject priorLeaf(OrderHashLeaf prior, Order o) {
        if (prior == null) return null;
        if (prior.isTombstone()) return prior.cancelledBy().equals(o.trader()) ? Reject.ORDER_CANCELLED : null;
        return Reject.DUPLICATE_ORDER;
    }

    /** The static checks an order must pass against its market; shared with the exchange's pre-check. */
    static Reject fields(Order o, MarketLeaf m) {
        if (o.size() <= 0 || o.price() <= 0 || o.displaySize() < 0 || o.displaySize() > o.size()
                || (o.flags() & ~Order.KNOWN_FLAGS) != 0
                || (o.isMarket() && o.timeInForce() == TimeInForce.GTC)
                || (o.postOnly() && (o.isMarket() || o.timeInForce() != TimeInForce.GTC))
                || (o.peg() == Peg.NONE ? o.pegOffset() != 0 : o.isMarket())) {
            return Reject.BAD_ORDER_FIELDS;
        }
        if (o.price() % m.tickSize() != 0) return Reject.PRICE_OFF_TICK;
        if (o.size() % m.lotSize() != 0 || o.displaySize() % m.lotSize() != 0) return Reject.SIZE_OFF_LOT;
        return null;
    }
}
