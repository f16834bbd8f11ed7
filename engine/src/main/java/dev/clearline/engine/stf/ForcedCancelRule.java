package dev.clearline.engine.stf;

import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.transition.Transition.ForcedCancel;

/**
 * Cancels an order of the L1 sender: a posted one is marked cancelled, a never-posted one gets a
 * {@link OrderLeaf#tombstone tombstone} so the operator can never post it later (the escape path
 * against censorship). Another trader's order or one already cancelled only consumes the op (and
 * counts a forced rejection).
 */
final class ForcedCancelRule implements Rule<ForcedCancel> {
    @Override
    public Reject execute(StateView s, ForcedCancel f) {
        GlobalLeaf g = s.global();                                      // 1. load
        OrderLeaf o = s.order(f.orderHash());
        Reject r = Checks.nextPriorityOp(g, f);                         // 2. authorise
        if (r != null) return r;
        if (o != null && (!o.trader().equals(f.owner()) || o.cancelled())) {  // 3. validate
            s.put(Checks.consume(g, f, true));
            return null;
        }
        s.put(f.orderHash(), o == null ? OrderLeaf.tombstone(f.owner()) : o.cancel()).put(Checks.consume(g, f, false));  // 4. apply
        return null;
    }
}
