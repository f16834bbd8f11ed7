package dev.clearline.engine.stf;

import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.WithdrawalLeaf;
import dev.clearline.engine.transition.Transition.ForcedWithdrawal;

/** A censored user's withdrawal from L1: paid from the free balance if it suffices, else recorded as rejected. */
final class ForcedWithdrawalRule implements Rule<ForcedWithdrawal> {
    @Override
    public Reject execute(StateView s, ForcedWithdrawal f) {
        GlobalLeaf g = s.global();                                      // 1. load
        BalanceLeaf b = s.balance(f.owner());
        Reject r = Checks.nextPriorityOp(g, f);                         // 2. authorise
        if (r != null) return r;
        if (f.amount() <= 0 || b.free() < f.amount()) {                 // 3. validate
            s.put(Checks.consume(g, f, true));
            return null;
        }
        GlobalLeaf consumed = Checks.consume(g, f, false);              // 4. apply
        s.put(f.owner(), new BalanceLeaf(b.free() - f.amount(), b.nonce()))
                .put(g.nextWithdrawalId(), new WithdrawalLeaf(f.owner(), f.amount()))
                .put(consumed.withNextWithdrawalId(consumed.nextWithdrawalId() + 1));
        return null;
    }
}
