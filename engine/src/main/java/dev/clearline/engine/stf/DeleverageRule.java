package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.transition.Transition.Deleverage;

/**
 * Closes (part of) the insurance fund's position in a market while its equity is negative, against
 * an opposite position, at the fund's bankruptcy price (docs/protocol.md section 5, "Deleverage").
 * Which counterparty is the sequencer's stated policy; the STF checks what it can see: the fund is
 * under water, the counterparty is on the other side and stays at or above maintenance after
 * giving up the difference between the mark and the bankruptcy price, the size fits both.
 */
final class DeleverageRule implements Rule<Deleverage> {
    @Override
    public Reject execute(StateView s, Deleverage d) {
        MarketLeaf m = s.market(d.marketId());                          // 1. load
        Reject r = Checks.marketExists(m);
        if (r != null) return r;
        if (d.counterparty().equals(Address.INSURANCE_FUND)) return Reject.SELF_TRADE;  // 3. validate
        r = Checks.hasMark(m);
        if (r != null) return r;
        PositionLeaf fund = Checks.settled(s.position(Address.INSURANCE_FUND, d.marketId()), m);
        PositionLeaf cp = Checks.settled(s.position(d.counterparty(), d.marketId()), m);
        if (fund == null || cp == null) return Reject.OVERFLOW;
        long fundEquity = Margin.equity(fund.size(), fund.quote(), m.lotSize(), m.markPrice());
        if (fundEquity == Fixed.OVERFLOW) return Reject.OVERFLOW;
        if (fund.size() == 0 || fundEquity >= 0) return Reject.NOT_DELEVERAGEABLE;
        if (d.size() <= 0 || d.size() % m.lotSize() != 0) return Reject.SIZE_OFF_LOT;
        if (cp.size() == 0 || Long.signum(cp.size()) == Long.signum(fund.size())) return Reject.SAME_SIDE;
        if (d.size() > Math.abs(fund.size()) || d.size() > Math.abs(cp.size())) return Reject.OVERFILL;

        long price = Margin.bankruptcyPrice(fund.size(), fund.quote(), m.lotSize());  // 4. apply
        long value = Fixed.notional(d.size(), m.lotSize(), price);     // (size/lot) * price, may be <= 0
        long dir = Long.signum(fund.size());                            // the fund sells a long, buys back a short
        PositionLeaf fundAfter = move(fund, -dir * d.size(), dir * value);
        PositionLeaf cpAfter = move(cp, dir * d.size(), -dir * value);
        if (value == Fixed.OVERFLOW || fundAfter == null || cpAfter == null) return Reject.OVERFLOW;

        long excess = Fixed.sub(Margin.equity(cpAfter.size(), cpAfter.quote(), m.lotSize(), m.markPrice()),  // 5. margin
                Margin.requirement(cpAfter.size(), m.lotSize(), m.markPrice(), m.mmfPpm()));
        if (excess == Fixed.OVERFLOW) return Reject.OVERFLOW;
        if (excess < 0) return Reject.INSUFFICIENT_MARGIN;
        s.put(Address.INSURANCE_FUND, d.marketId(), fundAfter).put(d.counterparty(), d.marketId(), cpAfter);
        return null;
    }

    /** size += sizeDelta, quote += quoteDelta; null on overflow (the deltas are in range: |value| < 2^63). */
    private static PositionLeaf move(PositionLeaf p, long sizeDelta, long quoteDelta) {
        long size = Fixed.add(p.size(), sizeDelta);
        long quote = Fixed.add(p.quote(), quoteDelta);
        return size == Fixed.OVERFLOW || quote == Fixed.OVERFLOW ? null : new PositionLeaf(size, quote, p.fundingIndex());
    }
}
