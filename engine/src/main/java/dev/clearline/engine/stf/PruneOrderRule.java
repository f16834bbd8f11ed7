package dev.clearline.engine.stf;

import dev.clearline.engine.transition.Transition.PruneOrder;

/**
 * Deletes an order's ORDER leaf once the exchange is done with it. The operator needs no one's
 * signature for this: it could always decline to fill the order, and that is all a missing leaf
 * does (a fill or a cancel naming the id is refused from then on). What it cannot do stays
 * impossible: the ORDER_HASH leaf is kept, so the signed order is never posted again and its
 * filled size never starts over.
 */
final class PruneOrderRule implements Rule<PruneOrder> {
    @Override
    public Reject execute(StateView s, PruneOrder p) {
        if (s.order(p.orderId()) == null) return Reject.ORDER_NOT_FOUND; // 1. load, 3. validate
        s.deleteOrder(p.orderId());                                       // 4. apply
        return null;
    }
}
