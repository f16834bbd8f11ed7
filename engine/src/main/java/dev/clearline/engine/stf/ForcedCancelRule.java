package dev.clearline.engine.stf;

import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.transition.Transition.ForcedCancel;

/**
 * Cancels an order of the L1 sender, named by its hash: a posted one is marked cancelled, a
 * never-posted one gets a {@link OrderHashLeaf#tombstone tombstone} so the operator can never post
 * it later (the escape path against censorship). Another trader's order or one already cancelled
 * only consumes the op (and counts a forced rejection).
 */
final class ForcedCancelRule implements Rule<ForcedCancel> {
    @Override
    public Reject execute(StateView s, ForcedCancel f) {
        GlobalLeaf g = s.global();                                      // 1. load
        OrderHashLeaf h = s.orderHash(f.orderHash());
        OrderLeaf o = h == null || h.isTombstone() ? null : s.order(h.orderId());
        Reject r = Checks.nextPriorityOp(g, f);                         // 2. authorise
        if (r != null) return r;
        if (h != null && (!Checks.cancellableBy(h, o, f.owner()) || Checks.cancelled(h, o))) {  // 3. validate
            s.put(Checks.consume(g, f, true));
            return null;
        }
        if (h == null) s.put(f.orderHash(), OrderHashLeaf.tombstone(f.owner()));  // 4. apply
        else s.put(h.orderId(), o.cancel());
        s.put(Checks.consume(g, f, false));
        return null;
    }
}
