package dev.clearline.engine.book;

/**
 * The limit order book of one market, with price-time priority matching. See the package
 * documentation for the matching rules.
 *
 * <p>Pure, deterministic and single-threaded (not thread-safe; one owner thread per market): no
 * clock, no I/O, no randomness; {@code now} and every input arrive as arguments, and the same
 * calls on a book built with the same config yield the same events. Orders live in one
 * preallocated pool array, a cache line per order, linked into per-price FIFO queues, so placing,
 * amending, cancelling and matching allocate nothing.
 *
 * <p>Every request produces at least one event on the given sink, each with the next sequence
 * number. Requests that fail validation produce exactly one {@code onRejected} and change nothing.
 */
public final class OrderBook {
    /** The owner reported in a rejection of a cancel or amend of an order the book does not hold. */
    public static final long UNKNOWN_OWNER = -1;
    /** The best price reported for an empty side. */
    public static final long NO_PRICE = 0;
    /** An {@code expiresAt} that never passes. */
    public static final long NEVER_EXPIRES = Long.MAX_VALUE;

    private static final int NIL = PriceLadder.NONE;

    private static final int STRIDE = Slots.STRIDE;
    private static final int ID = Slots.ID;
    private static final int OWNER = Slots.OWNER;
    private static final int EXPIRES_AT = Slots.EXPIRES_AT;
    private static final int VISIBLE = Slots.VISIBLE;
    private static final int HIDDEN = Slots.HIDDEN;
    private static final int DISPLAY = Slots.DISPLAY;
    private static final int META = Slots.META;

    private final BookConfig config;
    /** The order pool, {@link Slots#STRIDE} longs per order; see {@link Slots} for the layout. */
    private final long[] pool;
    private final OrderTable table;
    private final PriceLadder bids;
    private final PriceLadder asks;
    private int resting;
    private long nextSeq;

    public OrderBook(BookConfig config) {
        this.config = config;
        table = new OrderTable(config.capacity());
        pool = table.pool();
        int levels = (int) config.maxPriceTicks();
        bids = new PriceLadder(levels, true, pool);
        asks = new PriceLadder(levels, false, pool);
        nextSeq = config.firstSequence();
    }

    public BookConfig config() {
        return config;
    }

    /** A fully displayed order without flags or expiry. */
    public void place(long orderId, long ownerId, Side side, long priceTicks, long sizeLots, TimeInForce tif,
                      long now, BookEvents sink) {
        place(orderId, ownerId, side, priceTicks, sizeLots, tif, OrderFlags.NONE, 0, 0, NEVER_EXPIRES, now, sink);
    }

    /**
     * Places a limit order: validates it, matches what crosses, then rests the rest (GTC) or
     * cancels it (IOC). Rejections, in this order: size, price, flags, display, combination,
     * expiry, duplicate id, reduce-only cap, capacity, FOK liquidity, post-only cross.
     *
     * @param displayLots iceberg slice size, or 0 for a fully displayed order
     * @param reduceOnlyCapLots only read with {@link OrderFlags#REDUCE_ONLY}: the position size the
     *     order may reduce (supplied by the caller, who knows positions); the order is clipped to it
     * @param expiresAt last instant (inclusive) at which the order may fill; {@link #NEVER_EXPIRES}
     */
    public void place(long orderId, long ownerId, Side side, long priceTicks, long sizeLots, TimeInForce tif,
                      int flags, long displayLots, long reduceOnlyCapLots, long expiresAt, long now,
                      BookEvents sink) {
        RejectReason reason = checkNewOrder(orderId, priceTicks, sizeLots, tif, flags, displayLots, expiresAt, now);
        long size = sizeLots;
        if (reason == null && OrderFlags.has(flags, OrderFlags.REDUCE_ONLY)) {
            if (reduceOnlyCapLots <= 0) {
                reason = RejectReason.REDUCE_ONLY_NOTHING_TO_REDUCE;
            } else {
                size = Math.min(size, reduceOnlyCapLots);
            }
        }
        int limit = (int) (priceTicks - 1);
        boolean buy = side == Side.BUY;
        if (reason == null) {
            reason = checkLiquidity(ownerId, buy, limit, size, tif, flags, now);
        }
        if (reason != null) {
            sink.onRejected(nextSeq++, orderId, ownerId, reason);
            return;
        }
        sink.onAccepted(nextSeq++, orderId, ownerId, side, priceTicks, size);
        // A post-only order passed the cross check, so matching can only expire stale orders here.
        long left = match(orderId, ownerId, buy, limit, size, now, sink);
        if (left == 0) {
            return;
        }
        if (tif == TimeInForce.GTC) {
            int slot = table.claim(orderId);
            resting++;
            pool[slot * STRIDE + OWNER] = ownerId;
            pool[slot * STRIDE + EXPIRES_AT] = expiresAt;
            pool[slot * STRIDE + META] = Slots.LIVE_BIT | (buy ? Slots.BUY_BIT : 0)
                    | (OrderFlags.has(flags, OrderFlags.POST_ONLY) ? Slots.POST_ONLY_BIT : 0);
            pool[slot * STRIDE + DISPLAY] = displayLots;
            enqueue(slot, limit, left, sink);
        } else {
            sink.onCancelled(nextSeq++, orderId, ownerId, left, CancelReason.IMMEDIATE_REMAINDER);
        }
    }

    /**
     * A market order: an IOC that trades down the book but never at a price worse than
     * {@code worstPriceTicks} (a slippage bound: the highest price a buy pays, the lowest a sell
     * accepts). The unfilled rest is cancelled.
     */
    public void placeMarket(long orderId, long ownerId, Side side, long sizeLots, long worstPriceTicks, int flags,
                            long reduceOnlyCapLots, long now, BookEvents sink) {
        place(orderId, ownerId, side, worstPriceTicks, sizeLots, TimeInForce.IOC, flags, 0, reduceOnlyCapLots,
                NEVER_EXPIRES, now, sink);
    }

    /** Removes a resting order; rejected UNKNOWN_ORDER if it is not on the book. */
    public void cancel(long orderId, long now, BookEvents sink) {
        int slot = table.find(orderId);
        if (slot == NIL) {
            sink.onRejected(nextSeq++, orderId, UNKNOWN_OWNER, RejectReason.UNKNOWN_ORDER);
            return;
        }
        long remaining = open(slot);
        long owner = ownerOf(slot);
        remove(slot);
        sink.onCancelled(nextSeq++, orderId, owner, remaining, CancelReason.REQUESTED);
    }

    /**
     * Changes a resting order's price and open size ({@code newSizeLots} is the new unfilled total,
     * displayed plus hidden). Same price and no larger size: shrinks in place and keeps time
     * priority. Anything else: the order leaves its queue and re-enters like a new aggressive GTC
     * order of the same owner at the new price, matching what it crosses (self-trade prevention
     * included) and resting the rest at the back of its level. A post-only order that would cross at
     * the new price is rejected and left unchanged.
     */
    public void amend(long orderId, long newPriceTicks, long newSizeLots, long now, BookEvents sink) {
        int slot = table.find(orderId);
        if (slot == NIL) {
            sink.onRejected(nextSeq++, orderId, UNKNOWN_OWNER, RejectReason.UNKNOWN_ORDER);
            return;
        }
        long owner = ownerOf(slot);
        RejectReason reason = newSizeLots < 1 || newSizeLots > config.maxSizeLots() ? RejectReason.SIZE_OUT_OF_RANGE
                : newPriceTicks < 1 || newPriceTicks > config.maxPriceTicks() ? RejectReason.PRICE_OUT_OF_RANGE
                : null;
        if (reason != null) {
            sink.onRejected(nextSeq++, orderId, owner, reason);
            return;
        }
        if (now > expiresAtOf(slot)) {
            long remaining = open(slot);
            remove(slot);
            sink.onExpired(nextSeq++, orderId, owner, remaining);
            sink.onRejected(nextSeq++, orderId, owner, RejectReason.ORDER_EXPIRED);
            return;
        }
        int newLevel = (int) (newPriceTicks - 1);
        boolean buy = isBuy(slot);
        if (newLevel == levelOf(slot) && newSizeLots <= open(slot)) {
            if (newSizeLots >= pool[slot * STRIDE + VISIBLE]) {
                pool[slot * STRIDE + HIDDEN] = newSizeLots - pool[slot * STRIDE + VISIBLE];
            } else {
                pool[slot * STRIDE + VISIBLE] = newSizeLots;
                pool[slot * STRIDE + HIDDEN] = 0;
            }
            sink.onAmended(nextSeq++, orderId, newPriceTicks, newSizeLots, true);
            return;
        }
        if (isPostOnly(slot) && hasLiveCrossing(buy ? asks : bids, newLevel, now)) {
            sink.onRejected(nextSeq++, orderId, owner, RejectReason.POST_ONLY_WOULD_CROSS);
            return;
        }
        (buy ? bids : asks).unlink(slot, levelOf(slot));
        sink.onAmended(nextSeq++, orderId, newPriceTicks, newSizeLots, false);
        long left = match(orderId, owner, buy, newLevel, newSizeLots, now, sink);
        if (left == 0) {
            release(slot);
        } else {
            enqueue(slot, newLevel, left, sink);
        }
    }

    /** Removes every resting order with {@code now > expiresAt}, bids then asks, best price first. */
    public void sweepExpired(long now, BookEvents sink) {
        sweep(bids, now, sink);
        sweep(asks, now, sink);
    }

    /** Highest bid in ticks, or {@link #NO_PRICE}. Expired orders count until removed. */
    public long bestBidTicks() {
        return bids.best() == NIL ? NO_PRICE : bids.best() + 1L;
    }

    /** Lowest ask in ticks, or {@link #NO_PRICE}. Expired orders count until removed. */
    public long bestAskTicks() {
        return asks.best() == NIL ? NO_PRICE : asks.best() + 1L;
    }

    /** Number of orders on the book. */
    public int restingOrders() {
        return resting;
    }

    /** Whether an order with this id rests on the book. */
    public boolean isResting(long orderId) {
        return table.find(orderId) != NIL;
    }

    /** An order's unfilled size (displayed plus hidden), or 0 if it is not on the book. */
    public long openLots(long orderId) {
        int slot = table.find(orderId);
        return slot == NIL ? 0 : open(slot);
    }

    /** The sequence number the next event will get. */
    public long nextSequence() {
        return nextSeq;
    }

    /** Visits one side's resting orders in matching order: best price first, then time priority. */
    public void forEachResting(Side side, RestingOrderVisitor visitor) {
        PriceLadder ladder = side == Side.BUY ? bids : asks;
        for (int lvl = ladder.best(); lvl != NIL; lvl = ladder.worse(lvl)) {
            for (int s = ladder.head(lvl); s != NIL; s = Slots.next(pool, s)) {
                visitor.visit(idOf(s), ownerOf(s), lvl + 1L, pool[s * STRIDE + VISIBLE], pool[s * STRIDE + HIDDEN], expiresAtOf(s));
            }
        }
    }

    private RejectReason checkNewOrder(long orderId, long priceTicks, long sizeLots, TimeInForce tif, int flags,
                                       long displayLots, long expiresAt, long now) {
        if (sizeLots < 1 || sizeLots > config.maxSizeLots()) {
            return RejectReason.SIZE_OUT_OF_RANGE;
        }
        if (priceTicks < 1 || priceTicks > config.maxPriceTicks()) {
            return RejectReason.PRICE_OUT_OF_RANGE;
        }
        if ((flags & ~OrderFlags.KNOWN) != 0) {
            return RejectReason.UNKNOWN_FLAGS;
        }
        if (displayLots < 0 || displayLots > sizeLots) {
            return RejectReason.DISPLAY_OUT_OF_RANGE;
        }
        boolean immediate = tif != TimeInForce.GTC;
        boolean needsGtc = OrderFlags.has(flags, OrderFlags.POST_ONLY) || displayLots > 0;
        if ((immediate && needsGtc) || (!immediate && OrderFlags.has(flags, OrderFlags.REDUCE_ONLY))) {
            return RejectReason.INVALID_COMBINATION;
        }
        if (now > expiresAt) {
            return RejectReason.ALREADY_EXPIRED;
        }
        if (table.find(orderId) != NIL) {
            return RejectReason.DUPLICATE_ORDER_ID;
        }
        return null;
    }

    /** The checks that look at the opposite side; none of them changes the book. */
    private RejectReason checkLiquidity(long ownerId, boolean buy, int limit, long size, TimeInForce tif, int flags,
                                        long now) {
        if (tif == TimeInForce.GTC && resting == config.capacity()) {
            return RejectReason.BOOK_FULL;
        }
        PriceLadder opposite = buy ? asks : bids;
        if (tif == TimeInForce.FOK && fillableLots(opposite, limit, ownerId, size, now) < size) {
            return RejectReason.FILL_OR_KILL_NOT_FILLABLE;
        }
        if (OrderFlags.has(flags, OrderFlags.POST_ONLY) && hasLiveCrossing(opposite, limit, now)) {
            return RejectReason.POST_ONLY_WOULD_CROSS;
        }
        return null;
    }

    /**
     * Trades an incoming quantity against the opposite side, best price first, FIFO within a
     * price, at each maker's price. Expired makers are removed unfilled; makers of the same owner
     * are cancelled (self-trade prevention). Returns the unfilled quantity.
     */
    private long match(long takerId, long takerOwner, boolean takerBuys, int limit, long quantity, long now,
                       BookEvents sink) {
        PriceLadder opposite = takerBuys ? asks : bids;
        Side takerSide = takerBuys ? Side.BUY : Side.SELL;
        long left = quantity;
        while (left > 0) {
            int lvl = opposite.best();
            if (lvl == NIL || !opposite.atLeastAsGood(lvl, limit)) {
                break;
            }
            int maker = opposite.head(lvl);
            if (now > expiresAtOf(maker)) {
                long remaining = open(maker);
                remove(maker);
                sink.onExpired(nextSeq++, idOf(maker), ownerOf(maker), remaining);
                continue;
            }
            if (ownerOf(maker) == takerOwner) {
                long remaining = open(maker);
                remove(maker);
                sink.onCancelled(nextSeq++, idOf(maker), ownerOf(maker), remaining, CancelReason.SELF_TRADE);
                continue;
            }
            long lots = Math.min(left, pool[maker * STRIDE + VISIBLE]);
            pool[maker * STRIDE + VISIBLE] -= lots;
            left -= lots;
            long makerId = idOf(maker);
            long makerOwner = ownerOf(maker);
            long makerRemaining = open(maker);
            if (pool[maker * STRIDE + VISIBLE] == 0) {
                if (pool[maker * STRIDE + HIDDEN] == 0) {
                    remove(maker);
                } else {
                    long slice = Math.min(pool[maker * STRIDE + DISPLAY], pool[maker * STRIDE + HIDDEN]);
                    pool[maker * STRIDE + VISIBLE] = slice;
                    pool[maker * STRIDE + HIDDEN] -= slice;
                    opposite.moveToBack(maker, lvl);
                }
            }
            sink.onFill(nextSeq++, makerId, makerOwner, takerId, takerOwner, takerSide, lvl + 1L, lots,
                    makerRemaining, left);
        }
        return left;
    }

    /** Lots a FOK of this owner could fill: live makers at acceptable prices, other owners only. */
    private long fillableLots(PriceLadder opposite, int limit, long owner, long wanted, long now) {
        long sum = 0;
        for (int lvl = opposite.best(); lvl != NIL && opposite.atLeastAsGood(lvl, limit); lvl = opposite.worse(lvl)) {
            for (int s = opposite.head(lvl); s != NIL; s = Slots.next(pool, s)) {
                if (now <= expiresAtOf(s) && ownerOf(s) != owner) {
                    sum += open(s);
                    if (sum >= wanted) {
                        return sum;
                    }
                }
            }
        }
        return sum;
    }

    private boolean hasLiveCrossing(PriceLadder opposite, int limit, long now) {
        for (int lvl = opposite.best(); lvl != NIL && opposite.atLeastAsGood(lvl, limit); lvl = opposite.worse(lvl)) {
            for (int s = opposite.head(lvl); s != NIL; s = Slots.next(pool, s)) {
                if (now <= expiresAtOf(s)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void enqueue(int slot, int lvl, long lots, BookEvents sink) {
        long shown = pool[slot * STRIDE + DISPLAY] > 0 ? Math.min(pool[slot * STRIDE + DISPLAY], lots) : lots;
        pool[slot * STRIDE + VISIBLE] = shown;
        pool[slot * STRIDE + HIDDEN] = lots - shown;
        pool[slot * STRIDE + META] = (pool[slot * STRIDE + META] & ~0xFFFF_FFFFL) | lvl;
        (isBuy(slot) ? bids : asks).append(slot, lvl);
        sink.onRested(nextSeq++, idOf(slot), lvl + 1L, lots);
    }

    private void sweep(PriceLadder ladder, long now, BookEvents sink) {
        for (int lvl = ladder.best(); lvl != NIL; lvl = ladder.worse(lvl)) {
            int s = ladder.head(lvl);
            while (s != NIL) {
                int following = Slots.next(pool, s);
                if (now > expiresAtOf(s)) {
                    long remaining = open(s);
                    remove(s);
                    sink.onExpired(nextSeq++, idOf(s), ownerOf(s), remaining);
                }
                s = following;
            }
        }
    }

    /** Takes a queued order off the book; its slot fields stay readable until the next placement. */
    private void remove(int slot) {
        (isBuy(slot) ? bids : asks).unlink(slot, levelOf(slot));
        release(slot);
    }

    private void release(int slot) {
        table.vacate(slot);
        resting--;
    }

    private boolean isBuy(int slot) {
        return (pool[slot * STRIDE + META] & Slots.BUY_BIT) != 0;
    }

    private boolean isPostOnly(int slot) {
        return (pool[slot * STRIDE + META] & Slots.POST_ONLY_BIT) != 0;
    }

    private int levelOf(int slot) {
        return (int) pool[slot * STRIDE + META];
    }

    private long idOf(int slot) {
        return pool[slot * STRIDE + ID];
    }

    private long ownerOf(int slot) {
        return pool[slot * STRIDE + OWNER];
    }

    private long expiresAtOf(int slot) {
        return pool[slot * STRIDE + EXPIRES_AT];
    }

    /** Unfilled lots, displayed plus hidden. */
    private long open(int slot) {
        return pool[slot * STRIDE + VISIBLE] + pool[slot * STRIDE + HIDDEN];
    }
}
