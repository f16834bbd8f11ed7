package dev.clearline.engine.stf;

import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.transition.Transition.Trade;

/** A fill of a maker order by a taker order at the maker's price. */
final class TradeRule implements Rule<Trade> {
    @Override
    public Reject execute(StateView s, Trade t) {
        OrderLeaf maker = s.order(t.makerHash());                       // 1. load
        OrderLeaf taker = s.order(t.takerHash());
        if (maker == null || taker == null) return Reject.ORDER_NOT_FOUND;  // 2. authorise: posted = signature seen
        if (maker.isTombstone() || taker.isTombstone()) return Reject.ORDER_CANCELLED;
        MarketLeaf m = s.market(maker.marketId());
        Reject r = validate(maker, taker, m, t.size());                 // 3. validate
        if (r != null) return r;

        long notional = Fixed.notional(t.size(), m.lotSize(), maker.price());  // 4. apply
        long makerFee = Fixed.mulPpmUp(notional, m.makerFeePpm());
        long takerFee = Fixed.mulPpmUp(notional, m.takerFeePpm());
        long signedSize = maker.isBuy() ? t.size() : -t.size();
        PositionLeaf mp = Checks.settled(s.position(maker.trader(), maker.marketId()), m);
        PositionLeaf tp = Checks.settled(s.position(taker.trader(), taker.marketId()), m);
        if (notional == Fixed.OVERFLOW || mp == null || tp == null) return Reject.OVERFLOW;
        PositionLeaf mpAfter = fill(mp, signedSize, notional, makerFee);
        PositionLeaf tpAfter = fill(tp, -signedSize, notional, takerFee);
        long fees = Fixed.add(m.feesAccrued(), Fixed.add(makerFee, takerFee));
        if (mpAfter == null || tpAfter == null || fees == Fixed.OVERFLOW) return Reject.OVERFLOW;

        r = reduceOnly(maker, mp, mpAfter);                             // 5. check flags and margin
        if (r == null) r = reduceOnly(taker, tp, tpAfter);
        if (r == null) r = margin(mp, mpAfter, m);
        if (r == null) r = margin(tp, tpAfter, m);
        if (r != null) return r;

        s.put(t.makerHash(), maker.withFilled(maker.filled() + t.size()))
                .put(t.takerHash(), taker.withFilled(taker.filled() + t.size()))
                .put(maker.trader(), maker.marketId(), mpAfter)
                .put(taker.trader(), taker.marketId(), tpAfter)
                .put(maker.marketId(), m.withFees(fees));
        return null;
    }

    private static Reject validate(OrderLeaf maker, OrderLeaf taker, MarketLeaf m, long size) {
        if (size <= 0 || size % m.lotSize() != 0) return Reject.SIZE_OFF_LOT;
        if (maker.marketId() != taker.marketId()) return Reject.MARKET_MISMATCH;
        if (maker.isBuy() == taker.isBuy()) return Reject.SAME_SIDE;
        if (maker.trader().equals(taker.trader())) return Reject.SELF_TRADE;
        Reject r = Checks.live(maker, m);
        if (r == null) r = Checks.live(taker, m);
        if (r != null) return r;
        if ((taker.flags() & dev.clearline.engine.order.Order.POST_ONLY) != 0) return Reject.POST_ONLY_WOULD_TAKE;
        boolean crosses = taker.isBuy() ? taker.price() >= maker.price() : taker.price() <= maker.price();
        if (!crosses) return Reject.NOT_CROSSING;
        if (size > maker.remaining() || size > taker.remaining()) return Reject.OVERFILL;
        return Checks.hasMark(m);
    }

    /** size += d; quote -= d*p + fee, where notional = |d|*p. Null on overflow. */
    private static PositionLeaf fill(PositionLeaf p, long signedSize, long notional, long fee) {
        long size = Fixed.add(p.size(), signedSize);
        long cost = signedSize > 0 ? notional : -notional;
        long quote = Fixed.sub(p.quote(), Fixed.add(cost, fee));
        return size == Fixed.OVERFLOW || quote == Fixed.OVERFLOW ? null : new PositionLeaf(size, quote, p.fundingIndex());
    }

    private static Reject reduceOnly(OrderLeaf o, PositionLeaf before, PositionLeaf after) {
        boolean reduceOnly = (o.flags() & dev.clearline.engine.order.Order.REDUCE_ONLY) != 0;
        return reduceOnly && (before.size() == 0 || !Margin.reduces(before.size(), after.size()))
                ? Reject.REDUCE_ONLY_WOULD_INCREASE : null;
    }

    private static Reject margin(PositionLeaf before, PositionLeaf after, MarketLeaf m) {
        return Checks.verdict(Margin.checkFill(before.size(), before.quote(), after.size(), after.quote(),
                m.lotSize(), m.markPrice(), m.imfPpm(), m.mmfPpm()));
    }
}
