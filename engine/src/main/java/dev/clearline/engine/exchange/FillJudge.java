package dev.clearline.engine.exchange;

import dev.clearline.engine.book.FillVerdict;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;

/**
 * Refusal handling: when the STF refuses a fill the book found, decides which order is at fault,
 * so only that order leaves the book and the other carries on. This is what makes a refusal
 * harmless to third parties: an order can only be spoiled by its own trader's state (its margin,
 * its balance, its reduce-only flag, its expiry), never by its counterparty's.
 *
 * <p>A PostOrder refusal blames the order being posted. A Trade refusal is checked side by side
 * with the STF's own rules (docs/protocol.md section 5, Trade): each order's leaf, expiry,
 * reduce-only flag and the margin of its position after the fill. A refusal no side explains
 * (no mark price, say) stops the taker, which is the requester's own order, and spares the maker.
 */
final class FillJudge {
    private FillJudge() {}

    /** The verdict on a PostOrder refusal: the order being posted is at fault. */
    static FillVerdict postRefused(boolean makerWasPosting) {
        return makerWasPosting ? FillVerdict.MAKER_LEAVES : FillVerdict.TAKER_STOPS;
    }

    /** As {@link #tradeRefused(Reject, LeafStore, LiveOrder, LiveOrder, long, long)} at the maker leaf's own price (a fixed-price maker). */
    static FillVerdict tradeRefused(Reject reason, LeafStore store, LiveOrder maker, LiveOrder taker, long size) {
        OrderLeaf ml = StateReads.order(store, maker.v.hash());
        return tradeRefused(reason, store, maker, taker, size, ml == null ? 0 : ml.price());
    }

    /**
     * The verdict on a Trade of {@code size} base units at {@code price} (the maker's price the book
     * found: its fixed price, or its pegged price) between two posted orders that the STF refused
     * with {@code reason}, judged on {@code store} (the state the Trade was tried on).
     */
    static FillVerdict tradeRefused(Reject reason, LeafStore store, LiveOrder maker, LiveOrder taker, long size, long price) {
        OrderLeaf ml = StateReads.order(store, maker.v.hash());
        OrderLeaf tl = StateReads.order(store, taker.v.hash());
        MarketLeaf m = StateReads.market(store, maker.marketId());
        boolean makerAtFault;
        boolean takerAtFault;
        switch (reason) {
            case POST_ONLY_WOULD_TAKE -> {
                makerAtFault = false;
                takerAtFault = true;
            }
            case ORDER_NOT_FOUND, ORDER_CANCELLED, EXPIRED -> {
                makerAtFault = !usable(ml, m);
                takerAtFault = !usable(tl, m);
            }
            case REDUCE_ONLY_WOULD_INCREASE, INSUFFICIENT_MARGIN, OVERFLOW -> {
                long notional = ml == null || m == null ? Fixed.OVERFLOW : Fixed.notional(size, m.lotSize(), price);
                makerAtFault = ml == null || m == null || fails(store, ml, maker.order().isBuy() ? size : -size, notional, m.makerFeePpm(), m);
                takerAtFault = tl == null || m == null || fails(store, tl, taker.order().isBuy() ? size : -size, notional, m.takerFeePpm(), m);
            }
            default -> {
                makerAtFault = false;
                takerAtFault = true;
            }
        }
        if (makerAtFault && takerAtFault) return FillVerdict.BOTH_LEAVE;
        if (makerAtFault) return FillVerdict.MAKER_LEAVES;
        return FillVerdict.TAKER_STOPS;
    }

    private static boolean usable(OrderLeaf o, MarketLeaf m) {
        return o != null && !o.cancelled() && (o.expiry() == 0 || m == null || m.lastOracleTs() <= o.expiry());
    }

    /** Whether one side's own state refuses the fill: its reduce-only flag, overflow, or its margin after the fill. */
    private static boolean fails(LeafStore store, OrderLeaf o, long signedSize, long notional, int feePpm, MarketLeaf m) {
        if (notional == Fixed.OVERFLOW) return true;
        PositionLeaf p = StateReads.position(store, o.trader(), o.marketId());
        long quote = Margin.settleFunding(p.size(), p.quote(), p.fundingIndex(), m.fundingIndex(), m.lotSize());
        long fee = Fixed.mulPpmUp(notional, feePpm);
        long sizeAfter = Fixed.add(p.size(), signedSize);
        long quoteAfter = Fixed.sub(quote, Fixed.add(signedSize > 0 ? notional : -notional, fee));
        if (quote == Fixed.OVERFLOW || sizeAfter == Fixed.OVERFLOW || quoteAfter == Fixed.OVERFLOW) return true;
        boolean reduceOnly = (o.flags() & Order.REDUCE_ONLY) != 0;
        if (reduceOnly && (p.size() == 0 || !Margin.reduces(p.size(), sizeAfter))) return true;
        return Margin.checkFill(p.size(), quote, sizeAfter, quoteAfter, m.lotSize(), m.markPrice(), m.imfPpm(), m.mmfPpm())
                != Margin.Verdict.OK;
    }
}
