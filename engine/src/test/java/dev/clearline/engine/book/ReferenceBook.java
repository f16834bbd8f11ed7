package dev.clearline.engine.book;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A deliberately naive order book written from the rules in the package documentation, for
 * differential tests: one list of orders, sorted from scratch whenever the best order is needed.
 * Slow and obviously correct is the point; it shares no code with {@link OrderBook}.
 */
final class ReferenceBook {
    private static final class Order {
        long id;
        long owner;
        boolean buy;
        long price;
        long visible;
        long hidden;
        long display;
        long expiresAt;
        boolean postOnly;
        long arrival;

        long open() {
            return visible + hidden;
        }

        Order copy() {
            Order c = new Order();
            c.id = id;
            c.owner = owner;
            c.buy = buy;
            c.price = price;
            c.visible = visible;
            c.hidden = hidden;
            c.display = display;
            c.expiresAt = expiresAt;
            c.postOnly = postOnly;
            c.arrival = arrival;
            return c;
        }
    }

    private final BookConfig config;
    private final List<Order> orders = new ArrayList<>();
    private long seq;
    private long clock;
    /** Set by the last {@link #match}: it stopped at the config's fill limit with something left that crossed. */
    private boolean capped;

    ReferenceBook(BookConfig config) {
        this.config = config;
        this.seq = config.firstSequence();
    }

    void place(long id, long owner, Side side, long price, long size, TimeInForce tif, int flags, long displayLots,
               long cap, long expiresAt, long now, BookEvents sink) {
        boolean postOnly = (flags & OrderFlags.POST_ONLY) != 0;
        boolean reduceOnly = (flags & OrderFlags.REDUCE_ONLY) != 0;
        RejectReason reason = null;
        if (size < 1 || size > config.maxSizeLots()) {
            reason = RejectReason.SIZE_OUT_OF_RANGE;
        } else if (price < 1 || price > config.maxPriceTicks()) {
            reason = RejectReason.PRICE_OUT_OF_RANGE;
        } else if ((flags & ~(OrderFlags.POST_ONLY | OrderFlags.REDUCE_ONLY)) != 0) {
            reason = RejectReason.UNKNOWN_FLAGS;
        } else if (displayLots < 0 || displayLots > size) {
            reason = RejectReason.DISPLAY_OUT_OF_RANGE;
        } else if (tif != TimeInForce.GTC && (postOnly || displayLots > 0)) {
            reason = RejectReason.INVALID_COMBINATION;
        } else if (now > expiresAt) {
            reason = RejectReason.ALREADY_EXPIRED;
        } else if (find(id) != null) {
            reason = RejectReason.DUPLICATE_ORDER_ID;
        } else if (reduceOnly && cap <= 0) {
            reason = RejectReason.REDUCE_ONLY_NOTHING_TO_REDUCE;
        }
        long qty = reduceOnly && reason == null ? Math.min(size, cap) : size;
        boolean buy = side == Side.BUY;
        if (reason == null && tif == TimeInForce.GTC && orders.size() == config.capacity()) {
            reason = RejectReason.BOOK_FULL;
        }
        if (reason == null && tif == TimeInForce.FOK) {
            long available = 0;
            for (Order o : orders) {
                if (o.buy != buy && acceptable(buy, price, o.price) && now <= o.expiresAt && o.owner != owner) {
                    available += o.open();
                }
            }
            if (available < qty) {
                reason = RejectReason.FILL_OR_KILL_NOT_FILLABLE;
            } else if (config.maxFillsPerTaker() != BookConfig.UNLIMITED_FILLS && fillsOnACopy(id, owner, buy, price, qty, now) > config.maxFillsPerTaker()) {
                reason = RejectReason.FILL_OR_KILL_TOO_MANY_FILLS;
            }
        }
        if (reason == null && postOnly && liveCrossing(buy, price, now)) {
            reason = RejectReason.POST_ONLY_WOULD_CROSS;
        }
        if (reason != null) {
            sink.onRejected(seq++, id, owner, reason);
            return;
        }
        sink.onAccepted(seq++, id, owner, side, price, qty);
        long left = match(id, owner, buy, price, qty, now, sink);
        if (left == 0) {
            return;
        }
        if (capped) {
            sink.onCancelled(seq++, id, owner, left, CancelReason.FILL_LIMIT);
            return;
        }
        if (tif != TimeInForce.GTC) {
            sink.onCancelled(seq++, id, owner, left, CancelReason.IMMEDIATE_REMAINDER);
            return;
        }
        Order o = new Order();
        o.id = id;
        o.owner = owner;
        o.buy = buy;
        o.display = displayLots;
        o.expiresAt = expiresAt;
        o.postOnly = postOnly;
        rest(o, price, left, sink);
    }

    void cancel(long id, long now, BookEvents sink) {
        Order o = find(id);
        if (o == null) {
            sink.onRejected(seq++, id, OrderBook.UNKNOWN_OWNER, RejectReason.UNKNOWN_ORDER);
            return;
        }
        orders.remove(o);
        sink.onCancelled(seq++, id, o.owner, o.open(), CancelReason.REQUESTED);
    }

    void amend(long id, long price, long size, long now, BookEvents sink) {
        Order o = find(id);
        if (o == null) {
            sink.onRejected(seq++, id, OrderBook.UNKNOWN_OWNER, RejectReason.UNKNOWN_ORDER);
            return;
        }
        if (size < 1 || size > config.maxSizeLots()) {
            sink.onRejected(seq++, id, o.owner, RejectReason.SIZE_OUT_OF_RANGE);
            return;
        }
        if (price < 1 || price > config.maxPriceTicks()) {
            sink.onRejected(seq++, id, o.owner, RejectReason.PRICE_OUT_OF_RANGE);
            return;
        }
        if (now > o.expiresAt) {
            orders.remove(o);
            sink.onExpired(seq++, id, o.owner, o.open());
            sink.onRejected(seq++, id, o.owner, RejectReason.ORDER_EXPIRED);
            return;
        }
        if (price == o.price && size <= o.open()) {
            long cut = o.open() - size;
            long fromHidden = Math.min(cut, o.hidden);
            o.hidden -= fromHidden;
            o.visible -= cut - fromHidden;
            sink.onAmended(seq++, id, price, size, true);
            return;
        }
        if (o.postOnly && liveCrossing(o.buy, price, now)) {
            sink.onRejected(seq++, id, o.owner, RejectReason.POST_ONLY_WOULD_CROSS);
            return;
        }
        orders.remove(o);
        sink.onAmended(seq++, id, price, size, false);
        long left = match(id, o.owner, o.buy, price, size, now, sink);
        if (left > 0 && capped) {
            sink.onCancelled(seq++, id, o.owner, left, CancelReason.FILL_LIMIT);
        } else if (left > 0) {
            rest(o, price, left, sink);
        }
    }

    void sweepExpired(long now, BookEvents sink) {
        for (boolean buy : new boolean[] {true, false}) {
            for (Order o : sorted(buy)) {
                if (now > o.expiresAt) {
                    orders.remove(o);
                    sink.onExpired(seq++, o.id, o.owner, o.open());
                }
            }
        }
    }

    /** Resting orders of one side in matching order, as (id, owner, price, visible, hidden). */
    List<long[]> resting(Side side) {
        List<long[]> out = new ArrayList<>();
        for (Order o : sorted(side == Side.BUY)) {
            out.add(new long[] {o.id, o.owner, o.price, o.visible, o.hidden});
        }
        return out;
    }

    /** The fills an incoming order would make now: matched, without a limit, on a copy of every order, events dropped. */
    private int fillsOnACopy(long id, long owner, boolean buy, long limit, long qty, long now) {
        ReferenceBook copy = new ReferenceBook(new BookConfig(config.maxPriceTicks(), config.maxSizeLots(), config.capacity(), 0));
        for (Order o : orders) copy.orders.add(o.copy());
        copy.clock = clock;
        BookEventLog log = new BookEventLog();
        copy.match(id, owner, buy, limit, qty, now, log);
        return (int) log.events().stream().filter(e -> e instanceof BookEvent.Filled).count();
    }

    private long match(long id, long owner, boolean buy, long limit, long qty, long now, BookEvents sink) {
        long left = qty;
        int fills = 0;
        capped = false;
        while (left > 0) {
            List<Order> opposite = sorted(!buy);
            if (opposite.isEmpty() || !acceptable(buy, limit, opposite.get(0).price)) {
                break;
            }
            Order maker = opposite.get(0);
            if (now > maker.expiresAt) {
                orders.remove(maker);
                sink.onExpired(seq++, maker.id, maker.owner, maker.open());
                continue;
            }
            if (maker.owner == owner) {
                orders.remove(maker);
                sink.onCancelled(seq++, maker.id, maker.owner, maker.open(), CancelReason.SELF_TRADE);
                continue;
            }
            if (fills == config.maxFillsPerTaker()) {
                capped = true;
                break;
            }
            fills++;
            long lots = Math.min(left, maker.visible);
            long fillable = sink.fillableLots(maker.id, maker.owner, lots);
            boolean spent = fillable >= 1 && fillable < lots; // its owner had only that much left to reduce
            if (spent) {
                lots = fillable;
            }
            left -= lots;
            maker.visible -= lots;
            if (maker.visible == 0 && maker.hidden > 0) {
                maker.visible = Math.min(maker.display, maker.hidden);
                maker.hidden -= maker.visible;
                maker.arrival = ++clock;
            } else if (maker.open() == 0) {
                orders.remove(maker);
            }
            sink.onFill(seq++, maker.id, maker.owner, id, owner, buy ? Side.BUY : Side.SELL, maker.price, lots,
                    maker.open(), left);
            if (spent && orders.contains(maker)) {
                orders.remove(maker);
                sink.onCancelled(seq++, maker.id, maker.owner, maker.open(), CancelReason.POSITION_CLOSED);
            }
        }
        return left;
    }

    private void rest(Order o, long price, long lots, BookEvents sink) {
        o.price = price;
        o.visible = o.display > 0 ? Math.min(o.display, lots) : lots;
        o.hidden = lots - o.visible;
        o.arrival = ++clock;
        orders.add(o);
        sink.onRested(seq++, o.id, price, lots);
    }

    private boolean liveCrossing(boolean buy, long price, long now) {
        for (Order o : orders) {
            if (o.buy != buy && acceptable(buy, price, o.price) && now <= o.expiresAt) {
                return true;
            }
        }
        return false;
    }

    private static boolean acceptable(boolean takerBuys, long limit, long makerPrice) {
        return takerBuys ? makerPrice <= limit : makerPrice >= limit;
    }

    private List<Order> sorted(boolean buy) {
        List<Order> side = new ArrayList<>();
        for (Order o : orders) {
            if (o.buy == buy) {
                side.add(o);
            }
        }
        Comparator<Order> byPrice = Comparator.comparingLong(o -> o.price);
        side.sort((buy ? byPrice.reversed() : byPrice).thenComparingLong(o -> o.arrival));
        return side;
    }

    private Order find(long id) {
        for (Order o : orders) {
            if (o.id == id) {
                return o;
            }
        }
        return null;
    }
}
