package dev.clearline.engine.book;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

import java.util.BitSet;

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
    /** A reference that is not there (no mark yet, no fixed-price order on the side). */
    private static final long ABSENT = Long.MIN_VALUE;
    /** Queue kinds, in the order they trade at one price (META bits 35-37). */
    private static final int FIXED = 0;
    private static final int MARK_HELD = 1;
    private static final int BOOK_HELD = 2;
    private static final int MARK_FLOAT = 3;
    private static final int BOOK_FLOAT = 4;
    private static final int KIND_SHIFT = 35;
    /** META bits 38-63: the pegged coordinate not in the level bits (the offset index when held, the limit level when floating). */
    private static final int OTHER_SHIFT = 38;

    private static final int STRIDE = Slots.STRIDE;
    private static final int ID = Slots.ID;
    private static final int OWNER = Slots.OWNER;
    private static final int EXPIRES_AT = Slots.EXPIRES_AT;
    private static final int VISIBLE = Slots.VISIBLE;
    private static final int HIDDEN = Slots.HIDDEN;
    private static final int DISPLAY = Slots.DISPLAY;
    private static final int META = Slots.META;

    private final BookConfig config;
    /** The order records by slot, {@link Slots#STRIDE} longs per order; see {@link Slots} for the layout. */
    private final long[] pool;
    /** The FIFO links by slot, apart from the records; see {@link Slots}. */
    private final long[] links;
    private final OrderTable table;
    private final PriceLadder bids;
    private final PriceLadder asks;
    /**
     * Each side's queues by kind: [FIXED] is {@link #bids}/{@link #asks}; pegged orders, created on
     * first use, are held at their limit ([MARK_HELD], [BOOK_HELD], indexed by price) or float with
     * their reference ([MARK_FLOAT], [BOOK_FLOAT], indexed by offset + {@link #offsetBias}).
     */
    private final PriceLadder[] bidLadders = new PriceLadder[5];
    private final PriceLadder[] askLadders = new PriceLadder[5];
    /** Pegged orders resting per side (0: bids, 1: asks); 0 keeps every walk on the fixed ladder alone. */
    private final int[] pegCount = new int[2];
    /** The reference each side's pegs are priced from now, per {@link PegRef}, in ticks, or {@link #ABSENT}. */
    private final long[][] refs = {{ABSENT, ABSENT}, {ABSENT, ABSENT}};
    /** Whether {@link #refs} hold the references as of the end of the last request; see {@link #ensureRefs}. */
    private boolean refsCurrent = true;
    /** Per side and reference: [0] floating pegs by the reference at which they reach their limit, [1] held ones by where they float again. */
    private final Thresholds[][][] thresholds = new Thresholds[2][2][];
    private boolean hasMark;
    private long markFloorTicks;
    private long markCeilTicks;
    private final int offsetBias;
    private final SideWalk walk = new SideWalk();
    /** Set by {@link #bestSlot}: the price of the order it found. */
    private long bestPrice;
    private int resting;
    private long nextSeq;
    /** Set by {@link #match} when the caller stopped the incoming order ({@link FillVerdict#takerStops}). */
    private boolean takerStopped;
    /** Set by {@link #match}: the taker made {@link BookConfig#maxFillsPerTaker} fills and still crossed. */
    private boolean takerCapped;
    /** Scratch for {@link #planFills}: one price level's queue, simulated without touching the book. */
    private long[] planIds = new long[16];
    private long[] planOwners = new long[16];
    private long[] planVisible = new long[16];
    private long[] planHidden = new long[16];
    private long[] planDisplay = new long[16];
    private int[] planQueue = new int[16];

    public OrderBook(BookConfig config) {
        this.config = config;
        table = new OrderTable(config.capacity());
        pool = table.pool();
        links = table.links();
        int levels = (int) config.maxPriceTicks();
        bids = new PriceLadder(levels, true, links);
        asks = new PriceLadder(levels, false, links);
        bidLadders[FIXED] = bids;
        askLadders[FIXED] = asks;
        offsetBias = levels;
        nextSeq = config.firstSequence();
    }

    public BookConfig config() {
        return config;
    }

    /**
     * Writes everything this book holds, exactly: its config, the next event sequence number, the
     * resting orders (record, slot, FIFO links: the order table's layout), every queue of every
     * ladder, the peg references and threshold heaps as laid out, and the mark. Grows with the
     * resting orders, not with the capacity. Call between requests. Not written, because every
     * request sets them before reading them: {@code bestPrice}, {@code takerStopped}, {@code takerCapped}, the
     * {@code plan*} scratch arrays and the side walk.
     */
    public void writeImage(ImageWriter out) {
        out.writeLong(config.maxPriceTicks()).writeLong(config.maxSizeLots()).writeInt(config.capacity())
                .writeLong(config.firstSequence());
        out.writeLong(nextSeq).writeInt(resting);
        table.writeImage(out);
        for (PriceLadder[] ladders : new PriceLadder[][] {bidLadders, askLadders}) {
            for (PriceLadder l : ladders) {
                out.writeBoolean(l != null);
                if (l != null) {
                    l.writeImage(out);
                }
            }
        }
        out.writeInt(pegCount[0]).writeInt(pegCount[1]);
        for (long[] side : refs) {
            out.writeLong(side[0]).writeLong(side[1]);
        }
        out.writeBoolean(refsCurrent);
        for (Thresholds[][] side : thresholds) {
            for (Thresholds[] th : side) {
                out.writeBoolean(th != null);
                if (th != null) {
                    th[0].writeImage(out);
                    th[1].writeImage(out);
                }
            }
        }
        out.writeBoolean(hasMark).writeLong(markFloorTicks).writeLong(markCeilTicks);
    }

    /**
     * The book {@link #writeImage} wrote, built with {@code config}, which must be the config the
     * image was written with (an image of another book shape is refused before anything is
     * allocated). Refuses an image whose queues do not hold exactly the resting orders.
     *
     * @throws ImageFormatException on a truncated, damaged or foreign image
     */
    public static OrderBook readImage(ImageReader in, BookConfig config) {
        long maxPriceTicks = in.readLong();
        long maxSizeLots = in.readLong();
        int capacity = in.readInt();
        long firstSequence = in.readLong();
        if (maxPriceTicks != config.maxPriceTicks() || maxSizeLots != config.maxSizeLots() || capacity != config.capacity()
                || firstSequence != config.firstSequence()) {
            throw new ImageFormatException("the image's book (" + maxPriceTicks + " ticks, " + maxSizeLots + " lots, capacity "
                    + capacity + ", first sequence " + firstSequence + ") is not this book " + config);
        }
        OrderBook b = new OrderBook(config);
        b.restore(in);
        return b;
    }

    private void restore(ImageReader in) {
        nextSeq = in.readLong();
        int restingWritten = in.readInt();
        table.readImage(in);
        if (restingWritten != table.live()) {
            throw new ImageFormatException("a book of " + restingWritten + " resting orders with " + table.live() + " in its table");
        }
        resting = restingWritten;
        for (int si = 0; si < 2; si++) {
            for (int k = FIXED; k <= BOOK_FLOAT; k++) {
                boolean present = in.readBoolean();
                if (k == FIXED && !present) {
                    throw new ImageFormatException("a book without its fixed-price ladder");
                }
                if (present) {
                    ladder(si == 0, k).readImage(in, table.slots());
                }
            }
        }
        pegCount[0] = in.readInt();
        pegCount[1] = in.readInt();
        for (long[] side : refs) {
            side[0] = in.readLong();
            side[1] = in.readLong();
        }
        refsCurrent = in.readBoolean();
        for (int si = 0; si < 2; si++) {
            for (PegRef ref : PegRef.values()) {
                if (in.readBoolean()) {
                    Thresholds[] th = thresholds(si, ref);
                    th[0].readImage(in);
                    th[1].readImage(in);
                }
            }
        }
        hasMark = in.readBoolean();
        markFloorTicks = in.readLong();
        markCeilTicks = in.readLong();
        checkQueues();
    }

    /**
     * Every resting order sits in exactly one queue, the one its record names (side, kind,
     * level), linked both ways from head to tail, and the peg counts are the pegs queued.
     */
    private void checkQueues() {
        BitSet seen = new BitSet(table.slots());
        int[] pegs = new int[2];
        int queued = 0;
        for (int si = 0; si < 2; si++) {
            boolean buy = si == 0;
            PriceLadder[] ladders = buy ? bidLadders : askLadders;
            for (int k = FIXED; k <= BOOK_FLOAT; k++) {
                PriceLadder l = ladders[k];
                for (int lvl = l == null ? NIL : l.best(); lvl != NIL; lvl = l.worse(lvl)) {
                    int prev = NIL;
                    for (int s = l.head(lvl); s != NIL; s = Slots.next(links, s)) {
                        if (s < 0 || s >= table.slots() || seen.get(s) || (pool[s * STRIDE + META] & Slots.LIVE_BIT) == 0
                                || Slots.prev(links, s) != prev || isBuy(s) != buy || kindOf(s) != k || levelOf(s) != lvl) {
                            throw new ImageFormatException("the queue at level " + lvl + " (side " + si + ", kind " + k
                                    + ") does not hold the order in slot " + s + " as its record says");
                        }
                        seen.set(s);
                        prev = s;
                        queued++;
                        pegs[si] += k == FIXED ? 0 : 1;
                    }
                    if (prev != l.tail(lvl)) {
                        throw new ImageFormatException("the queue at level " + lvl + " ends at slot " + prev + ", not at its tail " + l.tail(lvl));
                    }
                }
            }
        }
        if (queued != resting || pegs[0] != pegCount[0] || pegs[1] != pegCount[1]) {
            throw new ImageFormatException(queued + " orders queued (" + pegs[0] + " + " + pegs[1] + " pegs) in a book of " + resting
                    + " (" + pegCount[0] + " + " + pegCount[1] + " pegs)");
        }
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
        placeFixed(orderId, ownerId, side, priceTicks, sizeLots, tif, flags, displayLots, reduceOnlyCapLots, expiresAt, now, sink);
        repeg(now, sink);
    }

    private void placeFixed(long orderId, long ownerId, Side side, long priceTicks, long sizeLots, TimeInForce tif,
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
        } else if (takerCapped) {
            sink.onCancelled(nextSeq++, orderId, ownerId, left, CancelReason.FILL_LIMIT);
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
        migrateAll();
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
        amendFixed(slot, orderId, newPriceTicks, newSizeLots, pool[slot * STRIDE + DISPLAY], expiresAtOf(slot), now, sink);
        repeg(now, sink);
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
        amendFixed(orderId, newPriceTicks, newSizeLots, newDisplayLots, newExpiresAt, now, sink);
        repeg(now, sink);
    }

    private void amendFixed(long orderId, long newPriceTicks, long newSizeLots, long newDisplayLots, long newExpiresAt,
                            long now, BookEvents sink) {
        int slot = table.find(orderId);
        if (slot == NIL) {
            sink.onRejected(nextSeq++, orderId, UNKNOWN_OWNER, RejectReason.UNKNOWN_ORDER);
            return;
        }
        amendFixed(slot, orderId, newPriceTicks, newSizeLots, newDisplayLots, newExpiresAt, now, sink);
    }

    private void amendFixed(int slot, long orderId, long newPriceTicks, long newSizeLots, long newDisplayLots, long newExpiresAt,
                            long now, BookEvents sink) {
        if (kindOf(slot) != FIXED) {
            // a pegged order has no price of its own to amend: the caller replaces it (cancel and place)
            sink.onRejected(nextSeq++, orderId, ownerOf(slot), RejectReason.INVALID_COMBINATION);
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
        if (isPostOnly(slot) && hasLiveCrossing(!buy, newLevel, now)) {
            sink.onRejected(nextSeq++, orderId, owner, RejectReason.POST_ONLY_WOULD_CROSS);
            return;
        }
        if (!mayCross(buy, newLevel)) {
            // nothing to match: the order changes queue in its slot (no removal, no claim), with the
            // same events the general path gives for a non-crossing move
            PriceLadder ladder = buy ? bids : asks;
            ladder.unlink(linkOf(slot), levelOf(slot));
            sink.onAmended(nextSeq++, orderId, newPriceTicks, newSizeLots, false);
            pool[slot * STRIDE + EXPIRES_AT] = newExpiresAt;
            pool[slot * STRIDE + DISPLAY] = newDisplayLots;
            enqueue(slot, newLevel, newSizeLots, sink);
            return;
        }
        long meta = pool[slot * STRIDE + META] & ~0xFFFF_FFFFL;
        // Leave the book while matching: the order re-enters like a new one (at the back of its level).
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
        if (takerCapped) {
            sink.onCancelled(nextSeq++, orderId, owner, left, CancelReason.FILL_LIMIT);
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
        SideWalk queues = walk.start(side != Side.BUY);
        long left = sizeLots;
        while (left > 0 && queues.next(limitTicks)) {
            int n = 0;
            long price = queues.price;
            for (int s = at(queues.head()); s != NIL; s = after(s)) {
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
                long fillable = plan.fillableLots(planIds[i], planOwners[i], lots);
                boolean spent = fillable >= 1 && fillable < lots;
                if (spent) {
                    lots = fillable;
                }
                left -= lots;
                planVisible[i] -= lots;
                if (!plan.fill(planIds[i], planOwners[i], price, lots)) {
                    return sizeLots - left;
                }
                if (spent) {
                    planVisible[i] = 0; // it leaves after this fill, as matching cancels it
                    planHidden[i] = 0;
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
        if (slot == NIL) {
            return NO_PRICE;
        }
        long p = priceOf(slot);
        return p == ABSENT || p < 1 ? NO_PRICE : p;
    }

    /** Removes every resting order with {@code now > expiresAt}, bids then asks, best price first. */
    public void sweepExpired(long now, BookEvents sink) {
        for (PriceLadder l : bidLadders) {
            if (l != null) {
                sweep(l, now, sink);
            }
        }
        for (PriceLadder l : askLadders) {
            if (l != null) {
                sweep(l, now, sink);
            }
        }
        migrateAll();
    }

    /** Highest bid in ticks, or {@link #NO_PRICE}. Expired orders count until removed. */
    public long bestBidTicks() {
        if (pegCount[0] == 0) {
            return bids.best() == NIL ? NO_PRICE : bids.best() + 1L;
        }
        return bestSlot(true) == NIL || bestPrice < 1 ? NO_PRICE : bestPrice;
    }

    /** Lowest ask in ticks, or {@link #NO_PRICE}. Expired orders count until removed. */
    public long bestAskTicks() {
        if (pegCount[1] == 0) {
            return asks.best() == NIL ? NO_PRICE : asks.best() + 1L;
        }
        return bestSlot(false) == NIL ? NO_PRICE : bestPrice;
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

    /**
     * Cuts a resting order's open size down to {@code lots} in place, hidden lots first, keeping its level, its time
     * priority and its display size: what a venue does to a take-profit whose position shrank under it. No event (the
     * caller reports why it cut); false, and nothing changes, when the order is not on the book or
     * {@code lots} is not in 1 .. its open size - 1 (a cut to nothing is a cancel).
     */
    public boolean shrink(long orderId, long lots) {
        int slot = table.find(orderId);
        if (slot == NIL || lots < 1 || lots >= open(slot)) return false;
        long visible = pool[slot * STRIDE + VISIBLE];
        if (lots <= visible) {
            pool[slot * STRIDE + VISIBLE] = lots;
            pool[slot * STRIDE + HIDDEN] = 0;
        } else {
            pool[slot * STRIDE + HIDDEN] = lots - visible;
        }
        return true;
    }

    /** The sequence number the next event will get. */
    public long nextSequence() {
        return nextSeq;
    }

    /** Visits one side's resting orders in matching order: best price first, then time priority. */
    public void forEachResting(Side side, RestingOrderVisitor visitor) {
        boolean buy = side == Side.BUY;
        SideWalk queues = new SideWalk().start(buy);
        while (queues.next(buy ? Long.MIN_VALUE : Long.MAX_VALUE)) {
            long price = queues.price < 1 ? NO_PRICE : queues.price;
            for (int s = at(queues.head()); s != NIL; s = after(s)) {
                visitor.visit(idOf(s), ownerOf(s), price, pool[s * STRIDE + VISIBLE], pool[s * STRIDE + HIDDEN], expiresAtOf(s));
            }
        }
        // pegs whose reference is absent rest without a price, after the others
        PriceLadder[] ladders = buy ? bidLadders : askLadders;
        for (int k = MARK_HELD; k <= BOOK_FLOAT; k++) {
            PriceLadder l = ladders[k];
            if (l == null || refOf(buy, k) != ABSENT) {
                continue;
            }
            for (int lvl = l.best(); lvl != NIL; lvl = l.worse(lvl)) {
                for (int s = at(l.head(lvl)); s != NIL; s = after(s)) {
                    visitor.visit(idOf(s), ownerOf(s), NO_PRICE, pool[s * STRIDE + VISIBLE], pool[s * STRIDE + HIDDEN], expiresAtOf(s));
                }
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
        if (immediate && needsGtc) {
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
        if (tif == TimeInForce.FOK && fillableLots(!buy, limit, ownerId, size, now) < size) {
            return RejectReason.FILL_OR_KILL_NOT_FILLABLE;
        }
        if (tif == TimeInForce.FOK && config.maxFillsPerTaker() != BookConfig.UNLIMITED_FILLS
                && plannedFills(ownerId, buy, limit, size, now, config.maxFillsPerTaker()) > config.maxFillsPerTaker()) {
            return RejectReason.FILL_OR_KILL_TOO_MANY_FILLS;
        }
        if (OrderFlags.has(flags, OrderFlags.POST_ONLY) && hasLiveCrossing(!buy, limit, now)) {
            return RejectReason.POST_ONLY_WOULD_CROSS;
        }
        return null;
    }

    /**
     * Trades an incoming quantity against the opposite side, best price first, FIFO within a
     * price, at each maker's price. Expired makers are removed unfilled; makers of the same owner
     * are cancelled (self-trade prevention). Stops before a fill past the config's
     * {@code maxFillsPerTaker} ({@code takerCapped}). Returns the unfilled quantity.
     */
    private long match(long takerId, long takerOwner, boolean takerBuys, int limit, long quantity, long now,
                       BookEvents sink) {
        PriceLadder opposite = takerBuys ? asks : bids;
        Side takerSide = takerBuys ? Side.BUY : Side.SELL;
        long left = quantity;
        takerStopped = false;
        takerCapped = false;
        int fills = 0;
        boolean makersBuy = !takerBuys;
        while (left > 0) {
            int maker;
            long price;
            if (pegCount[sideIndex(makersBuy)] == 0) {
                int lvl = opposite.best();
                if (lvl == NIL || !opposite.atLeastAsGood(lvl, limit)) {
                    break;
                }
                maker = at(opposite.head(lvl));
                price = lvl + 1L;
            } else {
                // pegs are priced from the references as they stood when this request began (repeg moves them after)
                maker = bestSlot(makersBuy);
                price = bestPrice;
                if (maker == NIL || (takerBuys ? price > limit + 1L : price < limit + 1L)) {
                    break;
                }
            }
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
            if (fills == config.maxFillsPerTaker()) {
                // checked here, at a fill it would make, so an order whose rest no longer crosses still rests
                takerCapped = true;
                break;
            }
            long lots = Math.min(left, pool[maker * STRIDE + VISIBLE]);
            long fillable = sink.fillableLots(idOf(maker), ownerOf(maker), lots);
            boolean makerSpent = fillable >= 1 && fillable < lots; // its owner's position goes with this fill: nothing left to reduce
            if (makerSpent) lots = fillable;
            FillVerdict verdict = sink.approveFill(idOf(maker), ownerOf(maker), takerId, takerOwner, takerSide, price, lots);
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
            fills++;
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
                    ladderOf(maker).moveToBack(linkOf(maker), levelOf(maker));
                }
            }
            sink.onFill(nextSeq++, makerId, makerOwner, takerId, takerOwner, takerSide, price, lots,
                    makerRemaining, left);
            if (makerSpent) {
                leaveSpent(maker, makerId, makerOwner, sink);
            }
        }
        return left;
    }

    /**
     * Whether an incoming order on this side with this limit level could meet any maker (live or
     * not): false means {@link #match} would find nothing and emit nothing. Pegged makers count as
     * possibly crossing.
     */
    private boolean mayCross(boolean takerBuys, int limit) {
        if (pegCount[sideIndex(!takerBuys)] != 0) {
            return true;
        }
        PriceLadder opposite = takerBuys ? asks : bids;
        int lvl = opposite.best();
        return lvl != NIL && opposite.atLeastAsGood(lvl, limit);
    }

    /**
     * How many fills an incoming order would make, counted on {@link #planFills} (iceberg refills
     * each a fill of their own), up to {@code atMost + 1}: enough to tell it would pass the limit.
     */
    private int plannedFills(long ownerId, boolean buy, int limit, long size, long now, int atMost) {
        int[] fills = {0};
        planFills(ownerId, buy ? Side.BUY : Side.SELL, limit + 1L, size, now, (maker, owner, price, lots) -> ++fills[0] <= atMost);
        return fills[0];
    }

    /** Lots a FOK of this owner could fill: live makers at acceptable prices, other owners only. */
    private long fillableLots(boolean makersBuy, int limit, long owner, long wanted, long now) {
        long sum = 0;
        if (pegCount[sideIndex(makersBuy)] > 0) {
            SideWalk queues = walk.start(makersBuy);
            while (queues.next(limit + 1L)) {
                for (int s = at(queues.head()); s != NIL; s = after(s)) {
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
        PriceLadder opposite = makersBuy ? bids : asks;
        for (int lvl = opposite.best(); lvl != NIL && opposite.atLeastAsGood(lvl, limit); lvl = opposite.worse(lvl)) {
            for (int s = at(opposite.head(lvl)); s != NIL; s = after(s)) {
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

    private boolean hasLiveCrossing(boolean makersBuy, int limit, long now) {
        if (pegCount[sideIndex(makersBuy)] > 0) {
            SideWalk queues = walk.start(makersBuy);
            while (queues.next(limit + 1L)) {
                for (int s = at(queues.head()); s != NIL; s = after(s)) {
                    if (now <= expiresAtOf(s)) {
                        return true;
                    }
                }
            }
            return false;
        }
        PriceLadder opposite = makersBuy ? bids : asks;
        for (int lvl = opposite.best(); lvl != NIL && opposite.atLeastAsGood(lvl, limit); lvl = opposite.worse(lvl)) {
            for (int s = at(opposite.head(lvl)); s != NIL; s = after(s)) {
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
        (isBuy(slot) ? bids : asks).append(linkOf(slot), lvl);
        sink.onRested(nextSeq++, idOf(slot), lvl + 1L, lots);
    }

    private void sweep(PriceLadder ladder, long now, BookEvents sink) {
        for (int lvl = ladder.best(); lvl != NIL; lvl = ladder.worse(lvl)) {
            int k = ladder.head(lvl);
            while (k != NIL) {
                int s = k;
                int following = Slots.next(links, k);
                if (now > expiresAtOf(s)) {
                    long remaining = open(s);
                    long id = idOf(s);
                    long owner = ownerOf(s);
                    remove(s);
                    sink.onExpired(nextSeq++, id, owner, remaining);
                }
                k = following;
            }
        }
    }

    /** The slot of a queue's entry (a queue holds slots, so this is the identity; it names the step). */
    private static int at(int link) {
        return link;
    }

    /** The slot of the order behind this one in its queue, or NIL. */
    private int after(int slot) {
        return at(Slots.next(links, linkOf(slot)));
    }

    private int linkOf(int slot) {
        return slot;
    }

    /** The order table, for tests of its probe lengths. */
    OrderTable table() {
        return table;
    }

    /** Takes a queued order off the book; its slot may be reused by the next placement. */
    private void remove(int slot) {
        ladderOf(slot).unlink(linkOf(slot), levelOf(slot));
        if (kindOf(slot) != FIXED) {
            pegCount[sideIndex(isBuy(slot))]--;
        }
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

    // ------------------------------------------------------------------------------- pegged orders

    /**
     * The market's mark in ticks, rounded down (what buys are pegged to) and up (what sells are
     * pegged to). Mark-pegged orders follow at once: the pegs that reach or leave their limit change
     * queue (the only per-order work, see {@link Thresholds}), and pegs that now cross the book trade
     * ({@link #repeg}).
     */
    public void mark(long floorTicks, long ceilTicks, long now, BookEvents sink) {
        hasMark = true;
        markFloorTicks = floorTicks;
        markCeilTicks = ceilTicks;
        repeg(now, sink);
    }

    /**
     * The price in ticks a pegged order with these terms has now: reference + offset, never past
     * the limit (a buy at most {@code limitTicks}, a sell at least). {@link #NO_PRICE} when the
     * reference is absent or the price is not positive: such an order cannot trade.
     */
    public long pegPriceTicks(Side side, PegRef ref, long offsetTicks, long limitTicks) {
        ensureRefs();
        boolean buy = side == Side.BUY;
        long r = refs[sideIndex(buy)][ref.ordinal()];
        if (r == ABSENT || Math.abs(offsetTicks) >= offsetBias) {
            return NO_PRICE;
        }
        long raw = r + offsetTicks;
        long p = buy ? Math.min(limitTicks, raw) : Math.max(limitTicks, raw);
        return p < 1 ? NO_PRICE : p;
    }

    /**
     * Places a pegged order: its price is {@link #pegPriceTicks} now and follows the reference
     * while it rests. Validated like {@link #place} with {@code limitTicks} as the price, plus the
     * offset (|offset| below maxPriceTicks). With no reference (no mark yet, no fixed-price order on
     * its side) it cannot trade: a GTC rests without a price until the reference is back, an IOC
     * is cancelled, a FOK rejected. A post-only that would cross is rejected like any post-only.
     */
    public void placePegged(long orderId, long ownerId, Side side, PegRef ref, long offsetTicks, long limitTicks,
                            long sizeLots, TimeInForce tif, int flags, long displayLots, long reduceOnlyCapLots,
                            long expiresAt, long now, BookEvents sink) {
        boolean buy = side == Side.BUY;
        RejectReason reason = checkNewOrder(orderId, limitTicks, sizeLots, tif, flags, displayLots, expiresAt, now);
        if (reason == null && Math.abs(offsetTicks) >= offsetBias) {
            reason = RejectReason.PEG_OFFSET_OUT_OF_RANGE;
        }
        long size = sizeLots;
        if (reason == null && OrderFlags.has(flags, OrderFlags.REDUCE_ONLY)) {
            if (reduceOnlyCapLots <= 0) {
                reason = RejectReason.REDUCE_ONLY_NOTHING_TO_REDUCE;
            } else {
                size = Math.min(size, reduceOnlyCapLots);
            }
        }
        long price = reason == null ? pegPriceTicks(side, ref, offsetTicks, limitTicks) : NO_PRICE;
        int limit = levelFor(price, buy);
        if (reason == null) {
            reason = checkLiquidity(ownerId, buy, limit, size, tif, flags, now);
        }
        if (reason != null) {
            sink.onRejected(nextSeq++, orderId, ownerId, reason);
            return;
        }
        sink.onAccepted(nextSeq++, orderId, ownerId, side, price, size);
        long left = match(orderId, ownerId, buy, limit, size, now, sink);
        if (left > 0) {
            if (takerStopped) {
                sink.onCancelled(nextSeq++, orderId, ownerId, left, CancelReason.FILL_REFUSED);
            } else if (takerCapped) {
                sink.onCancelled(nextSeq++, orderId, ownerId, left, CancelReason.FILL_LIMIT);
            } else if (tif == TimeInForce.GTC) {
                int slot = table.claim(orderId);
                resting++;
                pool[slot * STRIDE + OWNER] = ownerId;
                pool[slot * STRIDE + EXPIRES_AT] = expiresAt;
                pool[slot * STRIDE + META] = Slots.LIVE_BIT | (buy ? Slots.BUY_BIT : 0)
                        | (OrderFlags.has(flags, OrderFlags.POST_ONLY) ? Slots.POST_ONLY_BIT : 0);
                pool[slot * STRIDE + DISPLAY] = displayLots;
                enqueuePeg(slot, ref, offsetTicks, limitTicks, left, sink);
            } else {
                sink.onCancelled(nextSeq++, orderId, ownerId, left, CancelReason.IMMEDIATE_REMAINDER);
            }
        }
        repeg(now, sink);
    }

    /** What {@link #placePegged} would reject this order for now, or null; as {@link #check}. */
    public RejectReason checkPegged(long ownerId, Side side, PegRef ref, long offsetTicks, long limitTicks, long sizeLots,
                                    TimeInForce tif, int flags, long displayLots, long reduceOnlyCapLots, long expiresAt,
                                    long now, boolean replacingOne) {
        RejectReason reason = checkFields(limitTicks, sizeLots, tif, flags, displayLots, expiresAt, now);
        if (reason == null && Math.abs(offsetTicks) >= offsetBias) {
            return RejectReason.PEG_OFFSET_OUT_OF_RANGE;
        }
        long size = sizeLots;
        if (reason == null && OrderFlags.has(flags, OrderFlags.REDUCE_ONLY)) {
            if (reduceOnlyCapLots <= 0) {
                return RejectReason.REDUCE_ONLY_NOTHING_TO_REDUCE;
            }
            size = Math.min(size, reduceOnlyCapLots);
        }
        if (reason == null && !(replacingOne && tif == TimeInForce.GTC && resting == config.capacity())) {
            boolean buy = side == Side.BUY;
            reason = checkLiquidity(ownerId, buy, levelFor(pegPriceTicks(side, ref, offsetTicks, limitTicks), buy), size,
                    tif, flags, now);
        }
        return reason;
    }

    /** Whether a resting order is pegged. */
    public boolean isPegged(long orderId) {
        int slot = table.find(orderId);
        return slot != NIL && kindOf(slot) != FIXED;
    }

    /** The limit level a taker with this price matches up to; no price matches nothing. */
    private static int levelFor(long price, boolean buy) {
        if (price == NO_PRICE) {
            return buy ? -1 : Integer.MAX_VALUE - 1;
        }
        return (int) Math.min(price - 1, Integer.MAX_VALUE - 1);
    }

    /** Queues a pegged order's rest: held at its limit when its reference has reached it, else floating. */
    private void enqueuePeg(int slot, PegRef ref, long offsetTicks, long limitTicks, long lots, BookEvents sink) {
        boolean buy = isBuy(slot);
        int si = sideIndex(buy);
        long r = refs[si][ref.ordinal()];
        long key = thresholdKey(buy, limitTicks, offsetTicks);
        boolean held = r != ABSENT && (buy ? r : -r) >= key;
        int offsetIndex = (int) (offsetTicks + offsetBias);
        int limitLevel = (int) (limitTicks - 1);
        int kind = held ? heldKind(ref) : floatKind(ref);
        int lvl = held ? limitLevel : offsetIndex;
        int other = held ? offsetIndex : limitLevel;
        long shown = pool[slot * STRIDE + DISPLAY] > 0 ? Math.min(pool[slot * STRIDE + DISPLAY], lots) : lots;
        pool[slot * STRIDE + VISIBLE] = shown;
        pool[slot * STRIDE + HIDDEN] = lots - shown;
        pool[slot * STRIDE + META] = (pool[slot * STRIDE + META] & FLAG_BITS) | ((long) kind << KIND_SHIFT)
                | ((long) other << OTHER_SHIFT) | lvl;
        ladder(buy, kind).append(linkOf(slot), lvl);
        pegCount[si]++;
        Thresholds[] th = thresholds(si, ref);
        if (held) {
            push(th[1], -key, idOf(slot), si);
        } else {
            push(th[0], key, idOf(slot), si);
        }
        long price = priceOf(slot);
        sink.onRested(nextSeq++, idOf(slot), price == ABSENT || price < 1 ? NO_PRICE : price, lots);
    }

    private static final long FLAG_BITS = Slots.LIVE_BIT | Slots.BUY_BIT | Slots.POST_ONLY_BIT;

    /**
     * The reference value (for a sell, its negation) at or past which a peg is held at its limit:
     * a buy is held when {@code ref + offset >= limit}, a sell when {@code ref + offset <= limit}.
     */
    private static long thresholdKey(boolean buy, long limitTicks, long offsetTicks) {
        return buy ? limitTicks - offsetTicks : offsetTicks - limitTicks;
    }

    private long thresholdKeyOf(int slot) {
        int k = kindOf(slot);
        boolean held = k == MARK_HELD || k == BOOK_HELD;
        long limitTicks = (held ? levelOf(slot) : otherOf(slot)) + 1L;
        long offset = (held ? otherOf(slot) : levelOf(slot)) - (long) offsetBias;
        return thresholdKey(isBuy(slot), limitTicks, offset);
    }

    private void push(Thresholds heap, long key, long id, int si) {
        heap.push(key, id);
        if (heap.size() > 2 * pegCount[si] + 64) {
            // drop the entries of orders that left or changed state, so the heap stays O(resting pegs)
            heap.retain((k, orderId) -> {
                int s = table.find(orderId);
                return s != NIL && kindOf(s) != FIXED && sideIndex(isBuy(s)) == si
                        && (thresholdKeyOf(s) == k || thresholdKeyOf(s) == -k);
            });
        }
    }

    private Thresholds[] thresholds(int si, PegRef ref) {
        Thresholds[] th = thresholds[si][ref.ordinal()];
        if (th == null) {
            th = new Thresholds[] {new Thresholds(), new Thresholds()};
            thresholds[si][ref.ordinal()] = th;
        }
        return th;
    }

    private PriceLadder ladder(boolean buy, int kind) {
        PriceLadder[] ladders = buy ? bidLadders : askLadders;
        if (ladders[kind] == null) {
            int levels = kind == MARK_FLOAT || kind == BOOK_FLOAT ? 2 * offsetBias : offsetBias;
            ladders[kind] = new PriceLadder(levels, buy, links);
        }
        return ladders[kind];
    }

    /**
     * After every request: brings each side's references up to date (moving only the pegs whose
     * held/floating state changes), then lets pegs that now cross the book trade, until nothing
     * crosses. With no pegs resting it only records the references.
     */
    private void repeg(long now, BookEvents sink) {
        if (pegCount[0] == 0 && pegCount[1] == 0) {
            refsCurrent = false; // nothing reads them until a peg arrives: refreshed then (ensureRefs)
            return;
        }
        pegTakerFills = null; // the fill limit counts per request
        do {
            migrateAll();
        } while (uncross(now, sink));
    }

    /**
     * Fills each peg has taken in this request's uncrossing, by order id ({@link #uncross}); null until one takes. Not part
     * of the book's state: cleared at the start of each request's repeg.
     */
    private java.util.HashMap<Long, Integer> pegTakerFills;

    /**
     * After a removal (cancel, expiry): the references follow, and nothing can cross, since taking
     * an order away only moves a side's book reference away from the other side.
     */
    private void migrateAll() {
        if (pegCount[0] == 0 && pegCount[1] == 0) {
            refsCurrent = false;
            return;
        }
        migrate(true, PegRef.MARK);
        migrate(false, PegRef.MARK);
        migrate(true, PegRef.BOOK);
        migrate(false, PegRef.BOOK);
    }

    /**
     * With no peg resting the references are not kept up to date on every request (the hot path of
     * a book without pegs): a peg's first reader brings them to what they were at the end of the
     * last request, which, before this request changed the book, is the book and mark now.
     */
    private void ensureRefs() {
        if (!refsCurrent) {
            refs[0][0] = currentRef(true, PegRef.MARK);
            refs[1][0] = currentRef(false, PegRef.MARK);
            refs[0][1] = currentRef(true, PegRef.BOOK);
            refs[1][1] = currentRef(false, PegRef.BOOK);
            refsCurrent = true;
        }
    }

    private long currentRef(boolean buy, PegRef ref) {
        if (ref == PegRef.MARK) {
            return hasMark ? (buy ? markFloorTicks : markCeilTicks) : ABSENT;
        }
        PriceLadder fixed = buy ? bids : asks;
        return fixed.best() == NIL ? ABSENT : fixed.best() + 1L;
    }

    /** Moves one side's pegs of one reference to the reference's current value; only pegs whose state flips move. */
    private void migrate(boolean buy, PegRef ref) {
        int si = sideIndex(buy);
        long r = currentRef(buy, ref);
        if (r == refs[si][ref.ordinal()]) {
            return;
        }
        refs[si][ref.ordinal()] = r;
        Thresholds[] th = thresholds[si][ref.ordinal()];
        if (r == ABSENT || th == null) {
            return; // without a reference the pegs stay where they are, out of reach, until it is back
        }
        long rr = buy ? r : -r;
        int floatKind = floatKind(ref);
        int heldKind = heldKind(ref);
        while (th[0].size() > 0 && th[0].minKey() <= rr) {
            long key = th[0].minKey();
            long id = th[0].minId();
            th[0].pop();
            int s = table.find(id);
            if (s != NIL && kindOf(s) == floatKind && isBuy(s) == buy && thresholdKeyOf(s) == key) {
                switchQueue(s, heldKind);
                th[1].push(-key, id);
            }
        }
        while (th[1].size() > 0 && -th[1].minKey() > rr) {
            long key = -th[1].minKey();
            long id = th[1].minId();
            th[1].pop();
            int s = table.find(id);
            if (s != NIL && kindOf(s) == heldKind && isBuy(s) == buy && thresholdKeyOf(s) == key) {
                switchQueue(s, floatKind);
                th[0].push(key, id);
            }
        }
    }

    /** A peg changes between held and floating: it joins the back of the other queue. */
    private void switchQueue(int slot, int kind) {
        boolean buy = isBuy(slot);
        int lvl = levelOf(slot);
        int other = otherOf(slot);
        ladderOf(slot).unlink(linkOf(slot), lvl);
        pool[slot * STRIDE + META] = (pool[slot * STRIDE + META] & FLAG_BITS) | ((long) kind << KIND_SHIFT)
                | ((long) lvl << OTHER_SHIFT) | other;
        ladder(buy, kind).append(linkOf(slot), other);
    }

    /**
     * One step of taking a crossed book apart after a reference moved: the pegged order at the top
     * of the crossing side takes (when both tops are pegged, the bid takes) from the other top at
     * the other's price, as an incoming order would. A post-only peg that would take is cancelled
     * (PEG_CROSSED) instead, and one that made {@link BookConfig#maxFillsPerTaker} fills in this
     * request and still crosses is cancelled (FILL_LIMIT). Returns whether anything changed.
     */
    private boolean uncross(long now, BookEvents sink) {
        boolean changed = false;
        while (true) {
            int b = bestSlot(true);
            long bp = bestPrice;
            int a = bestSlot(false);
            long ap = bestPrice;
            if (b == NIL || a == NIL || bp < ap) {
                return changed;
            }
            changed = true;
            boolean bidTakes = kindOf(b) != FIXED;
            int taker = bidTakes ? b : a;
            int maker = bidTakes ? a : b;
            long price = bidTakes ? ap : bp;
            if (now > expiresAtOf(taker) || now > expiresAtOf(maker)) {
                int gone = now > expiresAtOf(taker) ? taker : maker;
                long remaining = open(gone);
                long id = idOf(gone);
                long owner = ownerOf(gone);
                remove(gone);
                sink.onExpired(nextSeq++, id, owner, remaining);
                continue;
            }
            if (isPostOnly(taker)) {
                long remaining = open(taker);
                long id = idOf(taker);
                long owner = ownerOf(taker);
                remove(taker);
                sink.onCancelled(nextSeq++, id, owner, remaining, CancelReason.PEG_CROSSED);
                continue;
            }
            long makerId = idOf(maker);
            long makerOwner = ownerOf(maker);
            long takerId = idOf(taker);
            long takerOwner = ownerOf(taker);
            if (makerOwner == takerOwner) {
                long remaining = open(maker);
                remove(maker);
                sink.onCancelled(nextSeq++, makerId, makerOwner, remaining, CancelReason.SELF_TRADE);
                continue;
            }
            // a peg its reference carried across the book takes like an incoming order, and is held to the same fill limit:
            // one that made it and still crosses leaves (resting, it would keep the book crossed)
            int limit = config.maxFillsPerTaker();
            if (limit != BookConfig.UNLIMITED_FILLS && pegTakerFills != null && pegTakerFills.getOrDefault(takerId, 0) >= limit) {
                long remaining = open(taker);
                remove(taker);
                sink.onCancelled(nextSeq++, takerId, takerOwner, remaining, CancelReason.FILL_LIMIT);
                continue;
            }
            Side takerSide = bidTakes ? Side.BUY : Side.SELL;
            long lots = Math.min(open(taker), pool[maker * STRIDE + VISIBLE]);
            long fillable = sink.fillableLots(makerId, makerOwner, lots);
            boolean makerSpent = fillable >= 1 && fillable < lots;
            if (makerSpent) lots = fillable;
            FillVerdict verdict = sink.approveFill(makerId, makerOwner, takerId, takerOwner, takerSide, price, lots);
            if (verdict != FillVerdict.FILL) {
                if (verdict.makerLeaves()) {
                    long remaining = open(maker);
                    remove(maker);
                    sink.onCancelled(nextSeq++, makerId, makerOwner, remaining, CancelReason.FILL_REFUSED);
                }
                if (verdict.takerStops()) {
                    int t = table.find(takerId);
                    long remaining = open(t);
                    remove(t);
                    sink.onCancelled(nextSeq++, takerId, takerOwner, remaining, CancelReason.FILL_REFUSED);
                }
                continue;
            }
            pool[maker * STRIDE + VISIBLE] -= lots;
            long makerRemaining = open(maker);
            refillOrRemove(maker);
            long fromVisible = Math.min(pool[taker * STRIDE + VISIBLE], lots);
            pool[taker * STRIDE + VISIBLE] -= fromVisible;
            pool[taker * STRIDE + HIDDEN] -= lots - fromVisible;
            long takerRemaining = open(taker);
            refillOrRemove(taker);
            if (pegTakerFills == null) pegTakerFills = new java.util.HashMap<>();
            pegTakerFills.merge(takerId, 1, Integer::sum);
            sink.onFill(nextSeq++, makerId, makerOwner, takerId, takerOwner, takerSide, price, lots, makerRemaining,
                    takerRemaining);
            if (makerSpent) {
                leaveSpent(table.find(makerId), makerId, makerOwner, sink);
            }
        }
    }

    /**
     * A maker that filled less than it was asked for ({@link BookEvents#fillableLots}: a reduce-only order whose owner's
     * position that fill closed) leaves with its rest, if any is left: it has nothing more to reduce.
     */
    private void leaveSpent(int slot, long id, long owner, BookEvents sink) {
        if (slot == NIL || table.find(id) != slot) {
            return;
        }
        long remaining = open(slot);
        remove(slot);
        sink.onCancelled(nextSeq++, id, owner, remaining, CancelReason.POSITION_CLOSED);
    }

    /** After a fill: an order with nothing left leaves; a used-up iceberg slice refills at the back of its queue. */
    private void refillOrRemove(int slot) {
        if (pool[slot * STRIDE + VISIBLE] != 0) {
            return;
        }
        if (pool[slot * STRIDE + HIDDEN] == 0) {
            remove(slot);
            return;
        }
        long slice = Math.min(pool[slot * STRIDE + DISPLAY], pool[slot * STRIDE + HIDDEN]);
        pool[slot * STRIDE + VISIBLE] = slice;
        pool[slot * STRIDE + HIDDEN] -= slice;
        ladderOf(slot).moveToBack(linkOf(slot), levelOf(slot));
    }

    /**
     * The best order of one side a taker would meet now, over every queue whose reference is there
     * ({@link #bestPrice} gets its price), or NIL. At one price the queue of lower kind goes first.
     */
    private int bestSlot(boolean buy) {
        PriceLadder[] ladders = buy ? bidLadders : askLadders;
        int found = NIL;
        long fp = 0;
        for (int k = FIXED; k <= BOOK_FLOAT; k++) {
            PriceLadder l = ladders[k];
            if (l == null || l.best() == NIL || !active(buy, k)) {
                continue;
            }
            long p = priceAt(buy, k, l.best());
            if (found == NIL || (buy ? p > fp : p < fp)) {
                found = at(l.head(l.best()));
                fp = p;
            }
        }
        bestPrice = fp;
        return found;
    }

    private boolean active(boolean buy, int kind) {
        return kind == FIXED || refOf(buy, kind) != ABSENT;
    }

    private long refOf(boolean buy, int kind) {
        return refs[sideIndex(buy)][kind == MARK_HELD || kind == MARK_FLOAT ? 0 : 1];
    }

    /** The price of a level of a queue kind (its reference present). */
    private long priceAt(boolean buy, int kind, int level) {
        return kind <= BOOK_HELD ? level + 1L : level - (long) offsetBias + refOf(buy, kind);
    }

    /** A resting order's price now, or ABSENT for a peg whose reference is absent. */
    private long priceOf(int slot) {
        int k = kindOf(slot);
        if (k == FIXED) {
            return levelOf(slot) + 1L;
        }
        return active(isBuy(slot), k) ? priceAt(isBuy(slot), k, levelOf(slot)) : ABSENT;
    }

    private static int heldKind(PegRef ref) {
        return ref == PegRef.MARK ? MARK_HELD : BOOK_HELD;
    }

    private static int floatKind(PegRef ref) {
        return ref == PegRef.MARK ? MARK_FLOAT : BOOK_FLOAT;
    }

    private static int sideIndex(boolean buy) {
        return buy ? 0 : 1;
    }

    private int kindOf(int slot) {
        return (int) ((pool[slot * STRIDE + META] >>> KIND_SHIFT) & 7);
    }

    private int otherOf(int slot) {
        return (int) (pool[slot * STRIDE + META] >>> OTHER_SHIFT);
    }

    private PriceLadder ladderOf(int slot) {
        return (isBuy(slot) ? bidLadders : askLadders)[kindOf(slot)];
    }

    /**
     * Walks one side's queues in matching order: best price first and, at one price, fixed-price
     * orders, then pegs held at their limit (MARK, BOOK), then floating pegs (MARK, BOOK); a k-way
     * merge of the side's ladders. Queues of a reference that is absent are skipped.
     */
    private final class SideWalk {
        private final int[] cur = new int[5];
        private PriceLadder[] ladders;
        private boolean buy;
        int kind;
        int level;
        long price;

        SideWalk start(boolean buySide) {
            buy = buySide;
            ladders = buy ? bidLadders : askLadders;
            for (int k = FIXED; k <= BOOK_FLOAT; k++) {
                cur[k] = ladders[k] != null && active(buy, k) ? ladders[k].best() : NIL;
            }
            return this;
        }

        /** Moves to the next queue whose price is at least as good as {@code bound}; false when there is none. */
        boolean next(long bound) {
            int bk = -1;
            long bp = 0;
            for (int k = FIXED; k <= BOOK_FLOAT; k++) {
                if (cur[k] == NIL) {
                    continue;
                }
                long p = priceAt(buy, k, cur[k]);
                if (bk < 0 || (buy ? p > bp : p < bp)) {
                    bk = k;
                    bp = p;
                }
            }
            if (bk < 0 || (buy ? bp < bound : bp > bound)) {
                return false;
            }
            kind = bk;
            level = cur[bk];
            price = bp;
            cur[bk] = ladders[bk].worse(level);
            return true;
        }

        int head() {
            return ladders[kind].head(level);
        }
    }
}
