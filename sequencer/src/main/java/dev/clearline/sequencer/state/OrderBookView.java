package dev.clearline.sequencer.state;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.exchange.Exchange;
import dev.clearline.engine.exchange.ExchangeEvent;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.StateReads;

import java.lang.reflect.RecordComponent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What traders read, kept beside the exchange from its events: every acknowledged order with the
 * seq that acknowledged it, its fills and status; each trader's open orders and recent fills. The
 * exchange names orders by book id in its events; this view maps them back to order hashes.
 * Iteration is always in insertion or key order, never hash order, so replies replay identically.
 */
final class OrderBookView {
    private static final int RECENT_FILLS = 200;
    /** Open orders in one account reply: about 250 KB of JSON, far below the largest reply (8 MB). */
    static final int OPEN_ORDERS_PAGE = 1_000;

    private final Map<Hash32, OrderRecord> orders = new HashMap<>();
    private final Map<Long, OrderRecord> byId = new HashMap<>();
    private final Map<Address, TraderRecord> traders = new HashMap<>();
    private final TreeSet<Integer> markets = new TreeSet<>(Integer::compareUnsigned);
    /** Visible size per (market, side, price): the depth the deltas describe. Key order is the price order. */
    private final Map<Integer, java.util.TreeMap<Long, Long>[]> levels = new HashMap<>();
    /**
     * A market's parameters as the exchange holds them now (null for none), for the fees of a fill; not part of the image:
     * the state that owns this view sets it ({@link #marketsFrom}).
     */
    private java.util.function.IntFunction<dev.clearline.engine.state.MarketLeaf> marketParams = id -> null;
    /** An armed stop's trigger (null for none): what the order read shows beside {@code armed}; set as {@link #marketParams}. */
    private java.util.function.Function<Hash32, Long> triggers = h -> null;
    /** An armed trailing stop's distance from the mark (null for a fixed one): shown beside its trigger. */
    private java.util.function.Function<Hash32, Long> trails = h -> null;
    /** A market's book as the exchange holds it now (null for none), for what an order still offers; set as {@link #marketParams}. */
    private java.util.function.IntFunction<dev.clearline.engine.book.OrderBook> books = id -> null;
    /** What each position cost, followed from the fills and deleverages folded here; set as {@link #marketParams}, its own image. */
    private PositionCosts costs = new PositionCosts();
    /** Each event type's fields, looked up once (reflection on every event cost more than the matching). */
    private final Map<Class<?>, EventShape> fields = new HashMap<>();
    /** Orders whose level contribution may have moved during the current command, in first-touch order. */
    private final Set<OrderRecord> touched = new LinkedHashSet<>();
    /**
     * The open pegged orders of each market by book id: their price moves with the mark or the book without an event of
     * their own, so every command that moved their market re-reads them (by id: the same order on every member, restored or
     * not). Derived from {@link #byId}, not part of the image.
     */
    private final Map<Integer, java.util.TreeMap<Long, OrderRecord>> pegs = new HashMap<>();
    /** Markets whose mark the current command moved (scratch, as {@link #touched}). */
    private final TreeSet<Integer> marksMoved = new TreeSet<>();
    /**
     * Closed orders (filled, cancelled, expired, replaced) in the order they closed, each with the
     * batch its last transitions went into at the latest (the batch open when it closed): once L1
     * finalizes that batch the record leaves memory ({@link #forgetFinal}), so the records follow
     * the open orders and the challenge window, not the history.
     */
    private final ArrayDeque<Closed> closed = new ArrayDeque<>();
    private record Closed(long batch, OrderRecord record) {}
    /** The index of the batch this command's transitions go into (set before each command). */
    private long openBatch;
    /** Fills and withdrawals of the current command, waiting for the batch index their transitions land in. */
    private final List<Map<String, Object>> unplaced = new ArrayList<>();

    static final class OrderRecord {
        final Hash32 hash;
        final Order order;
        final long ackSeq;
        long filled;
        /** Lots cut from a resting take-profit whose position shrank (Trimmed): with the fills, they count against its size. */
        long trimmed;
        long bookId = -1;
        String status = "open";
        /** What this order adds to its price level in the depth view now (visible base units), and at which price. */
        long shownSize;
        long shownPrice;

        /** Hex forms, made once: replies name orders and traders many times. */
        final String hashHex;
        final String traderHex;

        OrderRecord(Hash32 hash, Order order, long ackSeq) {
            this.hashHex = hash.toString();
            this.traderHex = order.trader().toString();
            this.hash = hash;
            this.order = order;
            this.ackSeq = ackSeq;
        }
    }

    static final class TraderRecord {
        final Set<Hash32> open = new LinkedHashSet<>();
        final ArrayDeque<Map<String, Object>> fills = new ArrayDeque<>();
        final ArrayDeque<Map<String, Object>> withdrawals = new ArrayDeque<>();
        final TreeSet<Integer> markets = new TreeSet<>(Integer::compareUnsigned);
    }

    /** Opens the view's part of a state image, so a reader out of step with its writer fails here, saying so. */
    private static final int IMAGE_MARK = 0x4F42_5631; // "OBV1"
    /** Fewer bytes than any order record takes in an image: bounds a damaged record count before anything is allocated. */
    private static final int RECORD_MIN_BYTES = 100;

    /**
     * Writes everything the view keeps, for {@link #readImage} to restore a view that answers every
     * later call exactly as this one would. Deterministic: two views that hold the same content
     * write the same bytes, whatever order their hash maps iterate in (entries go out sorted).
     *
     * <p>Each order record is written once, in a table, and {@code orders}, {@code byId} and
     * {@code closed} name it by its place there: they hold the same record objects, and the view
     * tells them apart by identity ({@code byId.get(r.bookId) == r}, {@code orders.get(r.hash) == r}).
     * A record may be in any of the three without the others (one replaced by an amend stays in
     * {@code orders} and {@code closed}, a closed one forgotten by {@link #forgetFinal} may still be
     * named elsewhere), so the table is the union of all three. Fill and withdrawal records go the
     * same way: a fill is one map in both its maker's and its taker's recent fills.
     *
     * @throws IllegalStateException when called in the middle of a command (see below)
     */
    void writeImage(ImageWriter out) {
        writeImage(out, true);
    }

    /** As {@link #writeImage(ImageWriter)}; without {@code withTrims}, the layout before the records kept their trimmed lots (snapshot format 6). */
    void writeImage(ImageWriter out, boolean withTrims) {
        // touched and unplaced are one command's scratch, empty between commands: SequencerState.apply
        // calls depthDeltas (which clears touched) after every record, and landed (which clears unplaced)
        // whenever the command's group of transitions is not empty -- which it never is when something
        // reached unplaced: a fill is a Trade the mirror applied, a withdrawal is numbered by an applied
        // Withdraw, ForcedWithdrawal or Deposit, and all of them are drained into the group. An image
        // taken while they hold something would restore a view that lost part of a command.
        if (!touched.isEmpty() || !unplaced.isEmpty() || !marksMoved.isEmpty()) {
            throw new IllegalStateException("the order book view is imaged in the middle of a command: " + touched.size()
                    + " order(s) wait for their depth deltas and " + unplaced.size() + " fill(s)/withdrawal(s) for their batch");
        }
        out.writeInt(IMAGE_MARK);
        out.writeLong(openBatch);
        writeInts(out, markets);

        Map<OrderRecord, Integer> index = new IdentityHashMap<>();
        List<OrderRecord> table = new ArrayList<>();
        for (Closed c : closed) add(c.record(), index, table);
        // the key is always the record's own hash (only placed puts); hash order, which is the hex text's order, by the
        // first eight bytes as an unsigned number first (comparing the texts was a fifth of a snapshot's view), with a
        // primitive sort (a comparator chain was a quarter of a snapshot's pause)
        List<OrderRecord> byHash = UnsignedKeySort.sorted(new ArrayList<>(orders.values()), r -> r.hash.leading64(),
                Comparator.comparing(r -> r.hashHex));
        for (OrderRecord r : byHash) add(r, index, table);
        long[] ids = byId.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        for (long id : ids) add(byId.get(id), index, table);
        out.writeInt(table.size());
        for (OrderRecord r : table) writeRecord(out, r, withTrims);
        out.writeInt(closed.size());
        for (Closed c : closed) out.writeLong(c.batch()).writeInt(index.get(c.record()));
        out.writeInt(byHash.size());
        for (OrderRecord r : byHash) {
            if (orders.get(r.hash) != r) throw new IllegalStateException("an order record kept under another order's hash: " + r.hashHex);
            out.writeInt(index.get(r));
        }
        out.writeInt(ids.length);
        for (long id : ids) out.writeLong(id).writeInt(index.get(byId.get(id)));

        List<Address> owners = new ArrayList<>(traders.keySet());
        owners.sort(null);
        Map<Map<String, Object>, Integer> mapIndex = new IdentityHashMap<>();
        List<Map<String, Object>> maps = new ArrayList<>();
        for (Address a : owners) {
            TraderRecord t = traders.get(a);
            for (Map<String, Object> f : t.fills) add(f, mapIndex, maps);
            for (Map<String, Object> w : t.withdrawals) add(w, mapIndex, maps);
        }
        out.writeInt(maps.size());
        for (Map<String, Object> m : maps) ValueImage.write(out, m);
        out.writeInt(owners.size());
        for (Address a : owners) {
            TraderRecord t = traders.get(a);
            out.writeAddress(a);
            out.writeInt(t.open.size());
            for (Hash32 h : t.open) out.writeHash(h);
            out.writeInt(t.fills.size());
            for (Map<String, Object> f : t.fills) out.writeInt(mapIndex.get(f));
            out.writeInt(t.withdrawals.size());
            for (Map<String, Object> w : t.withdrawals) out.writeInt(mapIndex.get(w));
            writeInts(out, t.markets);
        }

        List<Integer> levelMarkets = new ArrayList<>(levels.keySet());
        levelMarkets.sort(null);
        out.writeInt(levelMarkets.size());
        for (int market : levelMarkets) {
            out.writeInt(market);
            for (TreeMap<Long, Long> side : levels.get(market)) {
                out.writeInt(side.size());
                for (var e : side.entrySet()) out.writeLong(e.getKey()).writeLong(e.getValue());
            }
        }
    }

    /**
     * The view {@link #writeImage} wrote: the same records (shared between the order, book id and
     * closed tables as they were), traders, depth levels and open batch. The event shape cache
     * starts empty and fills again on use.
     *
     * @throws ImageFormatException when the image is damaged: a bad mark, count, enum code or record reference
     */
    static OrderBookView readImage(ImageReader in) {
        return readImage(in, true);
    }

    /** As {@link #readImage(ImageReader)}; {@code withTrims} false reads the layout of snapshot format 6 (no trimmed lots). */
    static OrderBookView readImage(ImageReader in, boolean withTrims) {
        int mark = in.readInt();
        if (mark != IMAGE_MARK) {
            throw new ImageFormatException("the order book view's image starts with " + Integer.toHexString(mark)
                    + " at byte " + (in.position() - 4) + ", not its mark " + Integer.toHexString(IMAGE_MARK));
        }
        OrderBookView v = new OrderBookView();
        v.openBatch = in.readLong();
        readInts(in, v.markets);

        OrderRecord[] table = new OrderRecord[in.readCount(RECORD_MIN_BYTES)];
        for (int i = 0; i < table.length; i++) table[i] = readRecord(in, withTrims);
        for (int i = in.readCount(12); i > 0; i--) {
            long batch = in.readLong();
            v.closed.addLast(new Closed(batch, ref(in, table)));
        }
        for (int i = in.readCount(4); i > 0; i--) {
            OrderRecord r = ref(in, table);
            if (v.orders.put(r.hash, r) != null) throw new ImageFormatException("the order " + r.hashHex + " twice in the view's image");
        }
        for (int i = in.readCount(12); i > 0; i--) {
            long id = in.readLong();
            OrderRecord r = ref(in, table);
            if (v.byId.containsKey(id)) throw new ImageFormatException("the book id " + id + " twice in the view's image");
            v.mapId(id, r);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object>[] maps = new Map[in.readCount(1)];
        for (int i = 0; i < maps.length; i++) {
            int at = in.position();
            if (!(ValueImage.read(in) instanceof Map<?, ?> m)) throw new ImageFormatException("a fill or withdrawal that is not a map at byte " + at);
            @SuppressWarnings("unchecked")
            Map<String, Object> typed = (Map<String, Object>) m; // ValueImage reads maps with String keys only
            maps[i] = typed;
        }
        for (int i = in.readCount(21); i > 0; i--) {
            int at = in.position();
            Address a = in.readAddress();
            if (a == null) throw new ImageFormatException("a trader without an address at byte " + at);
            TraderRecord t = new TraderRecord();
            if (v.traders.put(a, t) != null) throw new ImageFormatException("the trader " + a + " twice in the view's image");
            for (int j = in.readCount(33); j > 0; j--) {
                Hash32 h = in.readHash();
                if (h == null) throw new ImageFormatException("a null open order of " + a);
                t.open.add(h);
            }
            for (int j = in.readCount(4); j > 0; j--) t.fills.addLast(ref(in, maps));
            for (int j = in.readCount(4); j > 0; j--) t.withdrawals.addLast(ref(in, maps));
            readInts(in, t.markets);
        }

        for (int i = in.readCount(12); i > 0; i--) {
            int market = in.readInt();
            @SuppressWarnings("unchecked")
            TreeMap<Long, Long>[] sides = new TreeMap[] {new TreeMap<Long, Long>(), new TreeMap<Long, Long>()};
            for (TreeMap<Long, Long> side : sides) {
                for (int j = in.readCount(16); j > 0; j--) side.put(in.readLong(), in.readLong());
            }
            if (v.levels.put(market, sides) != null) throw new ImageFormatException("the market " + market + " twice in the view's depth image");
        }
        return v;
    }

    private static <T> void add(T item, Map<T, Integer> index, List<T> table) {
        if (index.putIfAbsent(item, table.size()) == null) table.add(item);
    }

    private static <T> T ref(ImageReader in, T[] table) {
        int at = in.position();
        int i = in.readInt();
        if (i < 0 || i >= table.length) throw new ImageFormatException("a reference to entry " + i + " of " + table.length + " at byte " + at);
        return table[i];
    }

    private static void writeInts(ImageWriter out, Set<Integer> set) {
        out.writeInt(set.size());
        for (int i : set) out.writeInt(i);
    }

    private static void readInts(ImageReader in, Set<Integer> into) {
        for (int i = in.readCount(4); i > 0; i--) into.add(in.readInt());
    }

    /** One order record: its hash, every field of the signed order, and what the view learned of it since. */
    private static void writeRecord(ImageWriter out, OrderRecord r, boolean withTrims) {
        Order o = r.order;
        out.writeHash(r.hash);
        out.writeAddress(o.trader()).writeInt(o.marketId()).writeBoolean(o.isBuy()).writeLong(o.price()).writeLong(o.size())
                .writeLong(o.displaySize()).writeByte(o.timeInForce().code()).writeInt(o.flags()).writeByte(o.peg().code())
                .writeInt(o.pegOffset()).writeLong(o.expiry()).writeLong(o.nonce()).writeLong(o.margin());
        out.writeLong(r.ackSeq).writeLong(r.filled).writeLong(r.bookId).writeString(r.status)
                .writeLong(r.shownSize).writeLong(r.shownPrice);
        if (withTrims) out.writeLong(r.trimmed);
    }

    private static OrderRecord readRecord(ImageReader in, boolean withTrims) {
        int at = in.position();
        Hash32 hash = in.readHash();
        Address trader = in.readAddress();
        if (hash == null || trader == null) throw new ImageFormatException("an order record without its hash or trader at byte " + at);
        int market = in.readInt();
        var side = in.readBoolean() ? dev.clearline.engine.order.Side.BUY : dev.clearline.engine.order.Side.SELL;
        long price = in.readLong(), size = in.readLong(), display = in.readLong();
        int tifCode = in.readByte();
        TimeInForce tif = TimeInForce.fromCode(tifCode);
        int flags = in.readInt();
        int pegCode = in.readByte();
        Peg peg = Peg.fromCode(pegCode);
        if (tif == null || peg == null) throw new ImageFormatException("an order record with time in force " + tifCode + " and peg " + pegCode + " at byte " + at);
        int pegOffset = in.readInt();
        long expiry = in.readLong(), nonce = in.readLong(), margin = in.readLong();
        Order order = new Order(trader, market, side, price, size, display, tif, flags, peg, pegOffset, expiry, nonce, margin);
        OrderRecord r = new OrderRecord(hash, order, in.readLong());
        r.filled = in.readLong();
        r.bookId = in.readLong();
        r.status = in.readString();
        if (r.status == null) throw new ImageFormatException("an order record without a status at byte " + at);
        r.shownSize = in.readLong();
        r.shownPrice = in.readLong();
        if (withTrims) {
            r.trimmed = in.readLong();
            if (r.trimmed < 0 || r.trimmed > r.order.size()) throw new ImageFormatException("an order record trimmed by " + r.trimmed + " at byte " + at);
        }
        return r;
    }

    void listMarket(int marketId) {
        markets.add(marketId);
    }

    /** The listed markets by id, unsigned (as on L1: market 2^31 comes after market 1). */
    List<Integer> markets() {
        return List.copyOf(markets);
    }

    /** The order's hash as hex, kept on its record when it has one (a verdict and its events print the same text). */
    String hashHex(Hash32 hash) {
        OrderRecord r = orders.get(hash);
        return r != null ? r.hashHex : hash.toString();
    }

    void placed(VerifiedOrder v, long seq) {
        OrderRecord r = new OrderRecord(v.hash(), v.order(), seq);
        orders.put(v.hash(), r);
        TraderRecord t = trader(v.order().trader());
        t.open.add(v.hash());
        t.markets.add(v.order().marketId());
    }

    /** A stop the node armed ({@link StopOrders}): listed with the trader's open orders as {@code armed} until it fires or leaves. */
    void armed(VerifiedOrder v, long seq) {
        placed(v, seq);
        orders.get(v.hash()).status = "armed";
    }

    /** An armed stop left without firing: {@code status} says why (cancelled by its owner or by force, or expired). */
    void disarmed(Hash32 hash, String status) {
        OrderRecord r = orders.get(hash);
        if (r != null && r.status.equals("armed")) close(r, status);
    }

    /** Where an armed stop's trigger is read (the state's stops); not part of the image. */
    void triggersFrom(java.util.function.Function<Hash32, Long> triggers, java.util.function.Function<Hash32, Long> trails) {
        this.triggers = triggers;
        this.trails = trails;
    }

    void amended(Hash32 old, VerifiedOrder replacement, long seq) {
        OrderRecord prior = orders.get(old);
        if (prior != null && !prior.status.equals("filled")) close(prior, "replaced");
        placed(replacement, seq);
        if (prior != null && prior.bookId >= 0) {
            OrderRecord next = orders.get(replacement.hash());
            next.bookId = prior.bookId;
            next.shownSize = prior.shownSize;
            next.shownPrice = prior.shownPrice;
            prior.shownSize = 0;
            mapId(prior.bookId, next);
            touched.add(next);
        }
    }

    /** Where fills and deleverages are followed into each position's entry price and realized profit. */
    void costsFrom(PositionCosts costs) {
        this.costs = costs;
    }

    /** Where the fills' fees read their market's parameters (the exchange's current market leaves). */
    void marketsFrom(java.util.function.IntFunction<dev.clearline.engine.state.MarketLeaf> params) {
        this.marketParams = params;
    }

    /** Where an order's open size is read (the exchange's books). */
    void booksFrom(java.util.function.IntFunction<dev.clearline.engine.book.OrderBook> books) {
        this.books = books;
    }

    /**
     * What the order offers on the book now, in base units (0 once it left): its size less its fills, or less than that
     * for a take-profit trimmed to a position that shrank under it.
     */
    private long openSize(OrderRecord r) {
        if (r.bookId < 0 || byId.get(r.bookId) != r) return 0;
        var book = books.apply(r.order.marketId());
        var ml = marketParams.apply(r.order.marketId());
        return book == null || ml == null ? 0 : book.openLots(r.bookId) * ml.lotSize();
    }

    /** Folds the exchange's events into the view and returns them as JSON-ready maps with order hashes. */
    List<Map<String, Object>> record(List<ExchangeEvent> events, long seq) {
        List<Map<String, Object>> out = new ArrayList<>(events.size());
        for (ExchangeEvent e : events) {
            out.add(eventView(e)); // before folding: a fill or cancel may drop the book id's mapping
            touch(e);
            switch (e) {
                case ExchangeEvent.Accepted a -> {
                    OrderRecord r = orders.get(a.orderHash());
                    if (r != null) {
                        r.bookId = a.orderId();
                        mapId(a.orderId(), r);
                    }
                }
                case ExchangeEvent.Filled f -> {
                    OrderRecord maker = byId.get(f.makerOrderId());
                    OrderRecord taker = byId.get(f.takerOrderId());
                    if (maker != null && taker != null) fill(maker, taker, f, seq);
                }
                case ExchangeEvent.Cancelled c -> closeById(c.orderId(), "cancelled:" + c.why().name().toLowerCase());
                case ExchangeEvent.Trimmed t -> {
                    OrderRecord r = byId.get(t.orderId());
                    if (r != null) r.trimmed += t.removed();
                }
                case ExchangeEvent.Expired x -> closeById(x.orderId(), "expired");
                case ExchangeEvent.Deleveraged d -> {
                    MarketLeaf ml = marketParams.apply(d.marketId());
                    if (ml != null) costs.deleveraged(d.counterparty(), d.marketId(), d.size() / ml.lotSize(), d.price());
                }
                default -> { }
            }
        }
        return out;
    }

    private void touch(ExchangeEvent e) {
        switch (e) {
            case ExchangeEvent.Accepted a -> { OrderRecord r = orders.get(a.orderHash()); if (r != null) touched.add(r); }
            case ExchangeEvent.Rested x -> touchId(x.orderId());
            case ExchangeEvent.Filled f -> { touchId(f.makerOrderId()); touchId(f.takerOrderId()); }
            case ExchangeEvent.Cancelled c -> touchId(c.orderId());
            case ExchangeEvent.Expired x -> touchId(x.orderId());
            case ExchangeEvent.Trimmed t -> touchId(t.orderId());
            case ExchangeEvent.Amended a -> { touchId(a.orderId()); OrderRecord r = orders.get(a.newOrderHash()); if (r != null) touched.add(r); }
            case ExchangeEvent.FillRefused f -> { touchId(f.makerOrderId()); touchId(f.takerOrderId()); }
            default -> { }
        }
    }

    private void touchId(long id) {
        OrderRecord r = byId.get(id);
        if (r != null) touched.add(r);
    }

    /**
     * Re-reads what every touched order shows on the book after the command and returns the price
     * levels that changed: {@code {market, side, price, size}} with the level's new visible size
     * (0 = the level is gone). An iceberg shows at most its display size.
     */
    List<Map<String, Object>> depthDeltas(Exchange exchange, LeafReads reads) {
        if (touched.isEmpty() && marksMoved.isEmpty()) return List.of();
        if (!pegs.isEmpty()) {
            // a peg follows the mark or its side's best price: in a market this command moved, each is read again
            TreeSet<Integer> moved = new TreeSet<>(marksMoved);
            for (OrderRecord r : touched) moved.add(r.order.marketId());
            List<OrderRecord> more = new ArrayList<>();
            for (int market : moved) {
                var inMarket = pegs.get(market);
                if (inMarket != null) more.addAll(inMarket.values());
            }
            touched.addAll(more);
        }
        marksMoved.clear();
        Map<LevelKey, Map<String, Object>> changed = new LinkedHashMap<>();
        Map<Integer, MarketLeaf> read = new HashMap<>(4); // one state read per market and command, not per order
        for (OrderRecord r : touched) {
            var book = exchange.book(r.order.marketId());
            MarketLeaf ml = book == null ? null : read.computeIfAbsent(r.order.marketId(), reads::market);
            long shown = 0;
            if (ml != null && r.bookId >= 0 && book.isResting(r.bookId) && byId.get(r.bookId) == r) {
                shown = book.openLots(r.bookId) * ml.lotSize();
                long display = r.order.displaySize();
                if (display != 0 && display < shown) shown = display;
            }
            // a pegged order rests where its reference puts it, within its signed price (its limit); one whose reference is
            // absent (a book peg on a side with no fixed-price order) has no price and offers nothing until it has one
            long price = r.order.price();
            if (r.order.pegged() && shown != 0) {
                long ticks = book.priceTicks(r.bookId);
                if (ticks == dev.clearline.engine.book.OrderBook.NO_PRICE) shown = 0;
                else price = ticks * ml.tickSize();
            }
            if (shown == r.shownSize && price == r.shownPrice) continue;
            if (r.shownSize != 0) moveLevel(r, r.shownPrice, -r.shownSize, changed);
            if (shown != 0) moveLevel(r, price, shown, changed);
            r.shownSize = shown;
            r.shownPrice = price;
        }
        touched.clear();
        return List.copyOf(changed.values());
    }

    @SuppressWarnings("unchecked")
    private void moveLevel(OrderRecord r, long price, long by, Map<LevelKey, Map<String, Object>> changed) {
        int side = r.order.isBuy() ? 0 : 1;
        java.util.TreeMap<Long, Long> lv = levels.computeIfAbsent(r.order.marketId(),
                k -> new java.util.TreeMap[] {new java.util.TreeMap<Long, Long>(), new java.util.TreeMap<Long, Long>()})[side];
        long size = lv.getOrDefault(price, 0L) + by;
        if (size == 0) lv.remove(price);
        else lv.put(price, size);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("market", MarketIds.json(r.order.marketId()));
        m.put("side", r.order.side().name());
        m.put("price", price);
        m.put("size", size);
        changed.put(new LevelKey(r.order.marketId(), side, price), m);
    }

    /** A price level of one side of one market: the last change to it in a command is the one reported. */
    private record LevelKey(int market, int side, long price) {}

    private void fill(OrderRecord maker, OrderRecord taker, ExchangeEvent.Filled f, long seq) {
        maker.filled += f.size();
        taker.filled += f.size();
        Map<String, Object> fill = new LinkedHashMap<>();
        fill.put("seq", seq);
        fill.put("market", MarketIds.json(maker.order.marketId()));
        fill.put("price", f.price());
        fill.put("size", f.size());
        fill.put("makerOrderHash", maker.hashHex);
        fill.put("takerOrderHash", taker.hashHex);
        // which side took, and what each side paid: a trader read them nowhere else (a bot's walk through docs/api.md); the fees
        // are the STF's for this fill (TradeRule), the market's parameters being those of the command that filled
        fill.put("takerSide", taker.order.side().name());
        putFees(fill, maker.order.marketId(), f.size(), f.price());
        fill.put("maker", maker.traderHex);
        fill.put("taker", taker.traderHex);
        unplaced.add(fill);
        MarketLeaf ml = marketParams.apply(maker.order.marketId());
        if (ml != null) {
            long lots = f.size() / ml.lotSize();
            costs.fill(maker.order.trader(), maker.order.marketId(), maker.order.isBuy() ? lots : -lots, f.price());
            costs.fill(taker.order.trader(), taker.order.marketId(), taker.order.isBuy() ? lots : -lots, f.price());
        }
        for (OrderRecord r : List.of(maker, taker)) {
            ArrayDeque<Map<String, Object>> q = trader(r.order.trader()).fills;
            q.addLast(fill);
            if (q.size() > RECENT_FILLS) q.removeFirst();
            if (r.filled + r.trimmed >= r.order.size()) close(r, "filled"); // a trimmed take-profit is done once its open lots filled
        }
    }

    /**
     * A fill the node did not make: one L1 holds in a batch not final when the node took up from L1 ({@link FillsOnL1}), listed
     * in both traders' views at its batch. No {@code seq} (the new log never numbered it), no order record (its orders left
     * with the lost node's books), an order hash only where the take-up's replay saw the order posted.
     */
    void fillOnL1(FillsOnL1.Fill f) {
        Map<String, Object> fill = new LinkedHashMap<>();
        fill.put("market", MarketIds.json(f.marketId()));
        fill.put("price", f.price());
        fill.put("size", f.size());
        if (f.makerOrderHash() != null) fill.put("makerOrderHash", f.makerOrderHash().toString());
        if (f.takerOrderHash() != null) fill.put("takerOrderHash", f.takerOrderHash().toString());
        fill.put("takerSide", f.takerSide().name());
        fill.put("makerFee", f.makerFee());
        fill.put("takerFee", f.takerFee());
        fill.put("maker", f.maker().toString());
        fill.put("taker", f.taker().toString());
        fill.put("batch", f.batch());
        for (Address a : List.of(f.maker(), f.taker())) {
            TraderRecord t = trader(a);
            t.markets.add(f.marketId());
            t.fills.addLast(fill);
            if (t.fills.size() > RECENT_FILLS) t.fills.removeFirst();
        }
    }

    /** What each side of a fill paid, as the STF's TradeRule charges it with the market's fees of the command that filled (none on overflow). */
    private void putFees(Map<String, Object> m, int market, long size, long price) {
        dev.clearline.engine.state.MarketLeaf ml = marketParams.apply(market);
        if (ml == null || ml.lotSize() <= 0) return;
        long notional = dev.clearline.engine.risk.Fixed.notional(size, ml.lotSize(), price);
        if (notional == dev.clearline.engine.risk.Fixed.OVERFLOW) return;
        m.put("makerFee", dev.clearline.engine.risk.Fixed.mulPpmUp(notional, ml.makerFeePpm()));
        m.put("takerFee", dev.clearline.engine.risk.Fixed.mulPpmUp(notional, ml.takerFeePpm()));
    }

    /** Records that {@code trader} holds a position in {@code market} it did not trade into (the fund's takeovers, margin allocated first): its account view shows it. */
    void holds(Address trader, int market) {
        trader(trader).markets.add(market);
    }

    /** A withdrawal numbered {@code id} by the current command, from {@code owner}'s balance. */
    void withdrawal(Address owner, long id, Address recipient, long amount, long seq) {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("withdrawalId", id);
        w.put("seq", seq);
        w.put("amount", amount);
        w.put("recipient", recipient.toString());
        unplaced.add(w);
        ArrayDeque<Map<String, Object>> q = trader(owner).withdrawals;
        q.addLast(w);
        if (q.size() > RECENT_FILLS) q.removeFirst();
    }

    /** How many withdrawal records name batch {@code from} or a later one (tests: what L1 would count per batch). */
    long withdrawalsInBatchesFrom(long from) {
        long n = 0;
        for (TraderRecord t : traders.values()) {
            for (Map<String, Object> w : t.withdrawals) if (w.get("batch") instanceof Long b && b >= from) n++;
        }
        return n;
    }

    /** The current command's transitions went into batch {@code batch}: so did its fills and withdrawals. */
    void landed(long batch) {
        for (Map<String, Object> m : unplaced) m.put("batch", batch);
        unplaced.clear();
    }

    private void closeById(long bookId, String status) {
        OrderRecord r = byId.get(bookId);
        if (r != null) close(r, status);
    }

    private void close(OrderRecord r, String status) {
        if (r.status.equals("open") || r.status.equals("armed")) closed.addLast(new Closed(openBatch, r));
        r.status = status;
        trader(r.order.trader()).open.remove(r.hash);
        if (r.bookId >= 0 && byId.get(r.bookId) == r) {
            byId.remove(r.bookId);
            var inMarket = pegs.get(r.order.marketId());
            if (inMarket != null && inMarket.get(r.bookId) == r) inMarket.remove(r.bookId);
        }
    }

    /** Book id {@code id} is order {@code r} from now on (an amend gives the id to its replacement, pegged or not). */
    private void mapId(long id, OrderRecord r) {
        byId.put(id, r);
        int market = r.order.marketId();
        if (r.order.pegged()) {
            pegs.computeIfAbsent(market, k -> new java.util.TreeMap<>()).put(id, r);
        } else if (pegs.containsKey(market)) {
            pegs.get(market).remove(id);
        }
    }

    /** The current command moved {@code market}'s mark: its mark-pegged orders moved with it. */
    void markMoved(int market) {
        marksMoved.add(market);
    }

    /** Pegged orders held for re-reading (tests: they follow the open ones). */
    int pegsKept() {
        int n = 0;
        for (var m : pegs.values()) n += m.size();
        return n;
    }

    void openBatch(long index) {
        openBatch = index;
    }

    /** Drops the records of orders closed in a batch L1 has finalized (the first {@code finalized} batches). */
    void forgetFinal(long finalized) {
        while (!closed.isEmpty() && closed.peekFirst().batch() < finalized) {
            OrderRecord r = closed.removeFirst().record();
            if (orders.get(r.hash) == r) orders.remove(r.hash);
        }
    }

    /** Order records held (open, or closed in a batch not final yet). */
    int ordersKept() {
        return orders.size();
    }

    /** Book ids mapped to open orders. */
    int bookIdsKept() {
        return byId.size();
    }

    /** Traders with a record (open orders, recent fills and withdrawals, markets): one per account that ever traded. */
    int tradersKept() {
        return traders.size();
    }

    /** Price levels shown in the depth view, over all markets and sides. */
    int levelsKept() {
        int n = 0;
        for (var sides : levels.values()) for (var side : sides) n += side.size();
        return n;
    }

    private TraderRecord trader(Address a) {
        return traders.computeIfAbsent(a, k -> new TraderRecord());
    }

    Map<String, Object> order(Hash32 hash) {
        OrderRecord r = orders.get(hash);
        if (r == null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("known", false);
            m.put("orderHash", hash.toString());
            m.put("help", "no open order with this hash, nor one closed in a batch that is not final yet: orders closed in a"
                    + " final batch leave memory; read the order's leaf from L1 (or replay the log) for its final state");
            return m;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("known", true);
        m.put("orderHash", r.hash.toString());
        m.put("ackSeq", r.ackSeq);
        m.put("trader", r.order.trader().toString());
        m.put("market", MarketIds.json(r.order.marketId()));
        m.put("side", r.order.side().name());
        m.put("price", r.order.price());
        m.put("size", r.order.size());
        m.put("expiry", r.order.expiry());
        m.put("flags", r.order.flags()); // as signed: a reduce-only order rests too (a take-profit), and an amend keeps the flag
        // an iceberg's slice and a pegged order's reference, as signed, where they are not the defaults: what an amend keeps
        if (r.order.displaySize() != 0 && r.order.displaySize() != r.order.size()) m.put("displaySize", r.order.displaySize());
        if (r.order.pegged()) {
            m.put("peg", r.order.peg().name());
            m.put("pegOffset", r.order.pegOffset());
        }
        m.put("filled", r.filled);
        if (r.trimmed != 0) m.put("trimmed", r.trimmed);
        m.put("open", openSize(r));
        m.put("status", r.status);
        if (r.status.equals("armed")) {
            Long trigger = triggers.apply(r.hash);
            if (trigger != null) m.put("triggerPrice", trigger);
            Long trail = trails.apply(r.hash);
            if (trail != null) m.put("trailBy", trail);
        }
        return m;
    }

    Map<String, Object> account(Address trader, LeafStore state, L1Finality l1) {
        return account(trader, state, l1, 0, OPEN_ORDERS_PAGE);
    }

    /**
     * An account's view with at most {@code page} of its open orders ({@link #OPEN_ORDERS_PAGE} for
     * the API), from the {@code from}-th on (in the order they were placed), and how many it has: a
     * market maker's tens of thousands of resting orders in one reply would outgrow the largest reply
     * the node sends, and that account could not be read at all. {@code openOrdersNext} says where
     * the next page starts, when there is one.
     */
    /** An account's balance and open positions alone: what its channel pushes after a command changed them. */
    Map<String, Object> balances(Address trader, LeafStore state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trader", trader.toString());
        BalanceLeaf b = StateReads.balance(state, trader);
        m.put("free", b == null ? 0 : b.free());
        m.put("nonce", b == null ? 0 : b.nonce());
        m.put("positions", positions(trader, traders.get(trader), state));
        return m;
    }

    /** The trader's positions that hold something, each with its risk at the mark, by market id (unsigned, as on L1). */
    private List<Object> positions(Address trader, TraderRecord t, LeafStore state) {
        List<Object> positions = new ArrayList<>();
        if (t == null) return positions;
        for (int market : t.markets) {
            PositionLeaf p = StateReads.position(state, trader, market);
            MarketLeaf ml = StateReads.market(state, market);
            if (p == null || p.size() == 0 && p.quote() == 0) continue;
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("market", MarketIds.json(market));
            pm.put("size", p.size());
            pm.put("quote", p.quote());
            if (ml != null) {
                pm.putAll(risk(p, ml));
                pm.putAll(cost(costs.of(trader, market), p.size() / ml.lotSize(), ml.markPrice()));
            }
            positions.add(pm);
        }
        return positions;
    }

    /** The hashes of {@code trader}'s open orders, resting and armed, as its account lists them (a copy). */
    List<Hash32> openOrders(Address trader) {
        TraderRecord t = traders.get(trader);
        return t == null ? List.of() : List.copyOf(t.open);
    }

    Map<String, Object> account(Address trader, LeafStore state, L1Finality l1, long from, int page) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trader", trader.toString());
        BalanceLeaf b = StateReads.balance(state, trader);
        m.put("free", b == null ? 0 : b.free());
        m.put("nonce", b == null ? 0 : b.nonce());
        TraderRecord t = traders.get(trader);
        List<Object> positions = positions(trader, t, state);
        List<Object> open = new ArrayList<>();
        List<Object> fills = new ArrayList<>();
        List<Object> withdrawals = new ArrayList<>();
        Long next = null;
        if (t != null) {
            long at = 0;
            for (Hash32 h : t.open) {
                if (at++ < from) continue;
                if (open.size() == page) {
                    next = from + page;
                    break;
                }
                open.add(order(h));
            }
            for (Map<String, Object> f : t.fills) fills.add(staged(f, l1));
            for (Map<String, Object> w : t.withdrawals) withdrawals.add(staged(w, l1));
        }
        m.put("positions", positions);
        m.put("openOrders", open);
        m.put("openOrderCount", t == null ? 0 : t.open.size());
        if (next != null) m.put("openOrdersNext", next);
        m.put("fills", fills);
        m.put("withdrawals", withdrawals);
        m.put("l1", l1.view());
        return m;
    }

    /** A fill or withdrawal with its finality stage (matched, posted, final) and, once posted, when it becomes final. */
    private static Map<String, Object> staged(Map<String, Object> record, L1Finality l1) {
        Map<String, Object> m = new LinkedHashMap<>(record);
        m.remove("batch");
        Object batch = record.get("batch");
        m.putAll(l1.stageOf(batch == null ? -1 : (Long) batch));
        return m;
    }

    /**
     * What a position is worth and how far it is from liquidation, at the market's mark with
     * funding settled to the market's index (what the STF would do on its next touch): funding
     * not yet settled, equity, maintenance requirement, margin ratio (equity over notional) and
     * the mark price at which equity would meet the maintenance requirement. A view, never state.
     */
    static Map<String, Object> risk(PositionLeaf p, MarketLeaf m) {
        Map<String, Object> r = new LinkedHashMap<>();
        long lot = m.lotSize();
        r.put("markPrice", m.markPrice());
        long settled = dev.clearline.engine.risk.Margin.settleFunding(p.size(), p.quote(), p.fundingIndex(), m.fundingIndex(), lot);
        r.put("fundingIndex", m.fundingIndex());
        r.put("unsettledFunding", settled == dev.clearline.engine.risk.Fixed.OVERFLOW ? null : settled - p.quote());
        long equity = dev.clearline.engine.risk.Margin.equity(p.size(), settled, lot, m.markPrice());
        long mm = dev.clearline.engine.risk.Margin.requirement(p.size(), lot, m.markPrice(), m.mmfPpm());
        r.put("equity", equity);
        r.put("maintenance", mm);
        double lots = (double) p.size() / lot;
        double notional = Math.abs(lots * m.markPrice());
        r.put("marginRatio", notional == 0 ? null : equity / notional);
        if (p.size() != 0) {
            double f = m.mmfPpm() / 1e6;
            double liq = lots > 0 ? -settled / (lots * (1 - f)) : -settled / (lots * (1 + f));
            r.put("liquidationPrice", liq <= 0 ? 0 : (long) Math.floor(liq));
        }
        return r;
    }

    /**
     * What the position cost and made: its average entry price per lot, the profit its open lots would make closed at the
     * mark, and what its closing fills realized since it opened (fees and funding aside: the fills list them). All three null
     * when this node could not follow the position from its opening (one taken up from L1, or restored from an older snapshot).
     */
    static Map<String, Object> cost(PositionCosts.Cost c, long lots, long mark) {
        Map<String, Object> r = new LinkedHashMap<>();
        boolean known = c != null && c.known() && c.lots() == lots && lots != 0;
        r.put("entryPrice", known ? c.entryPrice() : null);
        r.put("unrealizedPnl", known ? c.unrealized(mark) : null);
        r.put("realizedPnl", known ? c.realized() : null);
        return r;
    }

    /** The best bid ({@code bid}) or best ask of a market's book, 0 when that side is empty. */
    long bestPrice(int marketId, boolean bid) {
        java.util.TreeMap<Long, Long>[] lv = levels.get(marketId);
        if (lv == null) return 0;
        java.util.TreeMap<Long, Long> side = bid ? lv[0] : lv[1];
        return side.isEmpty() ? 0 : bid ? side.lastKey() : side.firstKey();
    }

    /** Levels a side the depth query answers (the trader API's {@code GET /markets/{id}/depth}). */
    static final int DEPTH_LEVELS = 50;
    /** The most levels a side a depth read to a notional answers: a reply of some 0.5 MB at most. */
    static final int NOTIONAL_LEVELS = 10_000;

    /** The depth the deltas describe: visible size per price, best first, at most {@code max} levels a side. */
    Map<String, Object> depth(int marketId, Exchange exchange, int max) {
        return depth(marketId, exchange, max, 0);
    }

    /**
     * As above; with {@code notional} above 0, each side as deep as it takes for its levels' notional
     * (whole lots times price, visible size) to reach {@code notional}, at most {@code max} levels: what
     * an impact price for that notional reads, which the first 50 levels may not hold (a side padded
     * with 50 one-lot levels at successive ticks would otherwise starve it).
     */
    Map<String, Object> depth(int marketId, Exchange exchange, int max, long notional) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("market", MarketIds.json(marketId));
        MarketLeaf ml = StateReads.market(exchange.state(), marketId);
        if (exchange.book(marketId) == null || ml == null) {
            m.put("error", "UNKNOWN_MARKET");
            m.put("message", "no market " + Integer.toUnsignedString(marketId) + "; GET /state lists the markets");
            return m;
        }
        java.util.TreeMap<Long, Long>[] lv = levels.get(marketId);
        m.put("bids", lv == null ? List.of() : top(lv[0].descendingMap(), max, notional, ml.lotSize()));
        m.put("asks", lv == null ? List.of() : top(lv[1], max, notional, ml.lotSize()));
        m.put("markPrice", ml.markPrice());
        return m;
    }

    /** The side's best levels: at most {@code max}, and with {@code notional} above 0 no more than reach it. */
    private static List<long[]> top(Map<Long, Long> side, int max, long notional, long lotSize) {
        List<long[]> out = new ArrayList<>();
        long reached = 0; // saturating: a level's notional can pass 64 bits, and then the notional is reached
        for (var e : side.entrySet()) {
            if (out.size() == max || notional > 0 && reached >= notional) break;
            out.add(new long[] {e.getKey(), e.getValue()});
            long lots = e.getValue() / lotSize;
            long level = Math.multiplyHigh(lots, e.getKey()) != 0 || lots * e.getKey() < 0 ? Long.MAX_VALUE : lots * e.getKey();
            reached = level > Long.MAX_VALUE - reached ? Long.MAX_VALUE : reached + level;
        }
        return out;
    }

    /** An exchange event as a map: its type, its fields that apply, and the order hash beside every book id. */
    private Map<String, Object> eventView(ExchangeEvent e) {
        EventShape shape = fields.computeIfAbsent(e.getClass(), EventShape::of);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", shape.name);
        for (EventField f : shape.fields) {
            Object v = f.read(e);
            if (v == null) continue; // a field that does not apply to this event (a book's reason on an exchange's refusal) is left out
            m.put(f.name, v instanceof Number || v instanceof Boolean ? v
                    : v instanceof Hash32 h ? hashHex(h) // the record's text, made once, when the order has one
                    : v.toString());
            if (f.hashName != null && v instanceof Long id) {
                OrderRecord r = byId.get(id);
                if (r != null) {
                    m.put(f.hashName, r.hashHex);
                    m.put(f.traderName, r.traderHex);
                    m.putIfAbsent("market", MarketIds.json(r.order.marketId()));
                }
            }
        }
        if (e instanceof ExchangeEvent.Filled f) {
            // the market channel's trades: which side took (the taker's order is another trader's, unknown to the reader)
            OrderRecord taker = byId.get(f.takerOrderId());
            if (taker != null) m.put("takerSide", taker.order.side().name());
            // and what each side paid, so an order's reply tells its trader the fee without a read of the account
            if (m.get("market") instanceof Number market) putFees(m, MarketIds.of(market), f.size(), f.price());
        }
        return m;
    }

    /** An event type's name and fields, worked out once per type. */
    private record EventShape(String name, EventField[] fields) {
        static EventShape of(Class<?> type) {
            RecordComponent[] cs = type.getRecordComponents();
            EventField[] fs = new EventField[cs.length];
            for (int i = 0; i < cs.length; i++) fs[i] = EventField.of(cs[i]);
            return new EventShape(type.getSimpleName(), fs);
        }
    }

    /**
     * One field of an event: its accessor as a method handle (reflection's {@code Method.invoke} on
     * every field of every event was half of the view's time), and for a field naming an order by
     * book id ({@code orderId}, {@code makerOrderId}, ...) the names of the hash and trader fields
     * added beside it ({@code orderHash}/{@code trader}, {@code makerOrderHash}/{@code makerTrader}).
     */
    private record EventField(String name, java.lang.invoke.MethodHandle accessor, String hashName, String traderName) {
        static EventField of(RecordComponent c) {
            String name = c.getName();
            java.lang.invoke.MethodHandle h;
            try {
                h = java.lang.invoke.MethodHandles.publicLookup().unreflect(c.getAccessor())
                        .asType(java.lang.invoke.MethodType.methodType(Object.class, Object.class));
            } catch (IllegalAccessException ex) {
                throw new IllegalStateException("event field " + name + " cannot be read", ex);
            }
            boolean namesOrder = name.endsWith("rderId");
            return new EventField(name, h,
                    namesOrder ? name.replace("Id", "Hash") : null,
                    namesOrder ? name.replace("OrderId", "").replace("orderId", "") + (name.equals("orderId") ? "trader" : "Trader") : null);
        }

        Object read(Object event) {
            try {
                return (Object) accessor.invokeExact(event);
            } catch (Throwable t) {
                throw new IllegalStateException("reading event field " + name + " failed", t);
            }
        }
    }
}
