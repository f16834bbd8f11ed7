package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.transition.Transition.Liquidate;

/**
 * Moves a position below maintenance, whole (size and quote, so its equity or bad debt), into the
 * insurance fund's position in the same market. Nothing else of the owner is touched.
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
        long size = Fixed.add(fund.size(), p.size());                   // 4. apply
        long quote = Fixed.add(fund.quote(), p.quote());
        if (size == Fixed.OVERFLOW || quote == Fixed.OVERFLOW) return Reject.OVERFLOW;
        s.put(l.owner(), l.marketId(), new PositionLeaf(0, 0, m.fundingIndex()))
                .put(Address.INSURANCE_FUND, l.marketId(), new PositionLeaf(size, quote, m.fundingIndex()));
        return null;
    }
}
