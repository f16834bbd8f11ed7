package dev.clearline.engine.exchange;

import dev.clearline.engine.book.BookEvents;
import dev.clearline.engine.book.CancelReason;
import dev.clearline.engine.book.FillPlan;
import dev.clearline.engine.book.FillVerdict;
import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.OrderFlags;
import dev.clearline.engine.book.PegRef;
import dev.clearline.engine.book.RejectReason;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.book.TimeInForce;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.transition.Transition;

/**
 * The book glue: turns a verified order into book calls in ticks and lots, turns the book's
 * events into exchange events, and settles every fill the book finds through the mirror STF
 * before the book commits it ({@link BookEvents#approveFill}). A fill the STF refuses is judged by
 * {@link FillJudge}: only the order at fault leaves, the other carries on. A fill-or-kill is first
 * tried whole on a scratch overlay of the state ({@link OverlayStore}) and only then placed, so it
 * fills completely or not at all even when a fill is refused. The book runs on the market's
 * oracle time, the STF's clock.
 */
final class BookGlue {
    private final StfMirror mirror;
    private final OrderIndex index;
    private final Reservations reservations;
    private final EventLog events;
    private final Sink sink = new Sink();
    private final BookEvents silent = new BookEvents() {
        public void onAccepted(long s, long o, long w, Side side, long p, long l) { }
        public void onRejected(long s, long o, long w, RejectReason r) { }
        public void onFill(long s, long m, long mo, long t, long to, Side ts, long p, long l, long mr, long tr) { }
        public void onRested(long s, long o, long p, long l) { }
        public void onCancelled(long s, long o, long w, long l, CancelReason r) { }
        public void onExpired(long s, long o, long w, long l) { }
        public void onAmended(long s, long o, long p, long l, boolean k) { }
    };
    /** Ids posted on the overlay during one fill-or-kill trial. */
    /** Orders posted only on a trial overlay, with the short id the overlay gave them. */
    private final java.util.Map<Long, Long> plannedPosts = new java.util.HashMap<>();

    BookGlue(StfMirror mirror, OrderIndex index, Reservations reservations, EventLog events) {
        this.mirror = mirror;
        this.index = index;
        this.reservations = reservations;
        this.events = events;
    }

    /** What the book would reject this order for now (every check but the duplicate id), or null. */
    RejectReason bookCheck(LiveOrder e, MarketBook mb, MarketLeaf m, long capLots, boolean replacing) {
        Order o = e.order();
        TimeInForce tif = tif(o);
        if (o.pegged()) {
            return mb.book().checkPegged(e.account.ownerId, side(o), pegRef(o), o.pegOffset(), o.price() / m.tickSize(),
                    o.size() / m.lotSize(), tif, flags(o), display(o, m), capLots, expiresAt(o), m.lastOracleTs(), replacing);
        }
        return mb.book().check(e.account.ownerId, side(o), o.price() / m.tickSize(), o.size() / m.lotSize(), tif,
                flags(o), display(o, m), capLots, expiresAt(o), m.lastOracleTs(), replacing);
    }

    /**
     * For a fill-or-kill: tries its fills on a scratch copy of the state until they all pass,
     * evicting each resting order found at fault on the way (it would refuse any taker). Returns
     * null when the order can go to the book, the STF's reason when the order itself is at
     * fault, or BOOK_REJECTED when the makers' positions leave it short (resting reduce-only orders
     * give no more than their positions hold); nothing changed for it either way.
     */
    Reject tryFillOrKill(LiveOrder taker, MarketBook mb, MarketLeaf m, long capLots) {
        Order o = taker.order();
        long lots = o.size() / m.lotSize();
        if (o.reduceOnly()) lots = Math.min(lots, capLots);
        long want = lots;
        while (true) {
            OverlayStore overlay = new OverlayStore(mirror.state);
            plannedPosts.clear();
            Trial t = new Trial();
            int[] fills = {0};
            boolean[] capped = {false};
            long planned = mb.book().planFills(taker.account.ownerId, side(o), limitTicks(o, mb, m), want, m.lastOracleTs(), new FillPlan() {
                @Override
                public boolean fill(long makerId, long makerOwner, long priceTicks, long l) {
                    fills[0]++;
                    LiveOrder maker = index.get(makerId);
                    FillVerdict v = tryFill(overlay, maker, taker, l * m.lotSize(), priceTicks * m.tickSize(), t);
                    if (v == FillVerdict.FILL) return true;
                    t.verdict = v;
                    t.maker = maker;
                    return false;
                }

                @Override
                public long fillableLots(long makerId, long makerOwner, long l) {
                    long n = BookGlue.fillableLots(overlay, index.get(makerId), m, l); // the position after the fills planned so far
                    if (n >= 1 && n < l) capped[0] = true;
                    return n;
                }
            });
            if (t.verdict == FillVerdict.FILL) {
                // resting reduce-only makers give no more than their positions hold, which the book's own count of the
                // liquidity and of the fills cannot see: a FOK they leave short, or needing more fills than one order may
                // make, is refused here, before anything fills
                int limit = mb.book().config().maxFillsPerTaker();
                boolean tooMany = limit != dev.clearline.engine.book.BookConfig.UNLIMITED_FILLS && fills[0] > limit;
                return capped[0] && (planned < want || tooMany) ? Reject.BOOK_REJECTED : null;
            }
            events.add(new ExchangeEvent.FillRefused(events.next(), t.maker.id, taker.id, t.reason, t.verdict));
            if (t.verdict.makerLeaves()) evict(t.maker, mb, m, ExchangeEvent.Why.REFUSED, t.reason);
            if (t.verdict.takerStops()) return t.reason;
        }
    }

    /** Places a new order (its pre-checks passed). Returns null when the book accepted it, else why not. */
    Reject place(LiveOrder e, MarketBook mb, MarketLeaf m, long capLots) {
        Order o = e.order();
        OrderBook book = mb.book();
        long now = m.lastOracleTs();
        sink.begin(e, m, mb);
        long ticks = o.price() / m.tickSize();
        long lots = o.size() / m.lotSize();
        // a reduce-only order larger than the position: the book takes only the position's size
        sink.trimmedLots = o.reduceOnly() && capLots > 0 && capLots < lots ? lots - capLots : 0;
        if (o.pegged()) {
            book.placePegged(e.id, e.account.ownerId, side(o), pegRef(o), o.pegOffset(), ticks, lots, tif(o), flags(o),
                    display(o, m), capLots, expiresAt(o), now, sink);
        } else if (o.isMarket()) {
            book.placeMarket(e.id, e.account.ownerId, side(o), lots, ticks, tif(o), flags(o), capLots, now, sink);
        } else {
            book.place(e.id, e.account.ownerId, side(o), ticks, lots, tif(o), flags(o), display(o, m), capLots,
                    expiresAt(o), now, sink);
        }
        if (sink.trimmedLots > 0 && sink.rejected == null && !sink.incomingClosed && !book.isResting(e.id)) {
            // it filled all the book took: without this its part past the position reads as open for ever
            // (the signed size is what views and traders count), yet nothing can fill or cancel it
            events.add(new ExchangeEvent.Cancelled(events.next(), e.id, sink.trimmedLots * m.lotSize(),
                    ExchangeEvent.Why.IMMEDIATE_REMAINDER, null));
        }
        return sink.end();
    }

    /**
     * Replaces a resting order's terms in the book, keeping its id ({@code next} is the order behind
     * it from now on): price, size, display size and expiry. Null when the book accepted.
     */
    Reject amend(LiveOrder next, MarketBook mb, MarketLeaf m) {
        Order o = next.order();
        sink.begin(next, m, mb);
        mb.book().amend(next.id, o.price() / m.tickSize(), o.size() / m.lotSize(), display(o, m), expiresAt(o),
                m.lastOracleTs(), sink);
        return sink.end();
    }

    /** Takes an order off the book without the book's own event, reporting {@code why} instead. */
    void evict(LiveOrder e, MarketBook mb, MarketLeaf m, ExchangeEvent.Why why, Reject reason) {
        OrderBook book = mb.book();
        if (book.isResting(e.id)) {
            long open = book.openLots(e.id);
            book.cancel(e.id, m.lastOracleTs(), silent);
            events.add(new ExchangeEvent.Cancelled(events.next(), e.id, open * m.lotSize(), why, reason));
        }
        forget(e, mb);
    }

    /** Takes an order off the book without any event (an amend that replaces it reports itself). */
    void removeQuietly(LiveOrder e, MarketBook mb, MarketLeaf m) {
        mb.book().cancel(e.id, m.lastOracleTs(), silent);
    }

    /** Takes an order whose expiry the oracle time passed off the book. */
    void expire(LiveOrder e, MarketBook mb, MarketLeaf m) {
        OrderBook book = mb.book();
        if (book.isResting(e.id)) {
            long open = book.openLots(e.id);
            book.cancel(e.id, m.lastOracleTs(), silent);
            events.add(new ExchangeEvent.Expired(events.next(), e.id, open * m.lotSize()));
        }
        forget(e, mb);
    }

    /** Removes an order at its owner's request (the book reports the cancel). */
    void cancel(LiveOrder e, MarketBook mb, MarketLeaf m) {
        sink.begin(e, m, mb);
        mb.book().cancel(e.id, m.lastOracleTs(), sink);
        sink.end();
        forget(e, mb);
    }

    /** After a book call: the order rests (reserve what it may still need, queue its expiry) or it is done. */
    void settle(LiveOrder e, MarketBook mb, MarketLeaf m) {
        OrderBook book = mb.book();
        if (book.isResting(e.id)) {
            reservations.reserve(e, book.openLots(e.id), m.lotSize());
            if (e.order().expiry() != 0) mb.expiries().add(e);
        } else {
            forget(e, mb);
        }
    }

    /** Drops an order that left the book: its indexes, its reservation, its expiry entry, and (posted) its ORDER leaf. */
    void forget(LiveOrder e, MarketBook mb) {
        if (e == null) return;
        if (e.order().reduceOnly()) e.account.forgetReduceOnly(e.id);
        if (e.posted) mirror.retire(e);
        index.remove(e);
        reservations.release(e);
        mb.expiries().remove(e);
    }

    /**
     * One fill on {@code store}: the maker's and the taker's PostOrder if their leaves do not exist
     * yet, then the Trade. On the mirror every applied transition is emitted (a post that applied
     * before a refusal stays: the leaf exists and its margin moved). Returns who is at fault.
     */
    private FillVerdict tryFill(LeafStore store, LiveOrder maker, LiveOrder taker, long size, long price, Trial t) {
        boolean onMirror = store == mirror.state;
        Reject r;
        if (!posted(maker, onMirror)) {
            r = mirror.tryPost(store, maker);
            if (r != null) return refused(t, r, FillJudge.postRefused(true));
            markPosted(maker, onMirror, store);
        }
        if (!posted(taker, onMirror)) {
            r = mirror.tryPost(store, taker);
            if (r != null) return refused(t, r, FillJudge.postRefused(false));
            markPosted(taker, onMirror, store);
        }
        // a book-pegged maker's price is the book's, which the tree cannot see: the fill states it
        Transition trade = maker.order().peg() == Peg.BOOK
                ? new Transition.TradeAtPrice(stateId(maker, onMirror), stateId(taker, onMirror), size, price)
                : new Transition.Trade(stateId(maker, onMirror), stateId(taker, onMirror), size);
        r = mirror.tryApply(store, trade);
        if (r != null) return refused(t, r, FillJudge.tradeRefused(r, store, maker, taker, size, price));
        if (onMirror) {
            long lot = mirror.market(maker.marketId()).lotSize();
            maker.account.filled(maker.marketId(), maker.order().isBuy() ? size : -size, price, lot);
            taker.account.filled(taker.marketId(), taker.order().isBuy() ? size : -size, price, lot);
        }
        return FillVerdict.FILL;
    }

    private boolean posted(LiveOrder e, boolean onMirror) {
        return e.posted || !onMirror && plannedPosts.containsKey(e.id);
    }

    /** Records the post and the short id it just received: the count of orders the store has posted. */
    private void markPosted(LiveOrder e, boolean onMirror, LeafStore store) {
        long id = StateReads.global(store).orderCount();
        if (onMirror) {
            e.posted = true;
            e.stateId = id;
            reservations.posted(e);
        } else {
            plannedPosts.put(e.id, id);
        }
    }

    private long stateId(LiveOrder e, boolean onMirror) {
        return e.posted ? e.stateId : plannedPosts.get(e.id);
    }

    private static FillVerdict refused(Trial t, Reject r, FillVerdict v) {
        t.reason = r;
        t.verdict = v;
        return v;
    }

    /** The outcome of one tried fill. */
    private static final class Trial {
        FillVerdict verdict = FillVerdict.FILL;
        Reject reason;
        LiveOrder maker;
    }

    /**
     * The oracle moved the mark: the book reprices its mark-pegged orders, and those that now cross
     * trade through the same STF gate as any fill. A market without a mark has no mark-pegged price.
     */
    void mark(MarketBook mb, MarketLeaf m) {
        long mark = m.markPrice();
        if (mark <= 0) return;
        long tick = m.tickSize();
        sink.begin(null, m, mb);
        mb.book().mark(mark / tick, mark % tick == 0 ? mark / tick : mark / tick + 1, m.lastOracleTs(), sink);
        sink.end();
    }

    /** The limit in ticks an incoming order matches up to: its price, or its pegged price now ({@link OrderBook#NO_PRICE}: none). */
    static long limitTicks(Order o, MarketBook mb, MarketLeaf m) {
        long limit = o.price() / m.tickSize();
        return o.pegged() ? mb.book().pegPriceTicks(side(o), pegRef(o), o.pegOffset(), limit) : limit;
    }

    static PegRef pegRef(Order o) {
        return o.peg() == Peg.MARK ? PegRef.MARK : PegRef.BOOK;
    }

    static Side side(Order o) {
        return o.isBuy() ? Side.BUY : Side.SELL;
    }

    static int flags(Order o) {
        return (o.postOnly() ? OrderFlags.POST_ONLY : 0) | (o.reduceOnly() ? OrderFlags.REDUCE_ONLY : 0);
    }

    static long display(Order o, MarketLeaf m) {
        return o.displaySize() == 0 || o.displaySize() == o.size() ? 0 : o.displaySize() / m.lotSize();
    }

    static long expiresAt(Order o) {
        return o.expiry() == 0 ? OrderBook.NEVER_EXPIRES : o.expiry();
    }

    static TimeInForce tif(Order o) {
        return switch (o.timeInForce()) {
            case GTC -> TimeInForce.GTC;
            case IOC -> TimeInForce.IOC;
            case FOK -> TimeInForce.FOK;
        };
    }

    /**
     * How many of {@code lots} a maker can fill on {@code store} ({@link dev.clearline.engine.book.BookEvents#fillableLots}):
     * all of them, except for a reduce-only order whose position holds fewer lots, which fills what is left of its
     * position and then leaves; one whose position is gone or on its own side answers all of them, and the STF refuses
     * the fill (REDUCE_ONLY_WOULD_INCREASE), so it leaves unfilled.
     */
    static long fillableLots(LeafStore store, LiveOrder maker, MarketLeaf m, long lots) {
        Order o = maker.order();
        if (!o.reduceOnly()) return lots;
        long size = StateReads.position(store, o.trader(), o.marketId()).size();
        if (size == 0 || (size > 0) == o.isBuy()) return lots;
        return Math.min(lots, Math.abs(size) / m.lotSize());
    }

    /**
     * After {@code a}'s position in market {@code m} moved (a fill, a deleverage): its resting reduce-only orders there
     * that have nothing left to reduce (the position closed, or turned to their own side) leave at once,
     * POSITION_CLOSED, and those larger than what the position still holds are cut to it in place (Trimmed), in id
     * order, rather than show depth nobody can take. A fill of one is still capped at what the position holds when it
     * is met ({@link #fillableLots}): in one sweep the position moves between fills.
     */
    void tidyReduceOnly(Account a, MarketLeaf m, MarketBook mb) {
        long size = a.position(mb.marketId()).size();
        long held = Math.abs(size) / m.lotSize();
        for (long id : a.reduceOnlyIds()) {
            LiveOrder e = index.get(id);
            if (e == null || !e.order().reduceOnly() || e.account != a) {
                a.forgetReduceOnly(id); // its order left, or an amend gave the id to another kind of order
                continue;
            }
            if (e.marketId() != mb.marketId()) continue;
            OrderBook book = mb.book();
            if (!book.isResting(id)) {
                a.forgetReduceOnly(id);
                continue;
            }
            if (held == 0 || (size > 0) == e.order().isBuy()) {
                evict(e, mb, m, ExchangeEvent.Why.POSITION_CLOSED, null);
            } else {
                long open = book.openLots(id);
                if (book.shrink(id, held)) {
                    events.add(new ExchangeEvent.Trimmed(events.next(), id, (open - held) * m.lotSize(), held * m.lotSize()));
                }
            }
        }
    }

    /** The book's reason beside a refusal of {@link #tryFillOrKill}: BOOK_REJECTED there means the makers could not fill it whole (in one order's fills). */
    static RejectReason fillOrKillShort(Reject r) {
        return r == Reject.BOOK_REJECTED ? RejectReason.FILL_OR_KILL_NOT_FILLABLE : null;
    }

    static Reject fromBook(RejectReason r) {
        return switch (r) {
            case POST_ONLY_WOULD_CROSS -> Reject.POST_ONLY_WOULD_TAKE;
            case ALREADY_EXPIRED, ORDER_EXPIRED -> Reject.EXPIRED;
            case REDUCE_ONLY_NOTHING_TO_REDUCE -> Reject.REDUCE_ONLY_WOULD_INCREASE;
            case UNKNOWN_ORDER -> Reject.UNKNOWN_ORDER;
            case DUPLICATE_ORDER_ID -> Reject.DUPLICATE_ORDER;
            default -> Reject.BOOK_REJECTED;
        };
    }

    /** Receives one book call's events; {@link #approveFill} settles each fill on the mirror first. */
    private final class Sink implements BookEvents {
        LiveOrder incoming;
        MarketLeaf market;
        MarketBook mb;
        Reject rejected;
        /** Lots of the incoming reduce-only order past its position, which the book never took. */
        long trimmedLots;
        /** Whether the book cancelled what was left of the incoming order (its event counts the trimmed lots too). */
        boolean incomingClosed;
        /** Traders with resting reduce-only orders whose position a fill of this book call moved. */
        final java.util.ArrayList<Account> moved = new java.util.ArrayList<>();
        final Trial trial = new Trial();

        void begin(LiveOrder in, MarketLeaf m, MarketBook b) {
            incoming = in;
            market = m;
            mb = b;
            rejected = null;
            trimmedLots = 0;
            incomingClosed = false;
        }

        Reject end() {
            for (Account a : moved) tidyReduceOnly(a, market, mb);
            moved.clear();
            Reject r = rejected;
            incoming = null;
            trimmedLots = 0;
            return r;
        }

        private LiveOrder order(long id) {
            return incoming != null && id == incoming.id ? incoming : index.get(id);
        }

        @Override
        public long fillableLots(long makerOrderId, long makerOwnerId, long lots) {
            return BookGlue.fillableLots(mirror.state, order(makerOrderId), market, lots);
        }

        @Override
        public FillVerdict approveFill(long makerOrderId, long makerOwnerId, long takerOrderId, long takerOwnerId,
                                       Side takerSide, long priceTicks, long lots) {
            LiveOrder maker = order(makerOrderId);
            LiveOrder taker = order(takerOrderId);
            trial.verdict = FillVerdict.FILL;
            FillVerdict v = tryFill(mirror.state, maker, taker, lots * market.lotSize(), priceTicks * market.tickSize(), trial);
            if (v != FillVerdict.FILL) {
                events.add(new ExchangeEvent.FillRefused(events.next(), makerOrderId, takerOrderId, trial.reason, v));
            }
            return v;
        }

        @Override
        public void onAccepted(long s, long orderId, long ownerId, Side side, long priceTicks, long sizeLots) {
            events.add(new ExchangeEvent.Accepted(events.next(), orderId, incoming.v.hash()));
        }

        @Override
        public void onRejected(long s, long orderId, long ownerId, RejectReason reason) {
            rejected = fromBook(reason);
            events.add(new ExchangeEvent.Rejected(events.next(), incoming.v.hash(), rejected, reason));
        }

        @Override
        public void onFill(long s, long makerOrderId, long makerOwnerId, long takerOrderId, long takerOwnerId,
                           Side takerSide, long priceTicks, long lots, long makerRemainingLots, long takerRemainingLots) {
            events.add(new ExchangeEvent.Filled(events.next(), makerOrderId, takerOrderId, priceTicks * market.tickSize(),
                    lots * market.lotSize()));
            LiveOrder maker = order(makerOrderId);
            LiveOrder takerOrder = order(takerOrderId);
            for (Account a : new Account[] {maker.account, takerOrder.account}) {
                if (a.hasReduceOnly() && !moved.contains(a)) moved.add(a);
            }
            if (makerRemainingLots == 0) forget(maker, mb);
            else reservations.reserve(maker, makerRemainingLots, market.lotSize());
            if (incoming == null || takerOrderId != incoming.id) {
                // a resting peg its reference moved across the book took: it is resting, so its reservation follows
                LiveOrder taker = index.get(takerOrderId);
                if (takerRemainingLots == 0) forget(taker, mb);
                else reservations.reserve(taker, takerRemainingLots, market.lotSize());
            }
        }

        @Override
        public void onRested(long s, long orderId, long priceTicks, long restingLots) {
            LiveOrder e = order(orderId);
            if (e != null && e.order().reduceOnly()) e.account.restsReduceOnly(orderId);
            events.add(new ExchangeEvent.Rested(events.next(), orderId, priceTicks * market.tickSize(), restingLots * market.lotSize()));
        }

        @Override
        public void onCancelled(long s, long orderId, long ownerId, long remainingLots, CancelReason reason) {
            ExchangeEvent.Why why = switch (reason) {
                case REQUESTED -> ExchangeEvent.Why.REQUESTED;
                case IMMEDIATE_REMAINDER -> ExchangeEvent.Why.IMMEDIATE_REMAINDER;
                case SELF_TRADE -> ExchangeEvent.Why.SELF_TRADE;
                case FILL_REFUSED -> ExchangeEvent.Why.REFUSED;
                case PEG_CROSSED -> ExchangeEvent.Why.PEG_CROSSED;
                case FILL_LIMIT -> ExchangeEvent.Why.FILL_LIMIT;
                case POSITION_CLOSED -> ExchangeEvent.Why.POSITION_CLOSED;
            };
            Reject refusal = reason == CancelReason.FILL_REFUSED ? trial.reason : null;
            long remaining = remainingLots;
            if (incoming != null && orderId == incoming.id) {
                remaining += trimmedLots; // the order as signed: what the book never took is cancelled with its rest
                incomingClosed = true;
            }
            events.add(new ExchangeEvent.Cancelled(events.next(), orderId, remaining * market.lotSize(), why, refusal));
            if (incoming == null || orderId != incoming.id) forget(index.get(orderId), mb);
        }

        @Override
        public void onExpired(long s, long orderId, long ownerId, long remainingLots) {
            events.add(new ExchangeEvent.Expired(events.next(), orderId, remainingLots * market.lotSize()));
            if (incoming == null || orderId != incoming.id) forget(index.get(orderId), mb);
        }

        @Override
        public void onAmended(long s, long orderId, long newPriceTicks, long newSizeLots, boolean keptPriority) {
            // the book amends in place under the same id; the replaced order is still the one indexed under it here
            events.add(new ExchangeEvent.Amended(events.next(), orderId, index.get(orderId).v.hash(), incoming.v.hash(), keptPriority));
        }
    }
}
