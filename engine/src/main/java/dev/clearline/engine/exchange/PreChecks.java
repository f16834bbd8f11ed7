package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.Stf;

/**
 * The checks an order passes before it reaches the book, in this order: market, duplicate hash,
 * nonce, fields (the STF's own), expiry, free balance for its margin, and the initial-margin check
 * of the worst case on its side: the order and every resting order of the trader on that side in
 * that market filled in full at their limits (docs/protocol.md section 4). Pure: reads only what it
 * is given.
 *
 * <p>Expiry uses the STF's clock, the market's {@code lastOracleTs}: an order with an expiry is
 * live while {@code lastOracleTs <= expiry}, here, in the book and in the STF alike.
 */
final class PreChecks {
    private final Reservations reservations;

    PreChecks(Reservations reservations) {
        this.reservations = reservations;
    }

    /**
     * @param spent why the order's hash is taken (live or posted before: DUPLICATE_ORDER; cancelled:
     *              ORDER_CANCELLED), or null when it is free ({@link OrderIndex#spent})
     * @param replaced the order an amend replaces, whose reservation does not count, or null
     */
    Reject check(Order o, boolean marketHasBook, MarketLeaf m, Reject spent, Account a, LiveOrder replaced) {
        if (m == null || !marketHasBook) return Reject.UNKNOWN_MARKET;
        if (spent != null) return spent;
        if (a.nonces.contains(o.nonce())) return Reject.DUPLICATE_NONCE;
        Reject r = Stf.checkOrderFields(o, m);
        if (r != null) return r;
        if (expired(o.expiry(), m)) return Reject.EXPIRED;
        BalanceLeaf b = a.balance();
        if (b.free() < o.margin()) return Reject.INSUFFICIENT_BALANCE;
        if (o.reduceOnly()) return null;
        return worstCaseMargin(o, m, a, b.free(), replaced);
    }

    /** The STF's expiry rule: an expiry is set and the market's oracle time has passed it. */
    static boolean expired(long expiry, MarketLeaf m) {
        return expiry != 0 && m.lastOracleTs() > expiry;
    }

    private Reject worstCaseMargin(Order o, MarketLeaf m, Account a, long free, LiveOrder replaced) {
        PositionLeaf p = a.position(o.marketId());
        long quote = Margin.settleFunding(p.size(), p.quote(), p.fundingIndex(), m.fundingIndex(), m.lotSize());
        long restingSize = reservations.size(a, o.marketId(), o.isBuy(), replaced);
        long restingNotional = reservations.notional(a, o.marketId(), o.isBuy(), replaced);
        long notional = Fixed.add(Fixed.notional(o.size(), m.lotSize(), o.price()), restingNotional);
        long fee = Fixed.mulPpmUp(notional, Math.max(m.makerFeePpm(), m.takerFeePpm()));
        long sideSize = Fixed.add(o.size(), restingSize);
        long size = Fixed.add(p.size(), o.isBuy() ? sideSize : -sideSize);
        // in the worst case every resting order fills, so the margins of those not yet in the tree reach the
        // position too, but only as far as the free balance still holds them beside this order's margin
        long restingMargin = Math.min(reservations.unpostedMargin(a, o.marketId(), o.isBuy(), replaced), free - o.margin());
        long quoteBefore = Fixed.add(Fixed.add(quote, o.margin()), restingMargin);
        long quoteAfter = Fixed.sub(quoteBefore, Fixed.add(o.isBuy() ? notional : -notional, fee));
        if (sideSize == Fixed.OVERFLOW || size == Fixed.OVERFLOW) return Reject.OVERFLOW;
        if (Margin.reduces(p.size(), size)) return null;
        if (m.markPrice() == 0) return Reject.NO_MARK_PRICE;
        return switch (Margin.checkFill(p.size(), quoteBefore, size, quoteAfter, m.lotSize(),
                m.markPrice(), m.imfPpm(), m.mmfPpm())) {
            case OK -> null;
            case INSUFFICIENT -> Reject.INSUFFICIENT_MARGIN;
            case OVERFLOW -> Reject.OVERFLOW;
        };
    }
}
