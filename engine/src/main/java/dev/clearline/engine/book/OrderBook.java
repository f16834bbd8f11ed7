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
    /** Set by {@link #match} when the caller stopped the incoming order ({@link FillVerdict#takerStops}). */
    private boolean takerStopped;
    /** Scratch for {@link #planFills}: one price level's queue, simulated without touching the book. */
    private long[] planIds = new long[16];
    private long[] planOwners = new long[16];
    private long[] planVisible = new long[16];
    private long[] planHidden = new long[16];
    private long[] planDisplay = new long[16];
    private int[] planQueue = new int[16];

    public OrderBook(BookConfig config) {
        this.config = config;
        table = new OrderTable(config.capacity(), this::moved);
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
        if (takerStopped) {
            sink.onCancelled(nextSeq++, orderId, ownerId, left, CancelReason.FILL_REFUSED);
        } else if (tif == TimeInForce.GTC) {
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
        placeMarket(orderId, ownerId, side, sizeLots, worstPriceTicks, TimeInForce.IOC, flags, reduceOnlyCapLots, now, sink);
    }

    /**
     * A market order with an explicit time in force: IOC (fill what the bound allows, cancel the
     * rest) or FOK (fill all of it within the bound, or nothing). GTC is rejected: a market order
     * never rests.
     */
    public void placeMarket(long orderId, long ownerId, Side side, long sizeLots, long worstPriceTicks, TimeInForce tif,
                            int flags, long reduceOnlyCapLots, long now, BookEvents sink) {
        if (tif == TimeInForce.GTC) {
            sink.onRejected(nextSeq++, orderId, ownerId, RejectReason.INVALID_COMBINATION);
            return;
        }
        place(orderId, ownerId, side, worstPriceTicks, sizeLots, tif, flags, 0, reduceOnlyCapLots, NEVER_EXPIRES, now, sink);
    }

    /**
     * What {@link #place} would reject this order for right now, or null, without changing the
     * book: every check except the duplicate id. {@code replacingOne} means a resting order leaves
     * before this one is placed (an amend that replaces), so a full book does not refuse it.
     */
    public RejectReason check(long ownerId, Side side, long priceTicks, long sizeLots, TimeInForce tif, int flags,
                              long displayLots, long reduceOnlyCapLots, long expiresAt, long now, boolean replacingOne) {
        RejectReason reason = checkFields(priceTicks, sizeLots, tif, flags, displayLots, expiresAt, now);
        long size = sizeLots;
        if (reason == null && OrderFlags.has(flags, OrderFlags.REDUCE_ONLY)) {
            if (reduceOnlyCapLots <= 0) {
                return RejectReason.REDUCE_ONLY_NOTHING_TO_REDUCE;
            }
            size = Math.min(size, reduceOnlyCapLots);
        }
        if (reason == null && !(replacingOne && tif == TimeInForce.GTC && resting == config.capacity())) {
            reason = checkLiquidity(ownerId, side == Side.BUY, (int) (priceTicks - 1), size, tif, flags, now);
        }
        return reason;
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
     * displayed plus hidden), keeping its display size and expiry. See
     * {@link #amend(long, long, long, long, long, long, BookEvents)}.
     */
    public void amend(long orderId, long newPriceTicks, long newSizeLots, long now, BookEvents sink) {
        int slot = table.find(orderId);
        if (slot == NIL) {
            sink.onRejected(nextSeq++, orderId, UNKNOWN_OWNER, RejectReason.UNKNOWN_ORDER);
            return;
        }
        amend(orderId, newPriceTicks, newSizeLots, pool[slot * STRIDE + DISPLAY], expiresAtOf(slot), now, sink);
    }

    /**
     * Replaces a resting order's price, open size, iceberg display size (0: fully displayed) and
     * expiry. It keeps time priority when the price stays, the size does not grow and the displayed
     * slice does not grow (a larger slice would jump the queue with quantity that was hidden).
     * Anything else: the order leaves its queue and re-enters like a new aggressive GTC order of the
     * same owner at the new price, matching what it crosses (self-trade prevention included) and
     * resting the rest at the back of its level. A post-only order that would cross at the new
     * price, or a new expiry already past, is rejected and the order is left unchanged; an order
     * already expired is removed (Expired) and the amend rejected (ORDER_EXPIRED).
     */
    public void amend(long orderId, long newPriceTicks, long newSizeLots, long newDisplayLots, long newExpiresAt,
                      long now, BookEvents sink) {
        int slot = table.find(orderId);
        if (slot == NIL) {
            sink.onRejected(nextSeq++, orderId, UNKNOWN_OWNER, RejectReason.UNKNOWN_ORDER);
            return;
        }
        long owner = ownerOf(slot);
        RejectReason reason = newSizeLots < 1 || newSizeLots > config.maxSizeLots() ? RejectReason.SIZE_OUT_OF_RANGE
                : newPriceTicks < 1 || newPriceTicks > config.maxPriceTicks() ? RejectReason.PRICE_OUT_OF_RANGE
                : newDisplayLots < 0 ? RejectReason.DISPLAY_OUT_OF_RANGE
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
        if (now > newExpiresAt) {
            sink.onRejected(nextSeq++, orderId, owner, RejectReason.ALREADY_EXPIRED);
            return;
        }
        int newLevel = (int) (newPriceTicks - 1);
        boolean buy = isBuy(slot);
        long visible = pool[slot * STRIDE + VISIBLE];
        long newVisible = newDisplayLots == 0 ? newSizeLots : Math.min(Math.min(visible, newDisplayLots), newSizeLots);
        if (newLevel == levelOf(slot) && newSizeLots <= open(slot) && newVisible <= visible) {
            pool[slot * STRIDE + VISIBLE] = newVisible;
            pool[slot * STRIDE + HIDDEN] = newSizeLots - newVisible;
            pool[slot * STRIDE + DISPLAY] = newDisplayLots;
            pool[slot * STRIDE + EXPIRES_AT] = newExpiresAt;
            sink.onAmended(nextSeq++, orderId, newPriceTicks, newSizeLots, true);
            return;
        }
        if (isPostOnly(slot) && hasLiveCrossing(buy ? asks : bids, newLevel, now)) {
            sink.onRejected(nextSeq++, orderId, owner, RejectReason.POST_ONLY_WOULD_CROSS);
            return;
        }
        long meta = pool[slot * STRIDE + META] & ~0xFFFF_FFFFL;
        // Leave the table while matching: removals during the match may move table positions.
        remove(slot);
        sink.onAmended(nextSeq++, orderId, newPriceTicks, newSizeLots, false);
        long left = match(orderId, owner, buy, newLevel, newSizeLots, now, sink);
        if (left == 0) {
            return;
        }
        if (takerStopped) {
            sink.onCancelled(nextSeq++, orderId, owner, left, CancelReason.FILL_REFUSED);
            return;
        }
        int fresh = table.claim(orderId);
        resting++;
        pool[fresh * STRIDE + OWNER] = owner;
        pool[fresh * STRIDE + EXPIRES_AT] = newExpiresAt;
        pool[fresh * STRIDE + META] = meta;
        pool[fresh * STRIDE + DISPLAY] = newDisplayLots;
        enqueue(fresh, newLevel, left, sink);
    }

    /**
     * Walks, without changing anything, the fills an incoming order of {@code ownerId} on
     * {@code side} with this limit and size would make now, in the order {@link #place} would make
     * them (price-time priority, iceberg refills going to the back of their level), skipping what
     * matching would remove unfilled (expired orders, the owner's own orders). Returns the lots
     * planned. Lets a caller try a whole fill-or-kill before committing to any of it.
     */
    public long planFills(long ownerId, Side side, long limitTicks, long sizeLots, long now, FillPlan plan) {
        PriceLadder opposite = side == Side.BUY ? asks : bids;
        int limit = (int) (limitTicks - 1);
        long left = sizeLots;
        for (int lvl = opposite.best(); left > 0 && lvl != NIL && opposite.atLeastAsGood(lvl, limit); lvl = opposite.worse(lvl)) {
            int n = 0;
            for (int s = opposite.head(lvl); s != NIL; s = Slots.next(pool, s)) {
                if (now > expiresAtOf(s) || ownerOf(s) == ownerId) {
                    continue;
                }
                if (n == planIds.length) {
                    growPlan();
                }
                planIds[n] = idOf(s);
                planOwners[n] = ownerOf(s);
                planVisible[n] = pool[s * STRIDE + VISIBLE];
                planHidden[n] = pool[s * STRIDE + HIDDEN];
                planDisplay[n] = pool[s * STRIDE + DISPLAY];
                planQueue[n] = n;
                n++;
            }
            // the level's FIFO as a ring: a used-up iceberg slice refills and goes to the back
            int head = 0;
            int count = n;
            while (left > 0 && count > 0) {
                int i = planQueue[head];
                long lots = Math.min(left, planVisible[i]);
                left -= lots;
                planVisible[i] -= lots;
                if (!plan.fill(planIds[i], planOwners[i], lvl + 1L, lots)) {
                    return sizeLots - left;
                }
                if (planVisible[i] == 0) {
                    head = (head + 1) % n;
                    count--;
                    if (planHidden[i] > 0) {
                        long slice = Math.min(planDisplay[i], planHidden[i]);
                        planVisible[i] = slice;
                        planHidden[i] -= slice;
                        planQueue[(head + count) % n] = i;
                        count++;
                    }
                }
            }
        }
        return sizeLots - left;
    }

    private void growPlan() {
        int m = planIds.length * 2;
        planIds = java.util.Arrays.copyOf(planIds, m);
        planOwners = java.util.Arrays.copyOf(planOwners, m);
        planVisible = java.util.Arrays.copyOf(planVisible, m);
        planHidden = java.util.Arrays.copyOf(planHidden, m);
        planDisplay = java.util.Arrays.copyOf(planDisplay, m);
        planQueue = java.util.Arrays.copyOf(planQueue, m);
    }

    /** The expiry of a resting order, or 0 when it is not on the book. */
    public long expiresAt(long orderId) {
        int slot = table.find(orderId);
        return slot == NIL ? 0 : expiresAtOf(slot);
    }

    /** A resting order's iceberg display size (0: fully displayed), or 0 when it is not on the book. */
    public long displayLots(long orderId) {
        int slot = table.find(orderId);
        return slot == NIL ? 0 : pool[slot * STRIDE + DISPLAY];
    }

    /** A resting order's price in ticks, or {@link #NO_PRICE} when it is not on the book. */
    public long priceTicks(long orderId) {
        int slot = table.find(orderId);
        return slot == NIL ? NO_PRICE : levelOf(slot) + 1L;
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
        RejectReason reason = checkFields(priceTicks, sizeLots, tif, flags, displayLots, expiresAt, now);
        if (reason == null && table.find(orderId) != NIL) {
            return RejectReason.DUPLICATE_ORDER_ID;
        }
        return reason;
    }

    private RejectReason checkFields(long priceTicks, long sizeLots, TimeInForce tif, int flags, long displayLots,
                                     long expiresAt, long now) {
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
        takerStopped = false;
        while (left > 0) {
            int lvl = opposite.best();
            if (lvl == NIL || !opposite.atLeastAsGood(lvl, limit)) {
                break;
            }
            int maker = opposite.head(lvl);
            if (now > expiresAtOf(maker)) {
                long remaining = open(maker);
                long id = idOf(maker);
                long owner = ownerOf(maker);
                remove(maker);
                sink.onExpired(nextSeq++, id, owner, remaining);
                continue;
            }
            if (ownerOf(maker) == takerOwner) {
                long remaining = open(maker);
                long id = idOf(maker);
                remove(maker);
                sink.onCancelled(nextSeq++, id, takerOwner, remaining, CancelReason.SELF_TRADE);
                continue;
            }
            long lots = Math.min(left, pool[maker * STRIDE + VISIBLE]);
            FillVerdict verdict = sink.approveFill(idOf(maker), ownerOf(maker), takerId, takerOwner, takerSide, lvl + 1L, lots);
            if (verdict != FillVerdict.FILL) {
                if (verdict.makerLeaves()) {
                    long remaining = open(maker);
                    long id = idOf(maker);
                    long owner = ownerOf(maker);
                    remove(maker);
                    sink.onCancelled(nextSeq++, id, owner, remaining, CancelReason.FILL_REFUSED);
                }
                if (verdict.takerStops()) {
                    takerStopped = true;
                    break;
                }
                continue;
            }
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
                long followingId = following == NIL ? 0 : idOf(following);
                if (now > expiresAtOf(s)) {
                    long remaining = open(s);
                    long id = idOf(s);
                    long owner = ownerOf(s);
                    remove(s);
                    sink.onExpired(nextSeq++, id, owner, remaining);
                    // a removal may move other orders' table positions
                    following = following == NIL ? NIL : table.find(followingId);
                }
                s = following;
            }
        }
    }

    /** The order table moved a queued order from one position to another: relink its neighbours. */
    private void moved(int from, int to) {
        (isBuy(to) ? bids : asks).relocate(to, levelOf(to));
    }

    /** The order table, for tests of its probe lengths. */
    OrderTable table() {
        return table;
    }

    /** Takes a queued order off the book; its position may be reused or refilled by the next removal or placement. */
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
