package dev.clearline.prover.escape;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.transition.Transition;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * What the escape hatch must be told, read off a {@link FinalizedState}: a user's claims, and the
 * reports (bad debt, fund credit) that fix the escape rate. Pure: whether a leaf was already used on
 * L1 is the caller's question.
 */
public final class EscapePlan {
    private EscapePlan() {}

    /**
     * Everything {@code owner} can claim: a positive free balance, each position with positive
     * equity (valued at the frozen mark and funding index), each finalized withdrawal to them. A
     * position at zero or negative equity pays nothing and is left out. The insurance fund has no
     * claims (its leaves are fund credit).
     */
    public static List<Claim> claims(FinalizedState s, Address owner) {
        List<Claim> out = new ArrayList<>();
        if (owner.equals(Address.INSURANCE_FUND)) return out;
        BalanceLeaf b = s.balance(owner);
        if (b != null && b.free() > 0) out.add(new Claim.Balance(owner, b.free(), b.nonce(), s.balanceProof(owner)));
        for (int market : s.markets()) {
            MarketLeaf m = s.market(market);
            PositionLeaf p = s.position(owner, market);
            if (m == null || p == null) continue;
            BigInteger equity = Escape.equity(p, m);
            if (equity.signum() > 0) out.add(new Claim.Position(owner, market, p, m, equity, s.positionProof(owner, market)));
        }
        if (s.finalizedCount() > 0) {
            for (FinalizedState.Withdrawal w : s.withdrawalsTo(owner)) {
                out.add(new Claim.Withdrawal(owner, w.id(), w.amount(), s.finalizedCount() - 1, s.withdrawalProof(w.id())));
            }
        }
        return out;
    }

    /**
     * Every report the frozen state supports: each position with negative equity (the insurance
     * fund's included) as bad debt, the fund's positive free balance and each of its positions with
     * positive equity as fund credit.
     */
    public static List<Report> reports(FinalizedState s) {
        List<Report> out = new ArrayList<>();
        for (int market : s.markets()) {
            MarketLeaf m = s.market(market);
            if (m == null) continue;
            for (Address owner : s.owners()) {
                PositionLeaf p = s.position(owner, market);
                if (p == null) continue;
                BigInteger equity = Escape.equity(p, m);
                if (equity.signum() < 0) {
                    out.add(new Report.BadDebt(owner, market, p, m, equity.negate(), s.positionProof(owner, market)));
                } else if (equity.signum() > 0 && owner.equals(Address.INSURANCE_FUND)) {
                    out.add(new Report.FundPosition(market, p, m, equity, s.positionProof(owner, market)));
                }
            }
        }
        BalanceLeaf fund = s.balance(Address.INSURANCE_FUND);
        if (fund != null && fund.free() > 0) out.add(new Report.FundBalance(fund.free(), fund.nonce(), s.balanceProof(Address.INSURANCE_FUND)));
        return out;
    }

    /**
     * {@code owner}'s deposits among the queued ops that the frozen state never consumed (queue
     * index at or above {@code frozenConsumed}): each is refunded in full by the rollup.
     */
    public static List<Claim> refunds(List<Transition> queue, long frozenConsumed, Address owner) {
        List<Claim> out = new ArrayList<>();
        for (Transition t : queue) {
            if (t instanceof Transition.Deposit d && d.priorityIndex() >= frozenConsumed && d.owner().equals(owner)) {
                out.add(new Claim.Refund(owner, d.priorityIndex(), d.enqueueTime(), d.amount()));
            }
        }
        return out;
    }
}
