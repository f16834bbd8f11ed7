package dev.clearline.engine.stf;

import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.WithdrawalLeaf;
import dev.clearline.engine.transition.Transition.Deposit;

/**
 * Credits the free balance from the next L1 priority op. A deposit that would overflow the
 * balance is still consumed (refusing it would stall the whole priority queue, forced
 * withdrawals included): it counts as a forced rejection and its amount goes straight into a
 * withdrawal leaf for the owner, claimable on L1 like any other, so the funds are never stuck.
 */
final class DepositRule implements Rule<Deposit> {
    @Override
    public Reject execute(StateView s, Deposit d) {
        GlobalLeaf g = s.global();                                      // 1. load
        BalanceLeaf b = s.balance(d.owner());
        Reject r = Checks.nextPriorityOp(g, d);                         // 2. authorise
        if (r != null) return r;
        long free = Fixed.add(b.free(), d.amount());                    // 4. apply
        if (free == Fixed.OVERFLOW) {
            GlobalLeaf consumed = Checks.consume(g, d, true);
            s.put(g.nextWithdrawalId(), new WithdrawalLeaf(d.owner(), d.amount()))
                    .put(consumed.withNextWithdrawalId(consumed.nextWithdrawalId() + 1));
            return null;
        }
        s.put(d.owner(), new BalanceLeaf(free, b.nonce())).put(Checks.consume(g, d, false));
        return null;
    }
}
