package dev.clearline.engine.stf;

import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.transition.Transition.PruneOrderHash;

/**
 * Deletes the ORDER_HASH leaf of a posted order once its market's oracle time has passed the
 * order's expiry (both recorded in the leaf by its PostOrder). The leaf guards against the signed
 * order being posted again; past its expiry PostOrder refuses it as EXPIRED anyway, for good, since
 * a market's oracle time only moves forward. No signature: nothing anyone signed loses a promise.
 * A tombstone (cancelled before posting) and an order without expiry keep their leaf.
 */
final class PruneOrderHashRule implements Rule<PruneOrderHash> {
    @Override
    public Reject execute(StateView s, PruneOrderHash p) {
        OrderHashLeaf h = s.orderHash(p.orderHash());                    // 1. load
        if (h == null || h.isTombstone()) return Reject.ORDER_NOT_FOUND; // 3. validate
        MarketLeaf m = s.market(h.marketId());
        if (m == null || !Checks.expired(h.expiry(), m)) return Reject.NOT_EXPIRED;
        s.deleteOrderHash(p.orderHash());                                // 4. apply
        return null;
    }
}
