package dev.clearline.engine.stf;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.risk.PegPrice;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.transition.Transition.Trade;

/**
 * A fill of a maker order by a taker order at the maker's price: its fixed price, or for a
 * mark-pegged maker its pegged price at the market's current mark. A book-pegged maker fills only
 * through {@link TradeAtPriceRule}, which shares the checks below with an explicit price.
 */
final class TradeRule implements Rule<Trade> {
    @Override
    public Reject execute(StateView s, Trade t) {
        return fill(s, t.makerId(), t.takerId(), t.size(), 0, false);
    }

    /**
     * The checks and effects of a fill, in the twin order. {@code atPrice} says the transition is a
     * TradeAtPrice carrying {@code explicitPrice}.
     */
    static Reject fill(StateView s, long makerId, long takerId, long size, long explicitPrice, boolean atPrice) {
        OrderLeaf maker = s.order(makerId);                             // 1. load
        OrderLeaf taker = s.order(takerId);
        if (maker == null || taker == null) return Reject.ORDER_NOT_FOUND;  // 2. authorise: posted = signature seen
        MarketLeaf m = s.market(maker.marketId());
        Reject r = validate(maker, taker, m, size, atPrice, s.batchIndex());  // 3. validate
        if (r != null) return r;
        long price;
        if (atPrice) {                                                  // the stated price: on tick, within the maker's limit
            price = explicitPrice;
            if (price <= 0 || price % m.tickSize() != 0) return Reject.PRICE_OFF_TICK;
            if (maker.isBuy() ? price > maker.price() : price < maker.price()) return Reject.NOT_CROSSING;
        } else {                                                        // the maker's fixed or mark-pegged price
            price = makerPrice(maker, m);
            if (price == Fixed.OVERFLOW) return Reject.OVERFLOW;
            if (price == PegPrice.NOT_POSITIVE) return Reject.BAD_PRICE;
        }
        long takerLimit = limit(taker, m);
        if (takerLimit == Fixed.OVERFLOW) return Reject.OVERFLOW;
        if (takerLimit == PegPrice.NOT_POSITIVE) return Reject.BAD_PRICE;
        if (taker.isBuy() ? takerLimit < price : takerLimit > price) return Reject.NOT_CROSSING;
        if (size > maker.remaining() || size > taker.remaining()) return Reject.OVERFILL;

        long notional = Fixed.notional(size, m.lotSize(), price);      // 4. apply
        long makerFee = Fixed.mulPpmUp(notional, m.makerFeePpm());
        long takerFee = Fixed.mulPpmUp(notional, m.takerFeePpm());
        long signedSize = maker.isBuy() ? size : -size;
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

        s.put(makerId, maker.withFilled(maker.filled() + size))
                .put(takerId, taker.withFilled(taker.filled() + size))
                .put(maker.trader(), maker.marketId(), mpAfter)
                .put(taker.trader(), taker.marketId(), tpAfter)
                .put(maker.marketId(), m.withFees(fees));
        return null;
    }

    private static Reject validate(OrderLeaf maker, OrderLeaf taker, MarketLeaf m, long size, boolean atPrice, long batch) {
        if (size <= 0 || size % m.lotSize() != 0) return Reject.SIZE_OFF_LOT;
        if (maker.marketId() != taker.marketId()) return Reject.MARKET_MISMATCH;
        if (maker.isBuy() == taker.isBuy()) return Reject.SAME_SIDE;
        if (maker.trader().equals(taker.trader())) return Reject.SELF_TRADE;
        Reject r = Checks.live(maker, m);
        if (r == null) r = Checks.live(taker, m);
        if (r == null) r = inItsBatch(maker, batch);
        if (r == null) r = inItsBatch(taker, batch);
        if (r != null) return r;
        if ((taker.flags() & Order.POST_ONLY) != 0) return Reject.POST_ONLY_WOULD_TAKE;
        if ((maker.peg() == Peg.BOOK) != atPrice) return Reject.PRICE_RULE_MISMATCH;
        return Checks.hasMark(m);
    }

    /** An IOC or FOK order fills only in the batch whose PostOrder created it. */
    private static Reject inItsBatch(OrderLeaf o, long batch) {
        return o.timeInForce() != TimeInForce.GTC && o.batchIndex() != batch ? Reject.TIME_IN_FORCE_OVER : null;
    }

    /** The price a Trade fills the maker at: its fixed price, or its mark-pegged price. */
    static long makerPrice(OrderLeaf maker, MarketLeaf m) {
        return maker.peg() == Peg.MARK ? markPegged(maker, m) : maker.price();
    }

    /** The worst price the taker accepts: its signed price, or for a mark-pegged taker its pegged price. */
    private static long limit(OrderLeaf o, MarketLeaf m) {
        return o.peg() == Peg.MARK ? markPegged(o, m) : o.price();
    }

    private static long markPegged(OrderLeaf o, MarketLeaf m) {
        return PegPrice.markPegged(o.isBuy(), o.price(), o.pegOffset(), m.markPrice(), m.tickSize());
    }

    /** size += d; quote -= d*p + fee, where notional = |d|*p. Null on overflow. */
    private static PositionLeaf fill(PositionLeaf p, long signedSize, long notional, long fee) {
        long size = Fixed.add(p.size(), signedSize);
        long cost = signedSize > 0 ? notional : -notional;
        long quote = Fixed.sub(p.quote(), Fixed.add(cost, fee));
        return size == Fixed.OVERFLOW || quote == Fixed.OVERFLOW ? null : new PositionLeaf(size, quote, p.fundingIndex());
    }

    private static Reject reduceOnly(OrderLeaf o, PositionLeaf before, PositionLeaf after) {
        boolean reduceOnly = (o.flags() & Order.REDUCE_ONLY) != 0;
        return reduceOnly && (before.size() == 0 || !Margin.reduces(before.size(), after.size()))
                ? Reject.REDUCE_ONLY_WOULD_INCREASE : null;
    }

    private static Reject margin(PositionLeaf before, PositionLeaf after, MarketLeaf m) {
        return Checks.verdict(Margin.checkFill(before.size(), before.quote(), after.size(), after.quote(),
                m.lotSize(), m.markPrice(), m.imfPpm(), m.mmfPpm()));
    }
}
