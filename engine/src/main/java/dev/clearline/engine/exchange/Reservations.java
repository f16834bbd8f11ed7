package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.risk.Fixed;

/**
 * What resting orders reserve: for each (trader, market, side), the open size of its resting
 * orders and that size's notional at each order's limit. The pre-check adds them to a new order's
 * worst case, so a trader cannot stack orders its margin could not carry if they all filled.
 * Kept incrementally (each order remembers what it counts for), so no check ever scans the book.
 * Reduce-only orders reserve nothing: capped by the position, they can only shrink it.
 */
final class Reservations {
    /** Sets what {@code e} reserves to {@code openLots} lots (0 when it leaves the book). */
    void reserve(LiveOrder e, long openLots, long lotSize) {
        Order o = e.order();
        if (o.reduceOnly()) return;
        Exposure x = e.account.exposure(o.marketId(), o.isBuy());
        long size = openLots * lotSize;
        long notional = openLots == 0 ? 0 : Fixed.notional(size, lotSize, o.price());
        x.size += size - e.reservedSize;
        x.notional += notional - e.reservedNotional;
        e.reservedSize = size;
        e.reservedNotional = notional;
        long margin = openLots == 0 || e.posted ? 0 : o.margin();
        x.unpostedMargin += margin - e.reservedMargin;
        e.reservedMargin = margin;
    }

    /** {@code e} was just posted: its margin left the free balance for its position, so it is no longer reserved as margin to come. */
    void posted(LiveOrder e) {
        if (e.reservedMargin == 0) return;
        e.account.exposure(e.marketId(), e.order().isBuy()).unpostedMargin -= e.reservedMargin;
        e.reservedMargin = 0;
    }

    /** Releases everything {@code e} reserves. */
    void release(LiveOrder e) {
        if (e.reservedSize == 0 && e.reservedNotional == 0 && e.reservedMargin == 0) return;
        Exposure x = e.account.exposure(e.marketId(), e.order().isBuy());
        x.size -= e.reservedSize;
        x.notional -= e.reservedNotional;
        x.unpostedMargin -= e.reservedMargin;
        e.reservedSize = 0;
        e.reservedNotional = 0;
        e.reservedMargin = 0;
    }

    /** The open size reserved on one side of one market by the trader's resting orders, {@code except} one of them (or null). */
    long size(Account a, int marketId, boolean isBuy, LiveOrder except) {
        long s = a.exposure(marketId, isBuy).size;
        return except != null && except.order().isBuy() == isBuy && except.marketId() == marketId ? s - except.reservedSize : s;
    }

    /** The margin of the unposted resting orders, as {@link #size}. */
    long unpostedMargin(Account a, int marketId, boolean isBuy, LiveOrder except) {
        long m = a.exposure(marketId, isBuy).unpostedMargin;
        return except != null && except.order().isBuy() == isBuy && except.marketId() == marketId ? m - except.reservedMargin : m;
    }

    /** The notional reserved, as {@link #size}. */
    long notional(Account a, int marketId, boolean isBuy, LiveOrder except) {
        long n = a.exposure(marketId, isBuy).notional;
        return except != null && except.order().isBuy() == isBuy && except.marketId() == marketId ? n - except.reservedNotional : n;
    }
}
