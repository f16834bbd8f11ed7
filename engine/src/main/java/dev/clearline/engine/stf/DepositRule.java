package dev.clearline.engine.stf;

import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.transition.Transition.Deposit;

/** Credits the free balance from the next L1 priority op. */
final class DepositRule implements Rule<Deposit> {
    @Override
    public Reject execute(StateView s, Deposit d) {
        GlobalLeaf g = s.global();                                      // 1. load
        BalanceLeaf b = s.balance(d.owner());
        Reject r = Checks.nextPriorityOp(g, d);                         // 2. authorise
        if (r != null) return r;
        long free = Fixed.add(b.free(), d.amount());                    // 4. apply
        if (free == Fixed.OVERFLOW) return Reject.OVERFLOW;
        s.put(d.owner(), new BalanceLeaf(free, b.nonce())).put(Checks.consume(g, d, false));
        return null;
    }
}
