package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.transition.Transition.Liquidate;

/**
 * Moves a position below maintenance into the insurance fund's position in the same market, after
 * taking the liquidation fee from it into the fund's free balance (real collateral for the fund).
 * The fee is {@code ceilPpm(|notional at mark|, liquidationFeePpm)}, but never more than the
 * position's equity, so it never creates bad debt. Nothing else of the owner is touched.
 */
final class LiquidateRule implements Rule<Liquidate> {
    @Override
    public Reject execute(StateView s, Liquidate l) {
        MarketLeaf m = s.market(l.marketId());                          // 1. load
        Reject r = Checks.marketExists(m);
        if (r != null) return r;
        if (l.owner().equals(Address.INSURANCE_FUND)) return Reject.NOT_LIQUIDATABLE;  // 3. validate
        r = Checks.hasMark(m);
        if (r != null) return r;
        PositionLeaf p = Checks.settled(s.position(l.owner(), l.marketId()), m);
        PositionLeaf fund = Checks.settled(s.position(Address.INSURANCE_FUND, l.marketId()), m);
        if (p == null || fund == null) return Reject.OVERFLOW;
        r = switch (Margin.liquidatable(p.size(), p.quote(), m.lotSize(), m.markPrice(), m.mmfPpm())) {
            case OK -> null;
            case INSUFFICIENT -> Reject.NOT_LIQUIDATABLE;
            case OVERFLOW -> Reject.OVERFLOW;
        };
        if (r != null) return r;
        long equity = Margin.equity(p.size(), p.quote(), m.lotSize(), m.markPrice());  // 4. apply (no overflow: checked above)
        long fee = Math.min(Margin.requirement(p.size(), m.lotSize(), m.markPrice(), m.liquidationFeePpm()), Math.max(0, equity));
        BalanceLeaf fundBalance = s.balance(Address.INSURANCE_FUND);
        long fundFree = Fixed.add(fundBalance.free(), fee);
        long quoteLeft = Fixed.sub(p.quote(), fee);
        long size = Fixed.add(fund.size(), p.size());
        long quote = Fixed.add(fund.quote(), quoteLeft);
        if (fundFree == Fixed.OVERFLOW || quoteLeft == Fixed.OVERFLOW || size == Fixed.OVERFLOW || quote == Fixed.OVERFLOW) return Reject.OVERFLOW;
        s.put(l.owner(), l.marketId(), new PositionLeaf(0, 0, m.fundingIndex()))
                .put(Address.INSURANCE_FUND, l.marketId(), new PositionLeaf(size, quote, m.fundingIndex()))
                .put(Address.INSURANCE_FUND, new BalanceLeaf(fundFree, fundBalance.nonce()));
        return null;
    }
}
