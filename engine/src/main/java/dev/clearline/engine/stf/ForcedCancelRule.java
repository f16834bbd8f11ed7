package dev.clearline.engine.stf;

import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.transition.Transition.ForcedCancel;

/**
 * Cancels a posted order of the L1 sender. An order never posted, another trader's order or one
 * already cancelled only consumes the op (and counts a forced rejection): nothing can fill an
 * unposted order without posting it, and the sequencer drops it from its book.
 */
final class ForcedCancelRule implements Rule<ForcedCancel> {
    @Override
    public Reject execute(StateView s, ForcedCancel f) {
        GlobalLeaf g = s.global();                                      // 1. load
        OrderLeaf o = s.order(f.orderHash());
        Reject r = Checks.nextPriorityOp(g, f);                         // 2. authorise
        if (r != null) return r;
        if (o == null || !o.trader().equals(f.owner()) || o.cancelled()) {  // 3. validate
            s.put(Checks.consume(g, f, true));
            return null;
        }
        s.put(f.orderHash(), o.cancel()).put(Checks.consume(g, f, false));  // 4. apply
        return null;
    }
}
