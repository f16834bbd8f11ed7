package dev.clearline.engine.exchange;

import dev.clearline.engine.book.BookConfig;
import dev.clearline.engine.book.BookEvents;
import dev.clearline.engine.book.CancelReason;
import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.OrderFlags;
import dev.clearline.engine.book.RejectReason;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.book.TimeInForce;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.KeyCache;
import dev.clearline.engine.stf.MemoryLeafStore;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exchange: verified orders go through tick/lot/expiry/margin pre-checks, then the market's
 * order book, and every fill becomes STF transitions (the order's {@code PostOrder} at its first
 * fill, then a {@code Trade}). The exchange keeps a mirror of the state and runs each transition
 * through the same {@link Stf} the batches use, so it never emits one the STF would refuse.
 * Single-threaded and pure: time comes in as {@code now} (unix seconds).
 */
public final class Exchange {
    private final MarketBooks bookSizes;
    private final Eip712 domain;
    private final Stf stf;
    private final MemoryLeafStore mirror = new MemoryLeafStore();
    private final Map<Integer, OrderBook> books = new HashMap<>();
    private final Map<Address, Account> accounts = new HashMap<>();
    private final LongMap<Live> live = new LongMap<>();
    /** Live orders by hash, and {@link #GONE} for every posted order that left the book: its hash stays taken. */
    private final HashIndex<Live> byHash = new HashIndex<>();
    private final List<Transition> transitions = new ArrayList<>();
    private final List<ExchangeEvent> events = new ArrayList<>();
    private final Sink sink = new Sink();
    private final KeyCache keys = new KeyCache(1 << 16);
    private final Map<Integer, MarketLeaf> markets = new HashMap<>();
    private long nextOrderId = 1;
    private long seq = 1;
    /**
     * Set only while the mirror STF applies one PostOrder or Cancel built from a verified request:
     * the signature stage already recovered its signer and hashed its order, so the STF need not
     * redo either. At most one signature check happens inside such an apply.
     */
    private Signature trustedSignature;
    private Address trustedSigner;
    private Order trustedOrder;
    private Hash32 trustedOrderHash;

    /**
     * @param verifier used for signed requests that did not pass the {@link SignatureStage} (oracle
     *     prices, allocate/release/withdraw); orders submitted as {@link VerifiedOrder} are trusted
     */
    public Exchange(Eip712 domain, SignatureVerifier verifier, MarketBooks bookSizes) {
        this.bookSizes = bookSizes;
        this.domain = domain;
        SignatureVerifier trusting = (digest, sig) ->
                sig == trustedSignature && sig != null ? trustedSigner : verifier.recover(digest, sig);
        this.stf = new Stf(domain, trusting, o -> o == trustedOrder ? trustedOrderHash : domain.orderDigest(o));
    }

    /** Transitions produced since the last call, in order: the batch builder's input. */
    public List<Transition> takeTransitions() {
        List<Transition> out = List.copyOf(transitions);
        transitions.clear();
        return out;
    }

    /** Events produced since the last call. */
    public List<ExchangeEvent> takeEvents() {
        List<ExchangeEvent> out = List.copyOf(events);
        events.clear();
        return out;
    }

    /** Drops buffered events without copying (benchmarks). */
    public void discardEvents() {
        events.clear();
    }

    /** The exchange's view of the state (what the STF would see after the emitted transitions). */
    public MemoryLeafStore state() {
        return mirror;
    }

    public OrderBook book(int marketId) {
        return books.get(marketId);
    }

    /** The book id of a live order, or -1. */
    public long orderId(Hash32 orderHash) {
        Live e = liveByHash(orderHash);
        return e == null ? -1 : e.id;
    }

    /**
     * A non-order transition (deposit, market config, oracle price, allocate, release, withdraw,
     * liquidate, forced ops): applied to the mirror and emitted if the STF accepts it.
     */
    public Reject apply(Transition t, long now) {
        if (t instanceof Transition.PostOrder || t instanceof Transition.Trade || t instanceof Transition.Cancel) {
            throw new IllegalArgumentException("orders, trades and cancels go through submit/cancel/amend, not apply");
        }
        Outcome o = stf.apply(mirror, t);
        if (o instanceof Outcome.Rejected r) {
            events.add(new ExchangeEvent.RequestRejected(seq++, t.type(), r.reason()));
            return r.reason();
        }
        transitions.add(t);
        markets.clear();
        events.add(new ExchangeEvent.RequestApplied(seq++, t.type()));
        switch (t) {
            case Transition.MarketConfig c when !books.containsKey(c.marketId()) && StateReads.market(mirror, c.marketId()) != null ->
                    books.put(c.marketId(), new OrderBook(BookConfig.of(bookSizes.maxPriceTicks(), bookSizes.maxSizeLots(), bookSizes.capacity())));
            case Transition.Liquidate l -> cancelRestingOrders(l.owner(), l.marketId(), now);
            case Transition.ForcedCancel f -> {
                Live e = liveByHash(f.orderHash());
                if (e != null && e.order().trader().equals(f.owner())) removeFromBook(e.id, now);
                OrderHashLeaf leaf = StateReads.orderHash(mirror, f.orderHash());
                if (leaf != null && leaf.isTombstone()) byHash.put(f.orderHash(), CANCELLED);
            }
            default -> { }
        }
        return null;
    }

    /**
     * Takes a liquidated trader's resting orders in that market off the book: they were sized
     * against collateral that is gone. Exchange-side only: the protocol has no cancel without the
     * owner's signature, so a posted order's leaf stays live in the tree, but this exchange never
     * fills it again. A scan of the live orders, acceptable because liquidations are rare.
     */
    private void cancelRestingOrders(Address owner, int marketId, long now) {
        OrderBook book = books.get(marketId);
        long lot = market(marketId).lotSize();
        for (Live e : live.values()) {
            if (e.order().marketId() != marketId || !e.order().trader().equals(owner)) continue;
            if (book.isResting(e.id)) {
                long open = book.openLots(e.id);
                book.cancel(e.id, now, sink.silent);
                events.add(new ExchangeEvent.Cancelled(seq++, e.id, open * lot, ExchangeEvent.Why.RISK));
            }
            forget(e.id);
        }
    }

    /** Places a verified order. Returns null when accepted (fills may follow), else why it was refused. */
    public Reject submit(VerifiedOrder v, long now) {
        Order o = v.order();
        MarketLeaf m = market(o.marketId());
        Account a = account(o.trader());
        Reject r = preCheck(o, v.hash(), m, a, null, now);
        if (r != null) return reject(v.hash(), r, null);
        long cap = 0;
        PositionLeaf pos = position(a, o.marketId());
        if (o.reduceOnly()) {
            boolean reduces = pos.size() != 0 && (pos.size() > 0) != o.isBuy();
            if (!reduces) return reject(v.hash(), Reject.REDUCE_ONLY_WOULD_INCREASE, null);
            cap = Math.abs(pos.size()) / m.lotSize();
        }
        long id = nextOrderId++;
        Live entry = new Live(id, v, a);
        live.put(id, entry);
        byHash.put(v.hash(), entry);
        OrderBook book = books.get(o.marketId());
        sink.begin(entry, m);
        long owner = a.ownerId;
        Side side = o.isBuy() ? Side.BUY : Side.SELL;
        int flags = (o.postOnly() ? OrderFlags.POST_ONLY : 0) | (o.reduceOnly() ? OrderFlags.REDUCE_ONLY : 0);
        long ticks = o.price() / m.tickSize();
        long lots = o.size() / m.lotSize();
        if (o.isMarket()) {
            book.placeMarket(id, owner, side, lots, ticks, flags, cap, now, sink);
        } else {
            long display = o.displaySize() == o.size() ? 0 : o.displaySize() / m.lotSize();
            book.place(id, owner, side, ticks, lots, tif(o), flags, display, cap,
                    o.expiry() == 0 ? OrderBook.NEVER_EXPIRES : o.expiry(), now, sink);
        }
        sink.end(now);
        if (sink.rejected != null) {
            forget(id);
            return sink.rejected;
        }
        a.nonces.add(o.nonce());
        if (!book.isResting(id)) forget(id);
        else reserve(entry, book.openLots(id));
        return null;
    }

    /** Cancels a live order at its owner's verified request. */
    public Reject cancel(VerifiedCancel c, long now) {
        Live e = liveByHash(c.orderHash());
        if (e == null) return reject(c.orderHash(), Reject.UNKNOWN_ORDER, null);
        if (!e.order().trader().equals(c.owner())) return reject(c.orderHash(), Reject.NOT_OWNER, null);
        boolean posted = e.posted;
        // a never-posted order needs no transition (nothing can fill it unless this exchange posts it,
        // and it refuses that hash from now on); a user who distrusts the operator has ForcedCancel
        if (posted) emitTrustedCancel(c);
        removeFromBook(e.id, now);
        if (!posted) byHash.put(c.orderHash(), CANCELLED);
        return null;
    }

    /**
     * Replaces a live order by a new signed order of the same trader, market and side (a price or
     * size move). The book keeps its time priority only when the price stays and the size shrinks.
     * {@code replaced} cancels the old order, which the tree needs only if it already filled.
     */
    public Reject amend(VerifiedCancel replaced, VerifiedOrder replacement, long now) {
        Live e = liveByHash(replaced.orderHash());
        if (e == null) return reject(replacement.hash(), Reject.UNKNOWN_ORDER, null);
        long id = e.id;
        Order old = e.order();
        Order o = replacement.order();
        if (!old.trader().equals(replaced.owner()) || !o.trader().equals(old.trader())) {
            return reject(replacement.hash(), Reject.NOT_OWNER, null);
        }
        if (o.marketId() != old.marketId() || o.side() != old.side() || o.isMarket() || o.postOnly() != old.postOnly()
                || o.reduceOnly() || o.displaySize() != 0 && o.displaySize() != o.size()) {
            return reject(replacement.hash(), Reject.BAD_ORDER_FIELDS, null);
        }
        MarketLeaf m = market(o.marketId());
        Account a = e.account; // same trader, checked above
        Reject r = preCheck(o, replacement.hash(), m, a, e, now);
        if (r != null) return reject(replacement.hash(), r, null);
        OrderBook book = books.get(o.marketId());
        Live next = new Live(id, replacement, a);
        sink.begin(next, m);
        book.amend(id, o.price() / m.tickSize(), o.size() / m.lotSize(), now, sink);
        if (sink.rejected == null) {
            if (e.posted) emitTrustedCancel(replaced);
            reserve(e, 0);
            unindex(e);
            live.put(id, next);
            byHash.put(replacement.hash(), next);
            a.nonces.add(o.nonce());
        }
        sink.end(now);
        if (sink.rejected != null) {
            if (next.posted) byHash.put(replacement.hash(), GONE);
            return sink.rejected;
        }
        if (!book.isResting(id)) forget(id);
        else reserve(next, book.openLots(id));
        return null;
    }

    // ---------------------------------------------------------------------------------------

    /**
     * Market, nonce, fields, expiry, balance and the initial-margin check of the worst case on the
     * order's side: the order and every resting order of the trader on that side in that market
     * filled in full at their limits (docs/protocol.md section 4). {@code replaced} is the order an
     * amend replaces, whose reservation does not count.
     */
    private Reject preCheck(Order o, Hash32 hash, MarketLeaf m, Account a, Live replaced, long now) {
        if (m == null || !books.containsKey(o.marketId())) return Reject.UNKNOWN_MARKET;
        Live prior = byHash.get(hash);
        if (prior != null) return prior == CANCELLED ? Reject.ORDER_CANCELLED : Reject.DUPLICATE_ORDER;
        if (a.nonces.contains(o.nonce())) return Reject.DUPLICATE_NONCE;
        Reject r = Stf.checkOrderFields(o, m);
        if (r == null && o.pegged()) r = Reject.BAD_ORDER_FIELDS;  // the book does not reprice pegged orders yet
        if (r != null) return r;
        if (o.expiry() != 0 && Math.max(now, m.lastOracleTs()) > o.expiry()) return Reject.EXPIRED;
        BalanceLeaf b = balance(a);
        if (b.free() < o.margin()) return Reject.INSUFFICIENT_BALANCE;
        if (o.reduceOnly()) return null;
        PositionLeaf p = position(a, o.marketId());
        long quote = Margin.settleFunding(p.size(), p.quote(), p.fundingIndex(), m.fundingIndex(), m.lotSize());
        Exposure x = a.exposure(o.marketId(), o.isBuy());
        boolean same = replaced != null && replaced.order().isBuy() == o.isBuy();
        long restingSize = same ? x.size - replaced.reservedSize : x.size;
        long restingNotional = same ? x.notional - replaced.reservedNotional : x.notional;
        long notional = Fixed.add(Fixed.notional(o.size(), m.lotSize(), o.price()), restingNotional);
        long fee = Fixed.mulPpmUp(notional, Math.max(m.makerFeePpm(), m.takerFeePpm()));
        long sideSize = Fixed.add(o.size(), restingSize);
        long size = Fixed.add(p.size(), o.isBuy() ? sideSize : -sideSize);
        // resting orders' margins are not counted: they reach the position only if those orders fill
        long quoteBefore = Fixed.add(quote, o.margin());
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

    private Reject reject(Hash32 hash, Reject r, RejectReason bookReason) {
        events.add(new ExchangeEvent.Rejected(seq++, hash, r, bookReason));
        return r;
    }

    private void emit(Transition t) {
        Outcome o = stf.apply(mirror, t);
        if (!o.applied()) throw new IllegalStateException("the exchange built a transition its own STF refuses: " + t + " -> " + o);
        transitions.add(t);
    }

    /** The signature stage already recovered the cancel's signer; the mirror STF need not do it again. */
    private void emitTrustedCancel(VerifiedCancel c) {
        trust(c.signature(), c.owner(), null, null);
        try {
            emit(new Transition.Cancel(c.owner(), c.orderHash(), c.signature()));
        } finally {
            trust(null, null, null, null);
        }
    }

    /** Posts a live order's leaf; its signature and digest are the verified ones. */
    private boolean tryPost(Live l, List<Transition> into) {
        trust(l.v.signature(), l.order().trader(), l.order(), l.v.hash());
        try {
            if (!tryEmit(new Transition.PostOrder(l.order(), l.v.signature()), into)) return false;
            l.stateId = StateReads.global(mirror).orderCount();         // the short id the post just gave it
            return true;
        } finally {
            trust(null, null, null, null);
        }
    }

    private void trust(Signature signature, Address signer, Order order, Hash32 orderHash) {
        trustedSignature = signature;
        trustedSigner = signer;
        trustedOrder = order;
        trustedOrderHash = orderHash;
    }

    private boolean tryEmit(Transition t, List<Transition> into) {
        if (!stf.apply(mirror, t).applied()) return false;
        into.add(t);
        return true;
    }

    /**
     * Market parameters, mark and index for the pre-checks. Cached until the next non-order
     * transition: fills only change the fee total, which the pre-checks do not read.
     */
    private MarketLeaf market(int id) {
        MarketLeaf m = markets.get(id);
        if (m == null) {
            byte[] v = mirror.get(keys.market(id));
            if (v == null) return null;
            m = MarketLeaf.decode(v);
            markets.put(id, m);
        }
        return m;
    }

    private Account account(Address owner) {
        Account a = accounts.get(owner);
        if (a == null) {
            a = new Account(accounts.size(), owner, mirror.cell(keys.balance(owner)));
            accounts.put(owner, a);
        }
        return a;
    }

    private PositionLeaf position(Account a, int marketId) {
        PositionLeaf p = a.positionCell(marketId).decoded(PositionLeaf.class, PositionLeaf::decode);
        return p == null ? PositionLeaf.EMPTY : p;
    }

    private BalanceLeaf balance(Account a) {
        BalanceLeaf b = a.balanceCell.decoded(BalanceLeaf.class, BalanceLeaf::decode);
        return b == null ? BalanceLeaf.EMPTY : b;
    }

    private void removeFromBook(long id, long now) {
        Live e = live.get(id);
        OrderBook book = books.get(e.order().marketId());
        sink.begin(e, market(e.order().marketId()));
        book.cancel(id, now, sink);
        sink.end(now);
        forget(id);
    }

    private Live liveByHash(Hash32 hash) {
        Live e = byHash.get(hash);
        return e == GONE || e == CANCELLED ? null : e;
    }

    /** Drops a live order from the hash index; a posted one stays known, so its hash is never reused. */
    private void unindex(Live e) {
        if (e.posted) byHash.put(e.v.hash(), GONE);
        else byHash.remove(e.v.hash());
    }

    private void forget(long id) {
        Live e = live.remove(id);
        if (e != null) {
            reserve(e, 0);
            unindex(e);
        }
    }

    /**
     * Sets what a resting order reserves on its (trader, market, side): its open size and that
     * size's notional at its limit. Incremental, so the pre-check never scans the book.
     */
    private void reserve(Live e, long openLots) {
        Order o = e.order();
        if (o.reduceOnly()) return; // capped by the position: it can never grow it
        Exposure x = e.account.exposure(o.marketId(), o.isBuy());
        long lot = market(o.marketId()).lotSize();
        long size = openLots * lot;
        long notional = openLots == 0 ? 0 : Fixed.notional(size, lot, o.price());
        x.size += size - e.reservedSize;
        x.notional += notional - e.reservedNotional;
        e.reservedSize = size;
        e.reservedNotional = notional;
    }

    /** The sums over one (trader, market, side)'s resting orders, kept by {@link #reserve}. */
    private static final class Exposure {
        long size;
        long notional;
    }

    private static TimeInForce tif(Order o) {
        return switch (o.timeInForce()) {
            case GTC -> TimeInForce.GTC;
            case IOC -> TimeInForce.IOC;
            case FOK -> TimeInForce.FOK;
        };
    }

    private static Reject fromBook(RejectReason r) {
        return switch (r) {
            case POST_ONLY_WOULD_CROSS -> Reject.POST_ONLY_WOULD_TAKE;
            case ALREADY_EXPIRED, ORDER_EXPIRED -> Reject.EXPIRED;
            case REDUCE_ONLY_NOTHING_TO_REDUCE -> Reject.REDUCE_ONLY_WOULD_INCREASE;
            case UNKNOWN_ORDER -> Reject.UNKNOWN_ORDER;
            case DUPLICATE_ORDER_ID -> Reject.DUPLICATE_ORDER;
            default -> Reject.BOOK_REJECTED;
        };
    }

    private static final Live GONE = new Live(-1, null, null);
    /** A hash its trader cancelled before it was ever posted: the tree holds its tombstone. */
    private static final Live CANCELLED = new Live(-1, null, null);

    /** A live order: its book id, the verified order now behind it, and whether its leaf exists. */
    private static final class Live {
        final long id;
        final VerifiedOrder v;
        final Account account;
        boolean posted;
        long stateId;                                                   // short id in the tree, once posted
        long reservedSize;
        long reservedNotional;

        Live(long id, VerifiedOrder v, Account account) {
            this.account = account;
            this.id = id;
            this.v = v;
        }

        Order order() {
            return v.order();
        }
    }

    /**
     * What the pre-checks need of a trader on every order, derived once: its book owner id, its
     * used nonces, and its leaves' cells in the mirror (the keys are Keccak-256 hashes; a held cell
     * reads the current leaf without hashing or probing).
     */
    private final class Account {
        final long ownerId;
        final Address address;
        final MemoryLeafStore.Cell balanceCell;
        final UsedNonces nonces = new UsedNonces();
        private int[] positionMarkets = new int[0];
        private MemoryLeafStore.Cell[] positionCells = new MemoryLeafStore.Cell[0];
        private Exposure[] exposures = new Exposure[0];

        Account(long ownerId, Address address, MemoryLeafStore.Cell balanceCell) {
            this.ownerId = ownerId;
            this.address = address;
            this.balanceCell = balanceCell;
        }

        MemoryLeafStore.Cell positionCell(int marketId) {
            int i = slot(marketId); // before reading the field: slot() may grow the arrays
            return positionCells[i];
        }

        /** The resting-order sums of one side in one market. */
        Exposure exposure(int marketId, boolean isBuy) {
            int i = slot(marketId);
            return exposures[2 * i + (isBuy ? 0 : 1)];
        }

        private int slot(int marketId) {
            for (int i = 0; i < positionMarkets.length; i++) if (positionMarkets[i] == marketId) return i;
            int n = positionMarkets.length;
            positionMarkets = java.util.Arrays.copyOf(positionMarkets, n + 1);
            positionCells = java.util.Arrays.copyOf(positionCells, n + 1);
            exposures = java.util.Arrays.copyOf(exposures, 2 * n + 2);
            positionMarkets[n] = marketId;
            positionCells[n] = mirror.cell(keys.position(address, marketId));
            exposures[2 * n] = new Exposure();
            exposures[2 * n + 1] = new Exposure();
            return n;
        }
    }

    /** Swallows the events of the exchange's own clean-up cancels, which it reports itself. */
    private static final class Silent implements BookEvents {
        public void onAccepted(long s, long o, long w, Side side, long p, long l) { }
        public void onRejected(long s, long o, long w, RejectReason r) { }
        public void onFill(long s, long m, long mo, long t, long to, Side ts, long p, long l, long mr, long tr) { }
        public void onRested(long s, long o, long p, long l) { }
        public void onCancelled(long s, long o, long w, long l, CancelReason r) { }
        public void onExpired(long s, long o, long w, long l) { }
        public void onAmended(long s, long o, long p, long l, boolean k) { }
    }

    /**
     * Receives one book call's events. Fills become transitions at once; a fill the STF refuses
     * (the state moved since the pre-check) poisons both orders, which leave the book when the
     * call returns, so the book never holds an order whose tree leaf disagrees with it.
     */
    private final class Sink implements BookEvents {
        Live incoming;
        MarketLeaf market;
        Reject rejected;
        /** Ids of the orders whose fill the STF refused during this call, in order (duplicates allowed). */
        long[] poisoned = new long[8];
        int poisonedCount;
        final List<Transition> scratch = new ArrayList<>(4);
        final BookEvents silent = new Silent();

        void begin(Live in, MarketLeaf m) {
            incoming = in;
            market = m;
            rejected = null;
            poisonedCount = 0;
        }

        void end(long now) {
            for (int i = 0; i < poisonedCount; i++) {
                long id = poisoned[i];
                Live e = live.get(id);
                if (e == null) continue;
                OrderBook book = books.get(e.order().marketId());
                if (book.isResting(id)) {
                    long open = book.openLots(id);
                    book.cancel(id, now, silent);
                    events.add(new ExchangeEvent.Cancelled(seq++, id, open * market.lotSize(), ExchangeEvent.Why.RISK));
                }
                forget(id);
            }
            poisonedCount = 0;
        }

        private boolean isPoisoned(long id) {
            for (int i = 0; i < poisonedCount; i++) if (poisoned[i] == id) return true;
            return false;
        }

        private void poison(long id) {
            if (poisonedCount == poisoned.length) poisoned = java.util.Arrays.copyOf(poisoned, poisonedCount * 2);
            poisoned[poisonedCount++] = id;
        }

        private Live order(long id) {
            return id == incoming.id ? incoming : live.get(id);
        }

        @Override
        public void onAccepted(long s, long orderId, long ownerId, Side side, long priceTicks, long sizeLots) {
            events.add(new ExchangeEvent.Accepted(seq++, orderId, order(orderId).v.hash()));
        }

        @Override
        public void onRejected(long s, long orderId, long ownerId, RejectReason reason) {
            rejected = fromBook(reason);
            events.add(new ExchangeEvent.Rejected(seq++, incoming.v.hash(), rejected, reason));
        }

        @Override
        public void onFill(long s, long makerOrderId, long makerOwnerId, long takerOrderId, long takerOwnerId,
                           Side takerSide, long priceTicks, long lots, long makerRemainingLots, long takerRemainingLots) {
            Live maker = order(makerOrderId);
            Live taker = order(takerOrderId);
            long size = lots * market.lotSize();
            Reject refused = isPoisoned(takerOrderId) || isPoisoned(makerOrderId) ? Reject.INSUFFICIENT_MARGIN : null;
            if (refused == null) {
                scratch.clear();
                boolean ok = (maker.posted || tryPost(maker, scratch))
                        && (taker.posted || tryPost(taker, scratch))
                        && tryEmit(new Transition.Trade(maker.stateId, taker.stateId, size), scratch);
                if (ok) {
                    maker.posted = true;
                    taker.posted = true;
                    transitions.addAll(scratch);
                    events.add(new ExchangeEvent.Filled(seq++, makerOrderId, takerOrderId, priceTicks * market.tickSize(), size));
                    if (makerRemainingLots == 0) forget(makerOrderId);
                    else if (maker != incoming) reserve(maker, makerRemainingLots);
                    return;
                }
                // a PostOrder that applied before the refusal stays: the leaf exists, the margin moved
                for (Transition t : scratch) {
                    transitions.add(t);
                    if (t instanceof Transition.PostOrder p) {
                        Live which = p.order() == maker.order() ? maker : taker;
                        which.posted = true;
                    }
                }
                refused = Reject.INSUFFICIENT_MARGIN;
            }
            poison(makerOrderId);
            poison(takerOrderId);
            events.add(new ExchangeEvent.FillRefused(seq++, makerOrderId, takerOrderId, refused));
        }

        @Override
        public void onRested(long s, long orderId, long priceTicks, long restingLots) {
            events.add(new ExchangeEvent.Rested(seq++, orderId, priceTicks * market.tickSize(), restingLots * market.lotSize()));
        }

        @Override
        public void onCancelled(long s, long orderId, long ownerId, long remainingLots, CancelReason reason) {
            ExchangeEvent.Why why = switch (reason) {
                case REQUESTED -> ExchangeEvent.Why.REQUESTED;
                case IMMEDIATE_REMAINDER -> ExchangeEvent.Why.IMMEDIATE_REMAINDER;
                case SELF_TRADE -> ExchangeEvent.Why.SELF_TRADE;
            };
            events.add(new ExchangeEvent.Cancelled(seq++, orderId, remainingLots * market.lotSize(), why));
            if (orderId != incoming.id) forget(orderId);
        }

        @Override
        public void onExpired(long s, long orderId, long ownerId, long remainingLots) {
            events.add(new ExchangeEvent.Expired(seq++, orderId, remainingLots * market.lotSize()));
            if (orderId != incoming.id) forget(orderId);
        }

        @Override
        public void onAmended(long s, long orderId, long newPriceTicks, long newSizeLots, boolean keptPriority) {
            events.add(new ExchangeEvent.Amended(seq++, orderId, incoming.v.hash(), keptPriority));
        }
    }
}
