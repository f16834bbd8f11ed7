package dev.clearline.engine.exchange;

import dev.clearline.engine.book.BookConfig;
import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.RejectReason;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.book.TimeInForce;
import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.MemoryLeafStore;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.transition.Transition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exchange: verified orders go through the {@link PreChecks}, then the market's order book
 * ({@link BookGlue}), and every fill becomes STF transitions (the order's {@code PostOrder} at its
 * first fill, then a {@code Trade}) checked on the state mirror ({@link StfMirror}) before the book
 * commits it, so the exchange never emits a transition the STF would refuse. A refused fill
 * removes only the order at fault ({@link FillJudge}). Resting orders reserve what they may need
 * ({@link Reservations}) and leave with their reservation as soon as they expire
 * ({@link ExpiryQueue}).
 *
 * <p>Time: the exchange has no clock of its own. Each market's clock is its {@code lastOracleTs},
 * the time the STF checks expiries against, so the book, the pre-checks and the STF agree on
 * which orders are live. Each oracle price that moves time forward sweeps the orders it expired.
 * Single-threaded and pure.
 */
public final class Exchange {
    /** Expired orders swept per command at most; a larger backlog drains over the following commands. */
    static final int SWEEP_BUDGET = 64;
    /**
     * Most fills one incoming order (or an amend that re-enters the book) makes; its rest is then
     * cancelled ({@link ExchangeEvent.Why#FILL_LIMIT}) and a FOK that needs more is refused. An IOC
     * or FOK order's PostOrder and its fills must land in one L1 batch (the STF fills it only in the
     * batch that posted it), and each fill may bring its maker's PostOrder: so one order needs at
     * most {@link #LONGEST_ORDER_RUN} transitions in one batch, which the batch policy and the
     * rollup's {@code maxTransitions} must hold. It also bounds how long one order holds the
     * matching thread: without it one order could sweep a whole book (tens of thousands of fills).
     */
    public static final int MAX_FILLS_PER_ORDER = 400;
    /** Transitions one IOC/FOK order may need in one batch: its PostOrder, and a Trade and a maker's PostOrder per fill. */
    public static final int LONGEST_ORDER_RUN = 1 + 2 * MAX_FILLS_PER_ORDER;

    private final MarketBooks bookSizes;
    private final StfMirror mirror;
    /** Nonces and cancel fingerprints of orders with an expiry, forgotten once it has passed. */
    private final ExpiringNonces expiring = new ExpiringNonces();
    private final OrderIndex index = new OrderIndex(expiring);
    private final ExpiringNonces.Forget forgetNonce = (owner, nonce) -> this.accountsInOrder.get(owner).nonces.remove(nonce);
    private final Reservations reservations = new Reservations();
    private final PreChecks preChecks = new PreChecks(reservations);
    private final EventLog events = new EventLog();
    private final BookGlue glue;
    private final Map<Integer, MarketBook> books = new HashMap<>();
    private MarketBook lastBook;
    private final HashIndex<Address, Account> accounts = new HashIndex<>();
    /** The same accounts in the order they were created (their owner ids): the deleverage ranking's tie order. */
    private final List<Account> accountsInOrder = new ArrayList<>();
    private final Deleverager deleverager;
    /** Market ids with a book, ascending. */
    private final List<Integer> marketIds = new ArrayList<>();

    /**
     * @param verifier used for signed requests that did not pass the {@link SignatureStage} (oracle
     *     prices, allocate/release/withdraw); orders submitted as {@link VerifiedOrder} are trusted
     */
    public Exchange(Eip712 domain, SignatureVerifier verifier, MarketBooks bookSizes) {
        this.bookSizes = bookSizes;
        this.mirror = new StfMirror(domain, verifier);
        this.glue = new BookGlue(mirror, index, reservations, events);
        this.deleverager = new Deleverager(mirror, events, this::positionCut);
    }

    /** A deleverage cut {@code trader}'s position: its take-profits there follow it (leave, or are trimmed to what is left). */
    private void positionCut(Account trader, int marketId) {
        MarketBook mb = books.get(marketId);
        if (mb != null && trader.hasReduceOnly()) glue.tidyReduceOnly(trader, mirror.market(marketId), mb);
    }

    /** Marks the start of each part of an image: a damaged image is refused naming the part it went wrong in. */
    private enum Part {
        EXCHANGE(0x434c4558), LEAVES(0x4c454146), ACCOUNTS(0x41434354), ORDERS(0x4f524452), MARKETS(0x4d4b5453), HASHES(0x48534853),
        NONCES(0x4e4f4e43), TAKEN_UP(0x54414b45), ORPHANS(0x4f525048), END(0x454e4421);

        final int tag;

        Part(int tag) {
            this.tag = tag;
        }

        void write(ImageWriter out) {
            out.writeInt(tag);
        }

        void expect(ImageReader in) {
            int at = in.position();
            if (in.readInt() != tag) throw new ImageFormatException("the exchange image's " + this + " part does not start at byte " + at);
        }
    }

    /**
     * Writes everything this exchange holds; call only between commands (no transitions or
     * events waiting to be taken: throw IllegalStateException otherwise). {@link #readImage}
     * gives back an exchange that behaves exactly as this one: the same replies, events (with
     * their sequence numbers), transitions and state for any commands that follow.
     *
     * <p>Layout, in parts: the book sizes and the next event number; the mirror's leaves by key;
     * the accounts in creation order (owner id = place), then the address table as laid out; the
     * live orders, once each, inside the by-id table as laid out, then the hash table and the
     * cancelled fingerprints; the insurance shortfall last reported; each market, ascending, with
     * its book and its expiry heap as laid out; then, only when some are waiting, the hashes of
     * finished orders waiting for their PruneOrderHash ({@link ExpiredHashes}); only when some wait for their expiry, the
     * expiring nonces; only for an exchange that took up a state ({@link #takeUp}), a mark saying so. Orders and accounts are referred to by book id and
     * owner id, so an object several structures share comes back as one object.
     *
     * <p>Not written, because nothing reads them before a command sets them again: the caches
     * (last book, the mirror's markets and keys, the leaf cells' decoded values) and the book glue's
     * per-command scratch: its sink (set at the start of each book call) and the planned posts of
     * a fill-or-kill trial (cleared as each trial starts and read only on the trial's overlay).
     *
     * @throws IllegalStateException when called with events or transitions not taken, or when the
     *     exchange's own structures disagree (a bug: no image is better than a wrong one)
     */
    public void writeImage(ImageWriter out) {
        writeImage(out, true);
    }

    /**
     * As {@link #writeImage(ImageWriter)}; with {@code leaves} false the mirror's leaves are left
     * out, for a caller that writes them itself (a sequencer's image writes the state's leaves once,
     * for the mirror and the Merkle tree both) and hands them to {@link #readImage(ImageReader,
     * Eip712, SignatureVerifier, MarketBooks, List)}.
     */
    public void writeImage(ImageWriter out, boolean leaves) {
        if (!events.isEmpty() || mirror.hasPending()) {
            throw new IllegalStateException("a state image is taken between commands: take the events and transitions first");
        }
        Part.EXCHANGE.write(out);
        out.writeLong(bookSizes.maxPriceTicks()).writeLong(bookSizes.maxSizeLots()).writeInt(bookSizes.capacity());
        events.writeImage(out);
        Part.LEAVES.write(out);
        out.writeBoolean(leaves);
        if (leaves) mirror.writeImage(out);
        Part.ACCOUNTS.write(out);
        writeAccounts(out);
        Part.ORDERS.write(out);
        index.writeImage(out);
        deleverager.writeImage(out);
        Part.MARKETS.write(out);
        writeMarkets(out);
        if (!mirror.expiredHashes().isEmpty()) { // absent when empty: such an image is the bytes it was before hashes were pruned
            Part.HASHES.write(out);
            mirror.expiredHashes().writeImage(out);
        }
        if (!expiring.isEmpty()) { // the same: absent while no order with an expiry waits for it to pass
            Part.NONCES.write(out);
            expiring.writeImage(out);
        }
        if (index.looksUpEveryHash()) Part.TAKEN_UP.write(out); // the same: absent in an exchange that was not taken up
        // the same: absent once a taken-up state's orphaned ORDER leaves are pruned. The list is fixed when the state is taken
        // up, so a log begun from a take-up file without it (an earlier build's) replays as it did, and an earlier build
        // refuses an image with it (an unknown part) rather than replay the prunes away: the rules version stays
        if (mirror.orphansLeft() > 0) {
            Part.ORPHANS.write(out);
            mirror.writeOrphans(out);
        }
        Part.END.write(out);
    }

    /**
     * The exchange an image describes, behaving exactly as the one that wrote it. Reads only its
     * own part of {@code in} (a snapshot goes on after it).
     *
     * @param bookSizes must be the sizes the image was written with
     * @throws ImageFormatException when the image is truncated, damaged, or of other book sizes
     */
    public static Exchange readImage(ImageReader in, Eip712 domain, SignatureVerifier verifier, MarketBooks bookSizes) {
        return readImage(in, domain, verifier, bookSizes, null);
    }

    /**
     * As {@link #readImage(ImageReader, Eip712, SignatureVerifier, MarketBooks)}, for an image
     * written without its leaves: {@code leaves} are the mirror's (null when the image holds them).
     */
    public static Exchange readImage(ImageReader in, Eip712 domain, SignatureVerifier verifier, MarketBooks bookSizes,
                                     List<dev.clearline.engine.stf.LeafStore.Write> leaves) {
        Exchange x = new Exchange(domain, verifier, bookSizes);
        try {
            x.restore(in, leaves);
        } catch (ImageFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // whatever a damaged image trips over on the way, the caller is told the same thing: not this image
            ImageFormatException f = new ImageFormatException("the exchange image does not hold together: " + e);
            f.initCause(e);
            throw f;
        }
        return x;
    }

    /**
     * An exchange that takes up a state it did not build: the leaves of a state rebuilt from L1 (the
     * prover's replay of every posted batch), with the traders and markets the replayed transitions
     * named. What the tree holds carries over: balances, positions, markets, withdrawals, the global
     * counters (short order ids and withdrawal ids go on from L1's), and every posted order hash
     * (the same signed order is still refused for good). What only a running exchange knew does not:
     * the books start empty (an order that rested there partly filled is never filled again: its
     * owner places it anew, signed anew, and its ORDER leaf is pruned, at most 256 at the end of
     * each command's transitions from the first command on), the nonces of orders never posted are forgotten (so are
     * those of posted ones, whose hashes the tree refuses: this exchange looks every new order's hash
     * up in the tree from now on, its image says so), and each position counts as bought at the mark
     * for the deleverage ranking.
     *
     * <p>Deterministic in its arguments: the accounts take owner ids in the order {@code owners}
     * gives (the deleverage ranking's tie order), so every replica given the same arguments builds
     * the same exchange. Takes no command and emits nothing itself: the insurance shortfall the state holds,
     * if any, counts as reported (the next price or liquidation deleverages as always).
     *
     * @param owners every trader with a leaf in the state (more do no harm; one missing is an account
     *     this exchange cannot liquidate or deleverage until it sends a command)
     * @param marketIds the markets to book (ids without a MARKET leaf are left out)
     */
    public static Exchange takeUp(Eip712 domain, SignatureVerifier verifier, MarketBooks bookSizes,
                                  List<dev.clearline.engine.stf.LeafStore.Write> leaves, List<Address> owners, List<Integer> marketIds) {
        return takeUp(domain, verifier, bookSizes, leaves, owners, marketIds, List.of());
    }

    /**
     * As {@link #takeUp(Eip712, SignatureVerifier, MarketBooks, List, List, List)}, with the digests of orders posted on L1
     * ({@code postedHashes}, as a reader of L1 collected them: any superset of the expiring ones still in the state): the
     * ORDER_HASH leaf of each one with an expiry is pruned once its market's oracle time passes it
     * ({@link StfMirror#awaitExpiries}), as if this exchange had taken the order itself. Without them such a leaf stays for good.
     */
    public static Exchange takeUp(Eip712 domain, SignatureVerifier verifier, MarketBooks bookSizes,
                                  List<dev.clearline.engine.stf.LeafStore.Write> leaves, List<Address> owners, List<Integer> marketIds,
                                  List<Hash32> postedHashes) {
        Exchange x = new Exchange(domain, verifier, bookSizes);
        x.mirror.state.putAll(leaves);
        for (Address owner : owners) if (!owner.equals(Address.INSURANCE_FUND)) x.account(owner); // no key trades for the fund
        for (int id : marketIds) {
            if (!x.books.containsKey(id) && x.mirror.market(id) != null) {
                x.books.put(id, new MarketBook(id, new OrderBook(x.bookConfig()), new ExpiryQueue()));
                x.marketIds.add(id);
            }
        }
        x.marketIds.sort(Integer::compareUnsigned);
        x.deleverager.assumeReported(x.marketIds);
        x.index.lookUpEveryHash();
        x.mirror.pruneOrphans(x.orderLeavesNamedIn(leaves));
        x.mirror.awaitExpiries(postedHashes);
        return x;
    }

    /**
     * The short ids of the ORDER leaves in {@code leaves}: each posted order's ORDER_HASH leaf names its id (keys are hashes,
     * so the ids are read from those values), and an id counts when its ORDER leaf is there. A value of another kind that
     * reads like one only costs a look-up: whatever ORDER leaf it finds is one no book here holds.
     */
    private long[] orderLeavesNamedIn(List<dev.clearline.engine.stf.LeafStore.Write> leaves) {
        java.util.TreeSet<Long> ids = new java.util.TreeSet<>();
        for (var w : leaves) {
            byte[] v = w.value();
            if (v.length != 64 && v.length != 128) continue;
            boolean posted = true;
            for (int i = 32; i < 64 && posted; i++) posted = v[i] == 0; // no canceller: a posted hash, not a tombstone
            for (int i = 0; i < 26 && posted; i++) posted = v[i] == 0; // an id below 2^48
            if (!posted) continue;
            long id = 0;
            for (int i = 26; i < 32; i++) id = id << 8 | (v[i] & 0xff);
            if (id > 0 && mirror.state.get(mirror.keys.orderState(id)) != null) ids.add(id);
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private void restore(ImageReader in, List<dev.clearline.engine.stf.LeafStore.Write> leaves) {
        Part.EXCHANGE.expect(in);
        long maxPriceTicks = in.readLong();
        long maxSizeLots = in.readLong();
        int capacity = in.readInt();
        if (maxPriceTicks != bookSizes.maxPriceTicks() || maxSizeLots != bookSizes.maxSizeLots() || capacity != bookSizes.capacity()) {
            throw new ImageFormatException("the image's book sizes (" + maxPriceTicks + " ticks, " + maxSizeLots + " lots, capacity "
                    + capacity + ") are not this exchange's " + bookSizes);
        }
        events.readImage(in);
        Part.LEAVES.expect(in);
        boolean inImage = in.readBoolean();
        if (inImage == (leaves != null)) {
            throw new ImageFormatException(inImage ? "the exchange image holds its leaves and others were given too"
                    : "the exchange image was written without its leaves and none were given");
        }
        if (inImage) mirror.readImage(in);
        else mirror.state.putAll(leaves);
        Part.ACCOUNTS.expect(in);
        readAccounts(in);
        Part.ORDERS.expect(in);
        index.readImage(in, this::accountOf);
        deleverager.readImage(in);
        Part.MARKETS.expect(in);
        readMarkets(in);
        if (in.remaining() >= 4 && in.peekInt() == Part.HASHES.tag) {
            in.readInt();
            mirror.expiredHashes().readImage(in);
        }
        if (in.remaining() >= 4 && in.peekInt() == Part.NONCES.tag) {
            in.readInt();
            expiring.readImage(in, accountsInOrder.size());
        }
        if (in.remaining() >= 4 && in.peekInt() == Part.TAKEN_UP.tag) {
            in.readInt();
            index.lookUpEveryHash();
        }
        if (in.remaining() >= 4 && in.peekInt() == Part.ORPHANS.tag) {
            in.readInt();
            mirror.readOrphans(in);
        }
        Part.END.expect(in);
        for (LiveOrder e : index.all()) {
            // not in the image: which resting orders are take-profits is in the orders themselves
            MarketBook mb = bookOf(e.marketId());
            if (e.order().reduceOnly() && mb != null && mb.book().isResting(e.id)) e.account.restsReduceOnly(e.id);
        }
    }

    /** The accounts in creation order (each one's owner id is its place), then the table by address as laid out. */
    private void writeAccounts(ImageWriter out) {
        out.writeInt(accountsInOrder.size());
        for (Account a : accountsInOrder) a.writeImage(out);
        accounts.writeImage(out, a -> a.ownerId, a -> a.address);
    }

    private void readAccounts(ImageReader in) {
        int n = in.readCount(29);
        for (int i = 0; i < n; i++) {
            Account a = Account.readImage(in, mirror.state, mirror.keys);
            if (a.ownerId != i) throw new ImageFormatException("account " + a.ownerId + " in place " + i);
            accountsInOrder.add(a);
        }
        accounts.readImage(in, this::accountOf, a -> a.address);
        if (accounts.size() != n) throw new ImageFormatException(accounts.size() + " addresses for " + n + " accounts");
    }

    /** The account with this owner id, or null. */
    private Account accountOf(long ownerId) {
        return ownerId >= 0 && ownerId < accountsInOrder.size() ? accountsInOrder.get((int) ownerId) : null;
    }

    private BookConfig bookConfig() {
        return BookConfig.of(bookSizes.maxPriceTicks(), bookSizes.maxSizeLots(), bookSizes.capacity()).withMaxFillsPerTaker(MAX_FILLS_PER_ORDER);
    }

    /** Each market, ascending: its id, its book, its expiry heap (orders by book id). */
    private void writeMarkets(ImageWriter out) {
        if (!marketIds.equals(books.keySet().stream().sorted(Integer::compareUnsigned).toList())) {
            throw new IllegalStateException("markets " + marketIds + " but books for " + books.keySet());
        }
        out.writeInt(marketIds.size());
        for (int id : marketIds) {
            MarketBook mb = books.get(id);
            out.writeInt(id);
            mb.book().writeImage(out);
            mb.expiries().writeImage(out, index::get);
        }
    }

    private void readMarkets(ImageReader in) {
        int n = in.readCount(4);
        BookConfig config = bookConfig();
        for (int i = 0; i < n; i++) {
            int id = in.readInt();
            if (i > 0 && Integer.compareUnsigned(id, marketIds.get(i - 1)) <= 0) {
                throw new ImageFormatException("market " + Integer.toUnsignedString(id) + " after market " + Integer.toUnsignedString(marketIds.get(i - 1)));
            }
            MarketBook mb = new MarketBook(id, OrderBook.readImage(in, config), new ExpiryQueue());
            mb.expiries().readImage(in, index::get);
            checkRestingOrdersAreLive(mb);
            books.put(id, mb);
            marketIds.add(id);
        }
    }

    /** Each order resting in a restored book is a live order of that market and owner: the book glue finds it by id. */
    private void checkRestingOrdersAreLive(MarketBook mb) {
        for (Side side : Side.values()) {
            mb.book().forEachResting(side, (orderId, ownerId, price, visible, hidden, expiresAt) -> {
                LiveOrder e = index.get(orderId);
                if (e == null || e.marketId() != mb.marketId() || e.account.ownerId != ownerId) {
                    throw new ImageFormatException("order " + orderId + " rests in market " + mb.marketId() + " without its live order");
                }
            });
        }
    }

    /** Every trader this exchange holds an account for, by owner id (the order they first came in, or were given to {@link #takeUp}). */
    public List<Address> traders() {
        List<Address> out = new ArrayList<>(accountsInOrder.size());
        for (Account a : accountsInOrder) out.add(a.address);
        return out;
    }

    /** The markets with a book, ascending as uint32. */
    public List<Integer> markets() {
        return List.copyOf(marketIds);
    }

    /** Transitions produced since the last call, in order: the batch builder's input. */
    public List<Transition> takeTransitions() {
        return mirror.take();
    }

    /**
     * The ORDER leaf of an order whose PruneOrder the last {@link #takeTransitions()} ended with,
     * or null: a caller that reads the orders its Trades name finds them here once they are pruned.
     */
    public dev.clearline.engine.state.OrderLeaf prunedInLastTake(long stateId) {
        return mirror.prunedInLastTake(stateId);
    }

    /** Events produced since the last call. */
    public List<ExchangeEvent> takeEvents() {
        return events.take();
    }

    /** Drops buffered events without copying (benchmarks). */
    public void discardEvents() {
        events.discard();
    }

    /** The exchange's view of the state (what the STF would see after the emitted transitions). */
    public MemoryLeafStore state() {
        return mirror.state;
    }

    public OrderBook book(int marketId) {
        MarketBook mb = bookOf(marketId);
        return mb == null ? null : mb.book();
    }

    /** Order hashes the exchange's hash table holds: its live orders (bounded by what rests). */
    /** Short ids of the live orders already posted: between commands, exactly these keep an ORDER leaf (tests). */
    List<Long> postedLiveIds() {
        return index.all().stream().filter(e -> e.posted).map(e -> e.stateId).toList();
    }

    /**
     * ORDER leaves of a taken-up state still to prune ({@link #takeUp}): orders that rested there partly filled, which no book
     * here holds and nobody fills again.
     */
    public int orderLeavesToPrune() {
        return mirror.orphansLeft();
    }

    /**
     * Finished orders' hashes waiting for their market's clock to pass their expiry: each leaves the state with a
     * PruneOrderHash then (a taken-up exchange: the ones {@link #takeUp} was named).
     */
    public int hashesWaitingForPrune() {
        return mirror.expiredHashes().size();
    }

    int retainedOrderHashes() {
        return index.retainedHashes();
    }

    /** Orders with an expiry whose nonce waits for it to pass (tests). */
    int noncesWaitingToExpire() {
        return expiring.size();
    }

    /** Whether the exchange holds this trader's nonce as used (tests). */
    boolean nonceUsed(Address trader, long nonce) {
        Account a = accounts.get(trader);
        return a != null && a.nonces.contains(nonce);
    }

    /** Used nonces a trader's account keeps (tests). */
    int usedNonces(Address trader) {
        Account a = accounts.get(trader);
        return a == null ? 0 : a.nonces.size();
    }

    /** Fingerprints kept of orders cancelled before they were posted (8 bytes each; see {@link OrderIndex}). */
    int cancelledUnpostedFingerprints() {
        return index.cancelledUnpostedCount();
    }

    /** The book id of a live order, or -1. */
    public long orderId(Hash32 orderHash) {
        LiveOrder e = index.live(orderHash);
        return e == null ? -1 : e.id;
    }

    /** The signed order now behind a live book id (an amend replaces it), or null. */
    public Order liveOrder(long orderId) {
        LiveOrder e = index.get(orderId);
        return e == null ? null : e.order();
    }

    /** The open size (base units) and notional reserved by a trader's resting orders on one side of a market. */
    public long[] reserved(Address trader, int marketId, boolean isBuy) {
        Account a = accounts.get(trader);
        if (a == null) return new long[2];
        return new long[] {reservations.size(a, marketId, isBuy, null), reservations.notional(a, marketId, isBuy, null)};
    }

    /** The insurance fund's shortfall last reported ({@link ExchangeEvent.InsuranceShortfall}); 0 when its worth is not negative. */
    public long insuranceShortfall() {
        return deleverager.shortfall();
    }

    /** Resting orders whose expiry the market's oracle time has passed and that still wait for the sweep, over all markets. */
    public int expiredAwaitingSweep() {
        int n = 0;
        for (MarketBook mb : books.values()) n += mb.expiries().countExpiredAt(mirror.market(mb.marketId()).lastOracleTs());
        return n;
    }

    /** @deprecated the exchange's clock is each market's oracle time; {@code now} is ignored */
    @Deprecated
    public Reject apply(Transition t, long now) {
        return apply(t);
    }

    /**
     * A non-order transition (deposit, market config, oracle price, allocate, release, withdraw,
     * liquidate, forced ops): applied to the mirror and emitted if the STF accepts it.
     */
    public Reject apply(Transition t) {
        if (t instanceof Transition.PostOrder || t instanceof Transition.Trade || t instanceof Transition.TradeAtPrice
                || t instanceof Transition.Cancel) {
            throw new IllegalArgumentException("orders, trades and cancels go through submit/cancel/amend, not apply");
        }
        if (t instanceof Transition.Deleverage) {
            throw new IllegalArgumentException("the exchange chooses deleverage counterparties itself (its stated policy), it takes none from outside");
        }
        Reject r = mirror.applyRequest(t);
        if (r != null) {
            events.add(new ExchangeEvent.RequestRejected(events.next(), t.type(), r));
            return r;
        }
        events.add(new ExchangeEvent.RequestApplied(events.next(), t.type()));
        switch (t) {
            case Transition.MarketConfig c when !books.containsKey(c.marketId()) && mirror.market(c.marketId()) != null -> {
                books.put(c.marketId(), new MarketBook(c.marketId(), new OrderBook(bookConfig()), new ExpiryQueue()));
                marketIds.add(c.marketId());
                marketIds.sort(Integer::compareUnsigned); // ascending as uint32, the protocol's market id
            }
            case Transition.OraclePrice p -> {
                sweep(p.marketId());
                MarketBook mb = bookOf(p.marketId());
                if (mb != null) glue.mark(mb, mirror.market(p.marketId()));
                deleverager.restore(marketIds, accountsInOrder); // the mark may have moved against the fund
            }
            case Transition.Liquidate l -> {
                Account a = accounts.get(l.owner());
                if (a != null) a.reducedTo(l.marketId(), 0);
                cancelRestingOrders(l.owner(), l.marketId());
                deleverager.restore(marketIds, accountsInOrder); // a bankrupt position leaves bad debt with the fund
            }
            case Transition.ForcedCancel f -> {
                LiveOrder e = index.live(f.orderHash());
                if (e != null && e.order().trader().equals(f.owner())) {
                    glue.evict(e, bookOf(e.marketId()), mirror.market(e.marketId()), ExchangeEvent.Why.FORCED, null);
                }
                OrderHashLeaf leaf = StateReads.orderHash(mirror.state, f.orderHash());
                if (leaf != null && leaf.isTombstone()) index.markForcedTombstone(f.orderHash());
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
    private void cancelRestingOrders(Address owner, int marketId) {
        MarketBook mb = bookOf(marketId);
        MarketLeaf m = mirror.market(marketId);
        for (LiveOrder e : index.all()) {
            if (e.marketId() == marketId && e.order().trader().equals(owner)) glue.evict(e, mb, m, ExchangeEvent.Why.RISK, null);
        }
    }

    /** @deprecated the exchange's clock is each market's oracle time; {@code now} is ignored */
    @Deprecated
    public Reject submit(VerifiedOrder v, long now) {
        return submit(v);
    }

    /** Places a verified order. Returns null when accepted (fills may follow), else why it was refused. */
    public Reject submit(VerifiedOrder v) {
        Order o = v.order();
        MarketBook mb = bookOf(o.marketId());
        if (mb != null) sweep(o.marketId());
        MarketLeaf m = mirror.market(o.marketId());
        Account a = account(o.trader());
        Reject r = preChecks.check(o, mb != null, m, index.spent(v.hash(), o.trader(), a.nonces.contains(o.nonce()), mirror.state), a, null);
        if (r != null) return reject(v.hash(), r, null);
        long cap = reduceOnlyCap(o, a, m);
        if (cap < 0 || restsPastItsPosition(o, cap, m)) return reject(v.hash(), Reject.REDUCE_ONLY_WOULD_INCREASE, null);
        LiveOrder e = new LiveOrder(index.nextId(), v, a);
        index.add(e);
        if (o.timeInForce() == dev.clearline.engine.order.TimeInForce.FOK) {
            RejectReason br = glue.bookCheck(e, mb, m, cap, false);
            r = br == null ? glue.tryFillOrKill(e, mb, m, cap) : null;
            if (r != null) {
                glue.forget(e, mb);
                return reject(v.hash(), r, BookGlue.fillOrKillShort(r));
            }
        }
        r = glue.place(e, mb, m, cap);
        if (r != null) {
            glue.forget(e, mb);
            if (e.posted) expireNonce(e); // posted before the refusal: forgetting its hash recorded its nonce
            return r;
        }
        useNonce(e);
        glue.settle(e, mb, m);
        retryShortfall();
        return null;
    }

    /** While a shortfall is outstanding, fills may have opened positions that can take it: try again. */
    private void retryShortfall() {
        if (deleverager.shortfall() > 0) deleverager.restore(marketIds, accountsInOrder);
    }

    /** @deprecated the exchange's clock is each market's oracle time; {@code now} is ignored */
    @Deprecated
    public Reject cancel(VerifiedCancel c, long now) {
        return cancel(c);
    }

    /** Cancels a live order at its owner's verified request. */
    public Reject cancel(VerifiedCancel c) {
        LiveOrder e = index.live(c.orderHash());
        if (e == null) return reject(c.orderHash(), Reject.UNKNOWN_ORDER, null);
        if (!e.order().trader().equals(c.owner())) return reject(c.orderHash(), Reject.NOT_OWNER, null);
        boolean posted = e.posted;
        // a never-posted order needs no transition (nothing can fill it unless this exchange posts it,
        // and it refuses that hash from now on); a user who distrusts the operator has ForcedCancel
        if (posted) mirror.emitCancel(c);
        MarketBook mb = bookOf(e.marketId());
        glue.cancel(e, mb, mirror.market(e.marketId()));
        if (!posted) index.markCancelledUnposted(c.orderHash(), e.order().expiry());
        sweep(e.marketId());
        return null;
    }

    /**
     * Takes a live order off the book on the node's own word ({@code why}), with a {@code Cancelled} event and no
     * {@code Cancel} transition (its trader signed none): as for every order the exchange removes by itself (an IOC's
     * rest, a take-profit whose position closed), a posted order's ORDER leaf is pruned as one this exchange is done with,
     * and its hash and nonce stay taken, so it is never filled or placed again. False when no live order has that hash.
     */
    public boolean takeOff(Hash32 orderHash, ExchangeEvent.Why why) {
        LiveOrder e = index.live(orderHash);
        if (e == null) return false;
        glue.evict(e, bookOf(e.marketId()), mirror.market(e.marketId()), why, null);
        sweep(e.marketId());
        return true;
    }

    /** @deprecated the exchange's clock is each market's oracle time; {@code now} is ignored */
    @Deprecated
    public Reject amend(VerifiedCancel replaced, VerifiedOrder replacement, long now) {
        return amend(replaced, replacement);
    }

    /**
     * Replaces a live order by a new signed order of the same trader, market and side; the
     * replacement's terms all apply (price, size, display size, expiry, time in force, flags).
     * A GTC replacement with the same flags is an amend in the book: it keeps time priority when
     * the price stays and neither the size nor the displayed slice grows. Any other replacement
     * takes the old order's place as a new order (its time in force decides whether it rests).
     * Atomic: when the replacement is refused, the old order stays exactly as it was.
     * {@code replaced} cancels the old order, which the tree needs only if it already filled.
     */
    public Reject amend(VerifiedCancel replaced, VerifiedOrder replacement) {
        LiveOrder e = index.live(replaced.orderHash());
        if (e == null) return reject(replacement.hash(), Reject.UNKNOWN_ORDER, null);
        Order old = e.order();
        Order o = replacement.order();
        if (!old.trader().equals(replaced.owner()) || !o.trader().equals(old.trader())) {
            return reject(replacement.hash(), Reject.NOT_OWNER, null);
        }
        if (o.marketId() != old.marketId() || o.side() != old.side()) {
            return reject(replacement.hash(), Reject.BAD_ORDER_FIELDS, null);
        }
        MarketBook mb = bookOf(o.marketId());
        MarketLeaf m = mirror.market(o.marketId());
        if (PreChecks.expired(old.expiry(), m)) {
            // the old order is gone already, whether or not the sweep reached it: no ghost stays behind
            glue.expire(e, mb, m);
            return reject(replacement.hash(), Reject.UNKNOWN_ORDER, null);
        }
        Account a = e.account; // same trader, checked above
        Reject r = preChecks.check(o, true, m, index.spent(replacement.hash(), o.trader(), a.nonces.contains(o.nonce()), mirror.state), a, e);
        if (r != null) return reject(replacement.hash(), r, null);
        if (o.reduceOnly() && o.timeInForce() == dev.clearline.engine.order.TimeInForce.GTC) {
            long cap = reduceOnlyCap(o, a, m);
            if (cap < 0 || restsPastItsPosition(o, cap, m)) return reject(replacement.hash(), Reject.REDUCE_ONLY_WOULD_INCREASE, null);
        }
        LiveOrder next = new LiveOrder(e.id, replacement, a);
        // a pegged order has no price of its own to amend in the book: pegged either side, the replacement is placed anew
        boolean inBook = o.timeInForce() == dev.clearline.engine.order.TimeInForce.GTC && !o.isMarket() && o.flags() == old.flags()
                && !o.pegged() && !old.pegged();
        if (inBook) {
            r = glue.amend(next, mb, m);
            if (r != null) {
                if (next.posted) {
                    useNonce(next); // posted before the refusal: its nonce (so its hash) stays spent
                    mirror.retire(next); // and its leaf, which no live order owns, goes
                }
                if (!mb.book().isResting(e.id)) glue.forget(e, mb);
                return r;
            }
            swap(e, next, replaced, mb);
        } else {
            long cap = reduceOnlyCap(o, a, m);
            if (cap < 0) return reject(replacement.hash(), Reject.REDUCE_ONLY_WOULD_INCREASE, null);
            RejectReason br = glue.bookCheck(next, mb, m, cap, true);
            if (br != null) return reject(replacement.hash(), BookGlue.fromBook(br), br);
            if (o.timeInForce() == dev.clearline.engine.order.TimeInForce.FOK) {
                r = glue.tryFillOrKill(next, mb, m, cap);
                if (r != null) return reject(replacement.hash(), r, BookGlue.fillOrKillShort(r));
                // the trial evicts the makers it finds at fault (they would refuse any taker), so what is left may no longer
                // fill the replacement whole: checked again while the old order still rests, a refusal leaves it as it was
                // (placed after the old order left, the book refused, and the amend had nothing to stand on)
                br = glue.bookCheck(next, mb, m, cap, true);
                if (br != null) return reject(replacement.hash(), BookGlue.fromBook(br), br);
            }
            events.add(new ExchangeEvent.Amended(events.next(), e.id, e.v.hash(), replacement.hash(), false));
            glue.removeQuietly(e, mb, m);
            swap(e, next, replaced, mb);
            r = glue.place(next, mb, m, cap);
            if (r != null) throw new IllegalStateException("the book refused a replacement it had accepted on check: " + r);
        }
        glue.settle(next, mb, m);
        retryShortfall();
        return null;
    }

    /** The old order leaves the indexes, its reservation and its expiry entry; the replacement takes its id. */
    private void swap(LiveOrder old, LiveOrder next, VerifiedCancel replaced, MarketBook mb) {
        if (old.posted) {
            mirror.emitCancel(replaced);
            mirror.retire(old);
        }
        reservations.release(old);
        mb.expiries().remove(old);
        index.unindexHash(old);
        index.add(next);
        useNonce(next);
    }

    /** Records the order's nonce as used: for good, or, with an expiry, until that has passed ({@link ExpiringNonces}). */
    private void useNonce(LiveOrder e) {
        e.account.nonces.add(e.order().nonce());
        expireNonce(e);
    }

    /** With an expiry, the order's nonce and cancel fingerprint are forgotten once it has passed. */
    private void expireNonce(LiveOrder e) {
        Order o = e.order();
        if (o.expiry() != 0) expiring.add(o.marketId(), o.expiry(), Math.toIntExact(e.account.ownerId), o.nonce(), OrderIndex.fingerprint(e.v.hash()));
    }

    /**
     * Whether a reduce-only GTC order is larger than the position it reduces ({@code cap} lots). An IOC or FOK one is
     * clipped to the position and its rest cancelled at once; one that may rest is refused instead, since the lots past
     * the position could never fill, yet would read as open for as long as it rests.
     */
    private static boolean restsPastItsPosition(Order o, long cap, MarketLeaf m) {
        return o.reduceOnly() && o.timeInForce() == dev.clearline.engine.order.TimeInForce.GTC && o.size() / m.lotSize() > cap;
    }

    /** The reducible size in lots for a reduce-only order (0 for others), or -1 when it would not reduce. */
    private static long reduceOnlyCap(Order o, Account a, MarketLeaf m) {
        if (!o.reduceOnly()) return 0;
        PositionLeaf pos = a.position(o.marketId());
        boolean reduces = pos.size() != 0 && (pos.size() > 0) != o.isBuy();
        return reduces ? Math.abs(pos.size()) / m.lotSize() : -1;
    }

    /** Takes off the book, with their reservations, up to {@link #SWEEP_BUDGET} orders the market's oracle time expired. */
    private void sweep(int marketId) {
        MarketBook mb = bookOf(marketId);
        MarketLeaf m = mirror.market(marketId);
        if (mb == null || m == null) return;
        for (int budget = SWEEP_BUDGET; budget > 0; budget--) {
            LiveOrder e = mb.expiries().first();
            if (e == null || !PreChecks.expired(e.order().expiry(), m)) {
                // no live order is past its expiry here any more, so none can record its nonce or fingerprint again
                if (!expiring.isEmpty()) expiring.forgetDue(marketId, m.lastOracleTs(), forgetNonce);
                return;
            }
            glue.expire(e, mb, m);
        }
    }

    /** The market's book, or null; the last one asked for is kept (most commands touch one market). */
    private MarketBook bookOf(int marketId) {
        MarketBook last = lastBook;
        if (last != null && last.marketId() == marketId) return last;
        MarketBook mb = books.get(marketId);
        if (mb != null) lastBook = mb;
        return mb;
    }

    private Account account(Address owner) {
        Account a = accounts.get(owner);
        if (a == null) {
            a = new Account(accounts.size(), owner, mirror.state, mirror.keys);
            accounts.put(owner, a);
            accountsInOrder.add(a);
        }
        return a;
    }

    private Reject reject(Hash32 hash, Reject r, RejectReason bookReason) {
        events.add(new ExchangeEvent.Rejected(events.next(), hash, r, bookReason));
        return r;
    }
}
