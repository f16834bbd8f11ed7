package dev.clearline.conformance.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.state.WithdrawalLeaf;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.MemoryLeafStore;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.tree.Bytes32;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Random and adversarial cases: a random pre-state (several markets, owners with balances and
 * positions near every boundary, posted, filled, expired, cancelled and tombstoned orders, filler
 * leaves) and a transition of a random type whose fields are drawn mostly from that state, so most
 * checks of every rule are met and each one fails in some cases (wrong signer, high-s twin, bad
 * nonce, wrong priority index, amounts at 0 / the balance / 2^63-1, funding extremes, ...).
 * Everything comes from the seed.
 */
public final class CaseGenerator {
    static final long MAX = Long.MAX_VALUE;
    private static final BigInteger N = new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);
    private static final int[] MARKET_IDS = {1, 2, 7, 0x7fffffff, 0xffffffff};

    private final Eip712 domain;
    private final List<Signer> traders = new ArrayList<>();
    private final List<Signer> oracles = new ArrayList<>();

    public CaseGenerator(Eip712 domain) {
        this.domain = domain;
        this.stf = new Stf(domain, new BouncyCastleVerifier());
        for (int i = 1; i <= 6; i++) traders.add(new Signer(BigInteger.valueOf(0x7ade0000L + i)));
        for (int i = 1; i <= 2; i++) oracles.add(new Signer(BigInteger.valueOf(0x04ac1e00L + i)));
    }

    /** A world the transition is drawn from: the pre-state leaves plus what the generator knows of them. */
    private final class World {
        final Random r;
        final TreeMap<Bytes32, byte[]> leaves = new TreeMap<>();
        final List<Integer> markets = new ArrayList<>();
        final List<MarketLeaf> marketLeaves = new ArrayList<>();
        final List<Hash32> orderHashes = new ArrayList<>();
        final List<OrderLeaf> orderLeaves = new ArrayList<>();
        final List<Long> orderIds = new ArrayList<>();
        final List<Address> orderOwners = new ArrayList<>();
        long nextId = 1;

        /** Posts an order leaf under a fresh short id and its hash; returns the id. */
        long post(Hash32 h, OrderLeaf leaf) {
            long id = nextId++;
            put(StateKeys.order(Bytes32.of(h.bytes())), OrderHashLeaf.posted(id, leaf.marketId(), leaf.expiry()).encode());
            put(StateKeys.orderState(id), leaf.encode());
            return id;
        }
        final List<Order> orders = new ArrayList<>();
        GlobalLeaf global;

        World(Random r) {
            this.r = r;
        }

        void put(Bytes32 key, byte[] value) {
            leaves.put(key, value);
        }
    }

    public StepCase generate(long seed) {
        Random r = new Random(seed);
        World w = new World(r);
        buildState(w);
        Transition t = transition(w);
        byte[] bytes = TransitionCodec.encode(t);
        if (r.nextInt(15) == 0) bytes = malform(r, bytes);
        return new StepCase(seed, w.leaves, bytes, r.nextInt(4));
    }

    /**
     * A fill both orders can take: one sane market, a resting maker and a crossing taker of two
     * different traders, live and unexpired, on positions the fill opens, reduces, closes or flips,
     * and now and then reduce-only. In random states most fills end at a check before the margins
     * (about one in twelve applies); these reach the margin checks, and half put one side's quote
     * exactly at the edge of what its check allows, or one below ({@link #atMarginEdge}), one in six
     * at the top of int64, where the fill's arithmetic overflows ({@link #atInt64Edge}).
     */
    public StepCase generateFill(long seed) {
        Random r = new Random(seed);
        World w = new World(r);
        int id = MARKET_IDS[r.nextInt(3)];
        long lot = pick(r, 1, 10, 1000), tick = pick(r, 1, 5, 100);
        int mmf = 1 + r.nextInt(100_000);
        int imf = Math.min(1_000_000, mmf + 1 + r.nextInt(200_000));
        // one market in ten marked at the top of int64: pegged prices and notionals overflow there
        boolean topMark = r.nextInt(10) == 0;
        long mark = topMark ? (MAX / tick - r.nextInt(3)) * tick : tick * (1 + r.nextInt(5000));
        MarketLeaf m = new MarketLeaf(tick, lot, imf, mmf, r.nextInt(3) * 500, r.nextInt(3) * 700, Math.min(mmf, r.nextInt(3) * 2_000),
                oracles.get(0).address(), mark, r.nextInt(2001) - 1000, 1_000, r.nextInt(1000));
        w.markets.add(id);
        w.marketLeaves.add(m);
        w.put(StateKeys.market(id & 0xffffffffL), m.encode());
        int makerIndex = r.nextInt(traders.size());
        Signer makerSigner = traders.get(makerIndex), takerSigner = traders.get((makerIndex + 1 + r.nextInt(traders.size() - 1)) % traders.size());
        long lots = 1 + r.nextInt(20);
        boolean makerBuys = r.nextBoolean();
        long price = topMark ? mark : Math.max(tick, mark + tick * (r.nextInt(201) - 100));
        // one maker in three pegged to the mark: its price is worked out at the fill (PegPrice), at its edges
        // too: a buy pegged to exactly one tick, or to nothing, and a sell on the tick grid above its limit
        boolean pegged = r.nextInt(3) == 0;
        int offset = !pegged ? 0 : pegOffset(r, mark, tick);
        long high = (MAX / 4 / tick) * tick;
        long makerLimit = !pegged ? price : makerBuys ? high : tick;
        Order maker = new Order(makerSigner.address(), id, makerBuys ? Side.BUY : Side.SELL, makerLimit, lots * lot, 0, TimeInForce.GTC,
                r.nextInt(4) == 0 ? Order.REDUCE_ONLY : 0, pegged ? Peg.MARK : Peg.NONE, offset, 0, r.nextInt(1000), 0);
        // and one taker in three: its limit is then its pegged price at the mark
        boolean takerPegged = r.nextInt(3) == 0;
        long takerPrice = pegged || takerPegged ? (makerBuys ? tick : high)
                : r.nextBoolean() ? price : (makerBuys ? tick : price >= high ? high : Math.min(high, price + tick * 50));
        Order taker = new Order(takerSigner.address(), id, makerBuys ? Side.SELL : Side.BUY, takerPrice,
                lots * lot, 0, r.nextInt(4) == 0 ? TimeInForce.IOC : TimeInForce.GTC, r.nextInt(4) == 0 ? Order.REDUCE_ONLY : 0,
                takerPegged ? Peg.MARK : Peg.NONE, takerPegged ? pegOffset(r, mark, tick) : 0, 0, r.nextInt(1000), 0);
        long makerId = w.post(domain.orderDigest(maker), leafOf(maker, 0));
        // a taker sometimes part filled already (by an earlier fill of the batch): what is left bounds this fill
        long takerId = w.post(domain.orderDigest(taker), leafOf(taker, r.nextInt(3) == 0 ? lot * r.nextInt((int) lots) : 0));
        long size = lot * (1 + r.nextInt((int) lots));
        long index = m.fundingIndex();
        for (Order o : List.of(maker, taker)) {
            Bytes32 key = StateKeys.position(o.trader(), id & 0xffffffffL);
            switch (r.nextInt(4)) {
                case 0 -> { } // no position yet
                case 1 -> w.put(key, new PositionLeaf(0, r.nextInt(1_000_000_000), index).encode());
                default -> w.put(key, positionTheFillMeets(r, m, size, o.isBuy(), index).encode());
            }
        }
        Transition t = new Transition.Trade(makerId, takerId, size);
        Bytes32 side = StateKeys.position((r.nextBoolean() ? maker : taker).trader(), id & 0xffffffffL);
        switch (r.nextInt(6)) {
            case 0, 1 -> { } // quotes as drawn
            case 2 -> atInt64Edge(w, t, side, r.nextBoolean());
            default -> atMarginEdge(w, t, side, r.nextBoolean());
        }
        return new StepCase(seed, w.leaves, TransitionCodec.encode(t), 0);
    }

    /**
     * A release or an allocation whose amount is the greatest the Java STF applies, or one more: an
     * open position's release down to exactly its initial requirement at the mark (after its funding
     * settles), a flat one's to its last unit, an allocation of the whole free balance or up to where
     * the position's quote leaves int64. Random states meet these edges only by luck; here half the
     * cases sit on one and half one past it. The edge is found by bisection over the amount with a
     * probing STF that takes the owner's signature on trust (re-signing every probe would cost a
     * signature each); the case itself carries the owner's real signature.
     */
    public StepCase generateMarginMove(long seed) {
        Random r = new Random(seed);
        World w = new World(r);
        int id = MARKET_IDS[r.nextInt(MARKET_IDS.length)];
        long lot = pick(r, 1, 10, 1000, 1_000_000), tick = pick(r, 1, 5, 100);
        int mmf = 1 + r.nextInt(200_000);
        int imf = r.nextInt(10) == 0 ? 1_000_000 : Math.min(1_000_000, mmf + 1 + r.nextInt(300_000));
        long mark = switch (r.nextInt(10)) {
            case 0 -> 0; // no price yet: an open position releases nothing
            case 1 -> (MAX / tick - r.nextInt(3)) * tick; // notionals overflow
            default -> tick * (1 + r.nextInt(5000));
        };
        long index = r.nextInt(3) == 0 ? 0 : r.nextInt(2_000_001) - 1_000_000;
        MarketLeaf m = new MarketLeaf(tick, lot, imf, mmf, r.nextInt(3) * 500, r.nextInt(3) * 700, Math.min(mmf, r.nextInt(3) * 2_000),
                oracles.get(0).address(), mark, index, 1_000, r.nextInt(1000));
        w.markets.add(id);
        w.marketLeaves.add(m);
        w.put(StateKeys.market(id & 0xffffffffL), m.encode());
        Signer owner = traders.get(r.nextInt(traders.size()));
        boolean funded = r.nextInt(10) > 0; // without a balance leaf the nonce is 0
        long nonce = funded ? r.nextInt(4) : 0;
        if (funded) {
            w.put(StateKeys.balance(owner.address()), new BalanceLeaf(pickOr(r, r.nextInt(100_000_000), 0, MAX - r.nextInt(1000)), nonce).encode());
        }
        if (r.nextInt(8) > 0) {
            long lots = switch (r.nextInt(6)) {
                case 0, 1 -> 0;
                case 2 -> (r.nextBoolean() ? 1 : -1) * (MAX / lot / (1 + r.nextInt(1000)));
                default -> r.nextInt(201) - 100;
            };
            long quote = pickOr(r, r.nextInt(1_000_000_000), 0, MAX - r.nextInt(1000), -(long) r.nextInt(1_000_000));
            long positionIndex = r.nextBoolean() ? index : index + r.nextInt(2001) - 1000;
            w.put(StateKeys.position(owner.address(), id & 0xffffffffL), new PositionLeaf(lots * lot, quote, positionIndex).encode());
        }
        boolean allocate = r.nextInt(3) == 0;
        long amount = 1 + r.nextInt(10_000_000);
        long edge = edgeAmount(w, owner, allocate, id, nonce);
        if (edge >= 0) amount = edge == MAX || r.nextBoolean() ? edge : edge + 1;
        Hash32 digest = allocate ? domain.allocateDigest(owner.address(), id, amount, nonce)
                : domain.releaseDigest(owner.address(), id, amount, nonce);
        Transition t = marginMove(allocate, owner.address(), id, amount, nonce, owner.sign(digest));
        return new StepCase(seed, w.leaves, TransitionCodec.encode(t), 0);
    }

    /**
     * The greatest amount of a release or allocation the Java STF applies in {@code w} (MAX when every amount
     * does), or -1 when not even 1 does: a bisection over the amount with a probing STF that takes the owner's
     * signature on trust (re-signing every probe would cost a signature each).
     */
    private long edgeAmount(World w, Signer owner, boolean allocate, int id, long nonce) {
        Signature onTrust = owner.sign(Hash32.ZERO);
        Stf probe = new Stf(domain, (digest, signature) -> owner.address());
        java.util.function.LongPredicate applies = amount ->
                probe.apply(storeOf(w), marginMove(allocate, owner.address(), id, amount, nonce, onTrust), 0).applied();
        if (!applies.test(1)) return -1;
        long lo = 1, hi = MAX; // lo applies, hi is refused (or is MAX and applies too)
        if (applies.test(hi)) return MAX;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (applies.test(mid)) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    private static Transition marginMove(boolean allocate, Address owner, int id, long amount, long nonce, Signature sig) {
        return allocate ? new Transition.Allocate(owner, id, amount, nonce, sig) : new Transition.Release(owner, id, amount, nonce, sig);
    }

    private static MemoryLeafStore storeOf(World w) {
        MemoryLeafStore store = new MemoryLeafStore();
        List<LeafStore.Write> writes = new ArrayList<>();
        w.leaves.forEach((k, v) -> writes.add(new LeafStore.Write(k.toArray(), v)));
        store.putAll(writes);
        return store;
    }

    /** A peg offset in ticks: one that puts a buy at exactly one tick, one that puts it at zero, one that leaves int64 above a top mark, or a small one. */
    private static int pegOffset(Random r, long mark, long tick) {
        return switch (r.nextInt(4)) {
            case 0 -> (int) Math.max(Integer.MIN_VALUE, 1 - mark / tick);
            case 1 -> (int) Math.max(Integer.MIN_VALUE, -(mark / tick));
            case 2 -> Integer.MAX_VALUE;
            default -> r.nextInt(21) - 10;
        };
    }

    private static OrderLeaf leafOf(Order o, long filled) {
        return new OrderLeaf(o.trader(), o.marketId(), o.isBuy(), o.price(), o.size(), o.flags(), o.peg(), o.pegOffset(), o.timeInForce(),
                o.expiry(), 0, filled, false);
    }

    // ---------------------------------------------------------------- state

    private void buildState(World w) {
        Random r = w.r;
        int marketCount = r.nextInt(4);
        for (int i = 0; i < marketCount; i++) addMarket(w);
        for (Signer s : traders) {
            if (r.nextInt(5) == 0) continue;
            long free = switch (r.nextInt(6)) {
                case 0 -> 0;
                case 1 -> MAX;
                case 2 -> MAX - r.nextInt(1000);
                default -> r.nextInt(100_000_000);
            };
            w.put(StateKeys.balance(s.address()), new BalanceLeaf(free, r.nextInt(4)).encode());
            for (int m = 0; m < w.markets.size(); m++) {
                if (r.nextInt(3) == 0) continue;
                w.put(StateKeys.position(s.address(), w.markets.get(m) & 0xffffffffL),
                        position(r, w.marketLeaves.get(m)).encode());
            }
        }
        if (!w.markets.isEmpty() && r.nextBoolean()) {
            int m = r.nextInt(w.markets.size());
            w.put(StateKeys.position(Address.INSURANCE_FUND, w.markets.get(m) & 0xffffffffL), position(r, w.marketLeaves.get(m)).encode());
        }
        int orderCount = w.markets.isEmpty() ? r.nextInt(2) : r.nextInt(7);
        for (int i = 0; i < orderCount; i++) addOrder(w);
        long ordersPosted = switch (r.nextInt(12)) {
            case 0 -> GlobalLeaf.MAX_ORDER_ID;
            case 1 -> w.nextId + 5;
            default -> w.nextId - 1;
        };
        w.global = r.nextInt(8) == 0 ? null : new GlobalLeaf(r.nextInt(5), r.nextInt(5), randomHash(r), r.nextInt(3), ordersPosted);
        if (w.global != null) w.put(StateKeys.global(), w.global.encode());
        if (w.global != null && w.global.nextWithdrawalId() > 0 && r.nextBoolean()) {
            w.put(StateKeys.withdrawal(w.global.nextWithdrawalId() - 1), new WithdrawalLeaf(traders.get(0).address(), 5).encode());
        }
        int fillers = r.nextInt(4) == 0 ? 0 : r.nextInt(48);
        if (w.leaves.isEmpty()) fillers = Math.max(fillers, 1); // the tree of a case has at least one version
        for (int i = 0; i < fillers; i++) {
            byte[] k = new byte[32];
            r.nextBytes(k);
            byte[] v = new byte[32 + 32 * r.nextInt(3)];
            r.nextBytes(v);
            w.put(Bytes32.of(k), v);
        }
    }

    /** Adds a market under an id the world does not have yet (none when the draw repeats one). */
    private void addMarket(World w) {
        Random r = w.r;
        int id = MARKET_IDS[r.nextInt(MARKET_IDS.length)];
        if (w.markets.contains(id)) return;
        long lot = pick(r, 1, 10, 1000, 1_000_000);
        long tick = pick(r, 1, 5, 100, 10_000);
        int mmf = 1 + r.nextInt(200_000);
        int imf = r.nextInt(10) == 0 ? 1_000_000 : Math.min(1_000_000, mmf + 1 + r.nextInt(300_000));
        long mark = r.nextInt(6) == 0 ? 0 : pickOr(r, tick * (1 + r.nextInt(5000)), 1, MAX / 2, MAX);
        long index = switch (r.nextInt(8)) {
            case 0 -> MAX;
            case 1 -> -MAX;
            case 2 -> Long.MIN_VALUE;
            case 3, 4 -> 0;
            default -> r.nextInt(2_000_001) - 1_000_000;
        };
        long ts = r.nextInt(5) == 0 ? 0 : 1_000 + r.nextInt(10_000);
        MarketLeaf m = new MarketLeaf(tick, lot, imf, mmf, r.nextInt(3) * 500, r.nextInt(3) * 700, Math.min(mmf, r.nextInt(3) * 2_000),
                oracles.get(r.nextInt(oracles.size())).address(), mark, index, ts,
                r.nextInt(10) == 0 ? MAX - r.nextInt(3) : r.nextInt(1_000_000));
        w.markets.add(id);
        w.marketLeaves.add(m);
        w.put(StateKeys.market(id & 0xffffffffL), m.encode());
    }

    private PositionLeaf position(Random r, MarketLeaf m) {
        long lots = switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> MAX / m.lotSize();
            case 2 -> -(MAX / m.lotSize());
            default -> r.nextInt(201) - 100;
        };
        long quote = switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> MAX - r.nextInt(100);
            case 2 -> -MAX + r.nextInt(100);
            case 3 -> -(long) r.nextInt(1_000_000);
            default -> r.nextInt(1_000_000_000);
        };
        long index = r.nextInt(3) == 0 ? m.fundingIndex() : (r.nextInt(6) == 0 ? (r.nextBoolean() ? MAX : -MAX) : r.nextInt(2001) - 1000);
        return new PositionLeaf(lots * m.lotSize(), quote, index);
    }

    private void addOrder(World w) {
        Random r = w.r;
        Signer trader = traders.get(r.nextInt(traders.size()));
        if (w.markets.isEmpty() || r.nextInt(10) == 0) {
            Hash32 h = randomHash(r);
            w.orderHashes.add(h);
            w.orderLeaves.add(null);
            w.orders.add(null);
            w.orderIds.add(0L);
            w.orderOwners.add(trader.address());
            w.put(StateKeys.order(Bytes32.of(h.bytes())), OrderHashLeaf.tombstone(trader.address()).encode());
            return;
        }
        int mi = r.nextInt(w.markets.size());
        Order o = order(r, trader, w.markets.get(mi), w.marketLeaves.get(mi), true);
        Hash32 h = domain.orderDigest(o);
        long lots = o.size() / w.marketLeaves.get(mi).lotSize();
        long filled = switch (r.nextInt(6)) {
            case 0 -> o.size();
            case 1 -> (lots / 2) * w.marketLeaves.get(mi).lotSize();
            default -> 0;
        };
        OrderLeaf leaf = new OrderLeaf(o.trader(), o.marketId(), o.isBuy(), o.price(), o.size(), o.flags(), o.peg(), o.pegOffset(),
                o.timeInForce(), o.expiry(), r.nextInt(4), filled, r.nextInt(8) == 0);
        w.orderHashes.add(h);
        w.orderLeaves.add(leaf);
        w.orders.add(o);
        w.orderOwners.add(o.trader());
        w.orderIds.add(w.post(h, leaf));
    }

    /** A mostly valid order in the given market (valid = would pass PostOrder's field checks). */
    private Order order(Random r, Signer trader, int marketId, MarketLeaf m, boolean valid) {
        long lots = r.nextInt(10) == 0 ? MAX / m.lotSize() : 1 + r.nextInt(50);
        long size = lots * m.lotSize();
        long base = m.markPrice() > 0 && m.markPrice() < MAX / 4 ? m.markPrice() : m.tickSize() * (1 + r.nextInt(5000));
        long price = Math.max(m.tickSize(), (base / m.tickSize() + r.nextInt(21) - 10) * m.tickSize());
        if (r.nextInt(20) == 0) price = (MAX / m.tickSize()) * m.tickSize();
        int flags = switch (r.nextInt(8)) {
            case 0 -> Order.POST_ONLY;
            case 1 -> Order.REDUCE_ONLY;
            default -> 0;
        };
        TimeInForce tif = flags == Order.POST_ONLY || r.nextInt(3) > 0 ? TimeInForce.GTC : TimeInForce.values()[r.nextInt(3)];
        long display = switch (r.nextInt(8)) {
            case 0 -> Math.max(m.lotSize(), (lots / 2) * m.lotSize());
            case 1 -> size; // shows all of it: the most an iceberg may show
            default -> 0;
        };
        long expiry = switch (r.nextInt(6)) {
            case 0 -> Math.max(1, m.lastOracleTs() - 1);
            case 1 -> m.lastOracleTs() + 1_000;
            case 2 -> m.lastOracleTs(); // the last moment an order is live: expired only once the oracle's time is past it
            default -> 0;
        };
        long margin = switch (r.nextInt(6)) {
            case 0, 1 -> 0;
            case 2 -> MAX;
            default -> r.nextInt(5_000_000);
        };
        if (!valid) {
            switch (r.nextInt(9)) {
                case 0 -> size = 0;
                case 1 -> price = 0;
                case 2 -> display = plus(size, m.lotSize());
                case 3 -> flags = 8 << r.nextInt(5);
                case 4 -> { flags = Order.MARKET; tif = TimeInForce.GTC; }
                case 5 -> { flags = Order.POST_ONLY; tif = TimeInForce.IOC; }
                case 6 -> price = plus(price, 1);
                case 7 -> size = plus(size, 1);
                default -> display = m.lotSize() > 1 ? 1 : display;
            }
        }
        Peg peg = switch (r.nextInt(6)) {
            case 0 -> Peg.MARK;
            case 1 -> Peg.BOOK;
            default -> Peg.NONE;
        };
        int offset = peg == Peg.NONE && r.nextInt(30) > 0 ? 0 : switch (r.nextInt(6)) {
            case 0 -> Integer.MIN_VALUE;
            case 1 -> Integer.MAX_VALUE;
            default -> r.nextInt(41) - 20;
        };
        if (peg != Peg.NONE && (flags & Order.MARKET) != 0 && valid) flags = 0;
        return new Order(trader.address(), marketId, r.nextBoolean() ? Side.BUY : Side.SELL, price, size, display, tif,
                flags, peg, offset, expiry, r.nextInt(1000), margin);
    }

    // ---------------------------------------------------------------- transitions

    private Transition transition(World w) {
        Random r = w.r;
        int pick = 1 + r.nextInt(21);
        if (pick == 14) return deleverage(w);
        if (pick == 20) return pruneOrder(w);
        if (pick == 21) return pruneOrderHash(w);
        return switch (pick > 12 ? 7 : pick) {
            case 1 -> new Transition.Deposit(priorityIndex(w), r.nextInt(1000), owner(w), amount(w, balanceOf(w, null)));
            case 2 -> marketConfig(w);
            case 3 -> new Transition.ForcedWithdrawal(priorityIndex(w), r.nextInt(1000), owner(w), amount(w, 1000));
            case 4 -> new Transition.ForcedCancel(priorityIndex(w), r.nextInt(1000), owner(w), orderHash(w));
            case 5 -> oraclePrice(w);
            case 6 -> postOrder(w);
            case 7 -> trade(w);
            case 8 -> cancel(w);
            case 9, 10 -> marginMove(w, r.nextBoolean());
            case 11 -> withdraw(w);
            default -> liquidate(w);
        };
    }

    /**
     * Half the time a position drawn at the edge of liquidation in a marked market (two in three of
     * them tamed): its quote the greatest with which it can be liquidated, or one more, so that the
     * fee, the fund's take-over and the NOT_LIQUIDATABLE line are all met; else any owner and market.
     */
    private Transition liquidate(World w) {
        Random r = w.r;
        List<Integer> marked = new ArrayList<>();
        for (int i = 0; i < w.markets.size(); i++) if (w.marketLeaves.get(i).markPrice() > 0) marked.add(i);
        if (marked.isEmpty() || r.nextBoolean()) {
            return new Transition.Liquidate(r.nextInt(8) == 0 ? Address.INSURANCE_FUND : owner(w), marketId(w));
        }
        int i = marked.get(r.nextInt(marked.size()));
        int id = w.markets.get(i);
        MarketLeaf m = w.marketLeaves.get(i);
        if (r.nextInt(3) > 0) m = tamed(w, id, m, r);
        Address owner = traders.get(r.nextInt(traders.size())).address();
        Bytes32 key = StateKeys.position(owner, id & 0xffffffffL);
        long lots = (1 + r.nextInt(100)) * (r.nextBoolean() ? 1L : -1L);
        w.put(key, new PositionLeaf(lots * m.lotSize(), 0, m.fundingIndex() == Long.MIN_VALUE ? 0 : m.fundingIndex()).encode());
        Transition t = new Transition.Liquidate(owner, id);
        atLiquidationEdge(w, t, key, r.nextBoolean());
        return t;
    }

    /** A posted order's id most of the time (a deletion, often beside other leaves); else an id with no leaf. */
    private Transition pruneOrder(World w) {
        Random r = w.r;
        List<Long> posted = w.orderIds.stream().filter(id -> id > 0).toList();
        if (!posted.isEmpty() && r.nextInt(4) > 0) return new Transition.PruneOrder(posted.get(r.nextInt(posted.size())));
        return new Transition.PruneOrder(switch (r.nextInt(3)) {
            case 0 -> 0;
            case 1 -> TransitionCodec.U48_MAX;
            default -> w.nextId + r.nextInt(3);
        });
    }

    /**
     * A posted order's hash most of the time (expired or not on its market's clock; an expiry-0
     * order; sometimes its leaf rewritten to name a market or expiry of its own), else a tombstone's
     * or a hash with no leaf.
     */
    private Transition pruneOrderHash(World w) {
        Random r = w.r;
        List<Integer> posted = new ArrayList<>();
        for (int i = 0; i < w.orderIds.size(); i++) if (w.orderIds.get(i) > 0) posted.add(i);
        if (!posted.isEmpty() && r.nextInt(5) > 0) {
            int i = posted.get(r.nextInt(posted.size()));
            Hash32 h = w.orderHashes.get(i);
            if (r.nextInt(4) == 0) {
                int market = r.nextBoolean() || w.markets.isEmpty() ? MARKET_IDS[r.nextInt(MARKET_IDS.length)] : w.markets.get(r.nextInt(w.markets.size()));
                long expiry = switch (r.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> MAX;
                    default -> r.nextInt(12_000);
                };
                w.put(StateKeys.order(Bytes32.of(h.bytes())), OrderHashLeaf.posted(w.orderIds.get(i), market, expiry).encode());
            } else if (r.nextInt(6) == 0) {
                // the long form with expiry 0 (no encoder writes it): both sides read it as never expiring, market 0
                w.put(StateKeys.order(Bytes32.of(h.bytes())), new dev.clearline.engine.abi.AbiWriter(4).uint(w.orderIds.get(i)).address(new byte[20])
                        .uint(1).uint(0).toBytes());
            }
            return new Transition.PruneOrderHash(h);
        }
        if (!w.orderHashes.isEmpty() && r.nextBoolean()) return new Transition.PruneOrderHash(w.orderHashes.get(r.nextInt(w.orderHashes.size())));
        return new Transition.PruneOrderHash(randomHash(r));
    }

    private Transition deleverage(World w) {
        Random r = w.r;
        int id = marketId(w);
        MarketLeaf m = market(w, id);
        long lot = m == null ? 1 : m.lotSize();
        Address cp = r.nextInt(10) == 0 ? Address.INSURANCE_FUND : owner(w);
        if (m != null && r.nextInt(3) > 0) {
            // an underwater fund position and an opposite counterparty
            long lots = 1 + r.nextInt(20);
            long fundSize = (r.nextBoolean() ? lots : -lots) * lot;
            long mark = Math.max(1, m.markPrice());
            long fundQuote = fundSize > 0 ? -(lots * Math.min(mark, MAX / 1000 / lots) + 1 + r.nextInt(1000)) : lots * Math.min(mark, MAX / 1000 / lots) - 1 - r.nextInt(1000);
            long idx = m.fundingIndex() == Long.MIN_VALUE ? 0 : m.fundingIndex();
            w.put(StateKeys.position(Address.INSURANCE_FUND, id & 0xffffffffL), new PositionLeaf(fundSize, fundQuote, idx).encode());
            if (!cp.equals(Address.INSURANCE_FUND)) {
                long cpLots = 1 + r.nextInt(20);
                w.put(StateKeys.position(cp, id & 0xffffffffL), new PositionLeaf((fundSize > 0 ? -cpLots : cpLots) * lot,
                        r.nextInt(2) == 0 ? r.nextInt(1_000_000_000) : -r.nextInt(1_000_000), idx).encode());
            }
        }
        long size = switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> lot + 1;
            default -> lot * (1 + r.nextInt(10));
        };
        return new Transition.Deleverage(id, cp, size);
    }

    private long priorityIndex(World w) {
        long consumed = w.global == null ? 0 : w.global.priorityOpsConsumed();
        return w.r.nextInt(8) == 0 ? consumed + 1 + w.r.nextInt(3) : consumed;
    }

    private Address owner(World w) {
        int k = w.r.nextInt(20);
        if (k == 0) return Address.INSURANCE_FUND;
        if (k == 1) return new Address(new byte[20]);
        return traders.get(w.r.nextInt(traders.size())).address();
    }

    private Signer signer(World w) {
        return traders.get(w.r.nextInt(traders.size()));
    }

    private int marketId(World w) {
        if (w.markets.isEmpty() || w.r.nextInt(10) == 0) return MARKET_IDS[w.r.nextInt(MARKET_IDS.length)];
        return w.markets.get(w.r.nextInt(w.markets.size()));
    }

    private MarketLeaf market(World w, int id) {
        int i = w.markets.indexOf(id);
        return i < 0 ? null : w.marketLeaves.get(i);
    }

    private long balanceOf(World w, Address owner) {
        return w.r.nextInt(100_000_000);
    }

    private long amount(World w, long near) {
        Random r = w.r;
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> MAX;
            case 2 -> Math.max(0, near);
            case 3 -> near >= MAX ? MAX : Math.max(0, near) + 1;
            default -> r.nextInt(10_000_000);
        };
    }

    private Hash32 orderHash(World w) {
        if (w.orderHashes.isEmpty() || w.r.nextInt(6) == 0) return randomHash(w.r);
        return w.orderHashes.get(w.r.nextInt(w.orderHashes.size()));
    }

    private Transition marketConfig(World w) {
        Random r = w.r;
        int id = r.nextInt(10) == 0 ? 0 : marketId(w);
        MarketLeaf existing = market(w, id);
        long lot = existing != null && r.nextInt(5) > 0 ? existing.lotSize() : pick(r, 0, 1, 10, 1000);
        int mmf = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(100_000);
        int imf = switch (r.nextInt(10)) {
            case 0 -> mmf;
            case 1 -> 1_000_001;
            case 2 -> 1_000_000; // the most a market may ask: the whole notional
            default -> Math.min(1_000_000, mmf + 1 + r.nextInt(200_000));
        };
        Address oracle = r.nextInt(10) == 0 ? new Address(new byte[20]) : oracles.get(r.nextInt(oracles.size())).address();
        long tick = r.nextInt(10) == 0 ? 0 : pick(r, 1, 5, 100, 10_000);
        int liquidationFee = switch (r.nextInt(8)) {
            case 0 -> mmf + 1;
            case 1 -> mmf; // the most a liquidation may take
            default -> r.nextInt(Math.max(1, mmf));
        };
        return new Transition.MarketConfig(priorityIndex(w), r.nextInt(1000), id, tick, lot, imf, mmf, feeAtOrNearItsCap(r), feeAtOrNearItsCap(r),
                liquidationFee, oracle);
    }

    private Transition oraclePrice(World w) {
        Random r = w.r;
        int id = marketId(w);
        MarketLeaf m = market(w, id);
        long price = switch (r.nextInt(10)) {
            case 0 -> 0;
            case 1 -> MAX;
            default -> m == null ? 1 + r.nextInt(1_000_000) : m.tickSize() * (1 + r.nextInt(5000));
        };
        long index = switch (r.nextInt(10)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> MAX;
            case 2 -> -MAX;
            default -> r.nextInt(2_000_001) - 1_000_000;
        };
        long last = m == null ? 0 : m.lastOracleTs();
        long ts = r.nextInt(6) == 0 ? Math.max(0, last - r.nextInt(2)) : last + 1 + r.nextInt(100);
        Signer signer = m != null && r.nextInt(8) > 0
                ? oracles.stream().filter(o -> o.address().equals(m.oracle())).findFirst().orElseThrow()
                : oracles.get(r.nextInt(oracles.size()));
        Signature sig = sign(r, signer, domain.oraclePriceDigest(id, price, index, ts));
        return new Transition.OraclePrice(id, price, index, ts, sig);
    }

    private Transition postOrder(World w) {
        Random r = w.r;
        if (!w.orders.isEmpty() && r.nextInt(8) == 0) {
            int i = r.nextInt(w.orders.size());
            Order prior = w.orders.get(i);
            if (prior != null) return new Transition.PostOrder(prior, sign(r, signerOf(prior.trader()), domain.orderDigest(prior)));
        }
        Signer trader = signer(w);
        int id = w.markets.isEmpty() || r.nextInt(4) > 0 ? marketId(w) : w.markets.get(r.nextInt(w.markets.size()));
        MarketLeaf m = market(w, id);
        if (m == null) m = new MarketLeaf(1, 1, 100_000, 50_000, 0, 0, 0, oracles.get(0).address(), 0, 0, 0, 0);
        Order o = order(r, trader, id, m, r.nextInt(4) > 0);
        if (o.peg() == Peg.NONE && o.pegOffset() != 0 && r.nextBoolean()) o = withoutOffset(o);
        Hash32 digest = domain.orderDigest(o);
        if (r.nextInt(6) == 0) {
            // a tombstone under this very order's hash, of this trader or another
            Address who = r.nextBoolean() ? trader.address() : signer(w).address();
            w.put(StateKeys.order(Bytes32.of(digest.bytes())), OrderHashLeaf.tombstone(who).encode());
        }
        if (r.nextInt(3) == 0) {
            w.put(StateKeys.balance(trader.address()), new BalanceLeaf(
                    r.nextBoolean() ? o.margin() : Math.max(0, o.margin() - 1), r.nextInt(3)).encode());
        }
        return new Transition.PostOrder(o, sign(r, trader, digest));
    }

    private Transition trade(World w) {
        Random r = w.r;
        // A state without a posted order (two in five) could only end a fill at the order look-up:
        // give most of them a maker that can trade, and a market for it when there is none.
        if (r.nextInt(5) > 0 && posted(w).isEmpty()) {
            if (w.markets.isEmpty()) addMarket(w);
            addLiveOrder(w);
        }
        List<Integer> posted = posted(w);
        if (!posted.isEmpty() && r.nextInt(5) > 0) {
            // make a crossing pair likely: a fresh taker opposite to a posted maker, with a limit beyond its price;
            // two times in three a maker that can still trade (live, unfilled, resting), so that fills get past
            // the order checks to the prices, the margins and the positions they change
            List<Integer> live = posted.stream().filter(i -> canTrade(w, i)).toList();
            int mi = !live.isEmpty() && r.nextInt(3) > 0 ? live.get(r.nextInt(live.size())) : posted.get(r.nextInt(posted.size()));
            boolean tradeable = live.contains(mi);
            // Book-pegged makers are one posted order in six; prefer them now and then so that
            // TradeAtPrice, which only they can make, is applied often enough to be asserted.
            if (r.nextInt(3) == 0) {
                List<Integer> bookPegged = (tradeable ? live : posted).stream().filter(i -> w.orders.get(i).peg() == Peg.BOOK).toList();
                if (!bookPegged.isEmpty()) mi = bookPegged.get(r.nextInt(bookPegged.size()));
            }
            Order maker = w.orders.get(mi);
            {
                MarketLeaf m = market(w, maker.marketId());
                // Two in three of these fills meet a tame market: the random state's extremes (a funding index
                // at the edge of int64, fees accrued near its top, a mark of half of it) overflow most
                // fills, so those are left to the other third and to the fills run's int64 edges.
                if (tradeable && r.nextInt(3) > 0) m = tamed(w, maker.marketId(), m, r);
                Signer takerSigner = tradeable && r.nextInt(4) > 0 ? otherThan(maker.trader(), r) : signer(w);
                long takerPrice = switch (r.nextInt(4)) {
                    case 0 -> maker.price();
                    default -> maker.isBuy() ? m.tickSize() : (MAX / 2 / m.tickSize()) * m.tickSize();
                };
                TimeInForce takerTif = r.nextInt(6) == 0 ? TimeInForce.IOC : TimeInForce.GTC;
                Order taker = new Order(takerSigner.address(), maker.marketId(), maker.isBuy() ? Side.SELL : Side.BUY,
                        takerPrice, maker.size(), 0, takerTif, switch (r.nextInt(tradeable ? 16 : 8)) { case 0 -> Order.REDUCE_ONLY; case 1 -> Order.POST_ONLY; default -> 0; }, 0, r.nextInt(1000), 0);
                Hash32 th = domain.orderDigest(taker);
                long takerId = w.post(th, new OrderLeaf(taker.trader(), taker.marketId(), taker.isBuy(), taker.price(), taker.size(),
                        taker.flags(), taker.peg(), taker.pegOffset(), taker.timeInForce(), 0, r.nextInt(4), 0, false));
                long remaining = w.orderLeaves.get(mi).remaining();
                long size = r.nextInt(4) == 0 || (tradeable && remaining / m.lotSize() > 1_000) ? m.lotSize() * (1 + r.nextInt(3)) : Math.max(0, remaining);
                Bytes32 takerPosition = StateKeys.position(taker.trader(), taker.marketId() & 0xffffffffL);
                long index = m.fundingIndex() == Long.MIN_VALUE ? 0 : m.fundingIndex();
                switch (r.nextInt(4)) {
                    case 0 -> { if (tradeable) w.leaves.remove(takerPosition); } // a fresh account: no position leaf
                    case 1 -> w.put(takerPosition, new PositionLeaf(0, r.nextInt(1_000_000_000), index).encode());
                    default -> w.put(takerPosition, positionTheFillMeets(r, m, size, taker.isBuy(), index).encode());
                }
                if (tradeable && r.nextInt(3) > 0) {
                    // two times in three the maker's position is one the fill meets, not the random state's (extreme half the time)
                    w.put(StateKeys.position(maker.trader(), maker.marketId() & 0xffffffffL),
                            positionTheFillMeets(r, m, size, maker.isBuy(), index).encode());
                }
                Transition t;
                if (maker.peg() == Peg.BOOK ? r.nextInt(4) > 0 : r.nextInt(tradeable ? 12 : 4) == 0) {
                    long price = switch (r.nextInt(6)) {
                        case 0 -> 0;
                        case 1 -> maker.price() + 1;
                        case 2 -> maker.isBuy() ? maker.price() + m.tickSize() : Math.max(0, maker.price() - m.tickSize());
                        default -> maker.price();
                    };
                    t = new Transition.TradeAtPrice(w.orderIds.get(mi), takerId, size, Math.max(0, price));
                } else {
                    t = new Transition.Trade(w.orderIds.get(mi), takerId, size);
                }
                // now and then one side's quote right at the edge of what the fill's margin check allows, or one below
                if (r.nextInt(tradeable ? 2 : 3) == 0) {
                    Bytes32 side = r.nextBoolean() ? takerPosition : StateKeys.position(maker.trader(), maker.marketId() & 0xffffffffL);
                    atMarginEdge(w, t, side, r.nextBoolean());
                }
                return t;
            }
        }
        long maker = orderId(w);
        long taker = orderId(w);
        long lot = w.marketLeaves.isEmpty() ? 1 : w.marketLeaves.get(r.nextInt(w.marketLeaves.size())).lotSize();
        long size = switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> lot + 1;
            case 2 -> MAX;
            default -> lot * (1 + r.nextInt(50));
        };
        if (r.nextInt(5) == 0) return new Transition.TradeAtPrice(maker, taker, size, r.nextInt(3) == 0 ? 0 : r.nextInt(100_000));
        return new Transition.Trade(maker, taker, size);
    }

    private static List<Integer> posted(World w) {
        List<Integer> posted = new ArrayList<>();
        for (int i = 0; i < w.orders.size(); i++) if (w.orders.get(i) != null) posted.add(i);
        return posted;
    }

    /** A posted order a fill could take as its maker: not cancelled or expired, something left, resting (GTC), in a marked market. */
    private boolean canTrade(World w, int i) {
        OrderLeaf o = w.orderLeaves.get(i);
        MarketLeaf m = market(w, o.marketId());
        return !o.cancelled() && o.remaining() > 0 && o.timeInForce() == TimeInForce.GTC
                && (o.expiry() == 0 || o.expiry() >= m.lastOracleTs()) && m.markPrice() > 0;
    }

    /** Rewrites market {@code id}'s leaf with its extremes brought into range: funding index, fees accrued, mark. */
    private MarketLeaf tamed(World w, int id, MarketLeaf m, Random r) {
        long index = Math.abs(m.fundingIndex()) < 1_000_000_000L ? m.fundingIndex() : r.nextInt(2_000_001) - 1_000_000;
        long fees = m.feesAccrued() < 1L << 40 ? m.feesAccrued() : r.nextInt(1_000_000);
        long mark = m.markPrice() < 1L << 40 ? m.markPrice() : m.tickSize() * (1 + r.nextInt(5000));
        MarketLeaf t = new MarketLeaf(m.tickSize(), m.lotSize(), m.imfPpm(), m.mmfPpm(), m.makerFeePpm(), m.takerFeePpm(), m.liquidationFeePpm(),
                m.oracle(), mark, index, m.lastOracleTs(), fees);
        w.marketLeaves.set(w.markets.indexOf(id), t);
        w.put(StateKeys.market(id & 0xffffffffL), t.encode());
        return t;
    }

    /** Posts a valid, resting, unfilled order of a random trader in one of the world's markets. */
    private void addLiveOrder(World w) {
        Random r = w.r;
        Signer trader = traders.get(r.nextInt(traders.size()));
        int mi = r.nextInt(w.markets.size());
        MarketLeaf m = w.marketLeaves.get(mi);
        Order drawn = order(r, trader, w.markets.get(mi), m, true);
        int flags = drawn.flags() & ~Order.MARKET;
        Order o = new Order(drawn.trader(), drawn.marketId(), drawn.side(), drawn.price(), drawn.size(), drawn.displaySize(), TimeInForce.GTC,
                flags, drawn.peg(), drawn.pegOffset(), r.nextBoolean() ? 0 : m.lastOracleTs() + 1_000, drawn.nonce(), drawn.margin());
        Hash32 h = domain.orderDigest(o);
        OrderLeaf leaf = leafOf(o, 0);
        w.orderHashes.add(h);
        w.orderLeaves.add(leaf);
        w.orders.add(o);
        w.orderOwners.add(o.trader());
        w.orderIds.add(w.post(h, leaf));
    }

    private Signer otherThan(Address trader, Random r) {
        List<Signer> others = traders.stream().filter(s -> !s.address().equals(trader)).toList();
        return others.get(r.nextInt(others.size()));
    }

    private static Order withoutOffset(Order o) {
        return new Order(o.trader(), o.marketId(), o.side(), o.price(), o.size(), o.displaySize(), o.timeInForce(), o.flags(),
                Peg.NONE, 0, o.expiry(), o.nonce(), o.margin());
    }

    private long orderId(World w) {
        Random r = w.r;
        return switch (r.nextInt(10)) {
            case 0 -> 0;
            case 1 -> w.nextId + r.nextInt(3);
            case 2 -> TransitionCodec.U48_MAX;
            default -> w.orderIds.isEmpty() ? 1 : w.orderIds.get(r.nextInt(w.orderIds.size()));
        };
    }

    private Transition cancel(World w) {
        Random r = w.r;
        Hash32 h = orderHash(w);
        int i = w.orderHashes.indexOf(h);
        Signer owner = i >= 0 && r.nextInt(4) > 0 ? signerOf(w.orderOwners.get(i)) : signer(w);
        return new Transition.Cancel(owner.address(), h, sign(r, owner, domain.cancelDigest(owner.address(), h)));
    }

    private Transition marginMove(World w, boolean allocate) {
        Random r = w.r;
        Signer owner = signer(w);
        long nonce = nonceOf(w, owner.address());
        int id = marketId(w);
        // an allocation is drawn near the free balance; a release near the position's quote (all of a flat one's is the edge);
        // one in three at the greatest amount the Java STF applies in this state, or one more, where random amounts never land
        long edge = r.nextInt(3) == 0 ? edgeAmount(w, owner, allocate, id, nonce) : -1;
        long amount = edge >= 0 ? (edge == MAX || r.nextBoolean() ? edge : edge + 1)
                : amount(w, allocate ? freeOf(w, owner.address()) : quoteOf(w, owner.address(), id));
        Hash32 digest = allocate ? domain.allocateDigest(owner.address(), id, amount, nonce)
                : domain.releaseDigest(owner.address(), id, amount, nonce);
        Signature sig = sign(r, owner, digest);
        return allocate ? new Transition.Allocate(owner.address(), id, amount, nonce, sig)
                : new Transition.Release(owner.address(), id, amount, nonce, sig);
    }

    private Transition withdraw(World w) {
        Random r = w.r;
        Signer owner = signer(w);
        long nonce = nonceOf(w, owner.address());
        long amount = amount(w, freeOf(w, owner.address()));
        // one in eight to the zero address, which L1 could never pay (BAD_RECIPIENT)
        Address recipient = r.nextInt(8) == 0 ? Address.ZERO : r.nextBoolean() ? owner.address() : signer(w).address();
        return new Transition.Withdraw(owner.address(), recipient, amount, nonce,
                sign(r, owner, domain.withdrawDigest(owner.address(), recipient, amount, nonce)));
    }

    private long nonceOf(World w, Address owner) {
        byte[] v = w.leaves.get(StateKeys.balance(owner));
        long nonce = v == null ? 0 : BalanceLeaf.decode(v).nonce();
        return w.r.nextInt(8) == 0 ? nonce + 1 + w.r.nextInt(3) : nonce;
    }

    private long quoteOf(World w, Address owner, int marketId) {
        byte[] v = w.leaves.get(StateKeys.position(owner, marketId & 0xffffffffL));
        return v == null ? 0 : PositionLeaf.decode(v).quote();
    }

    private long freeOf(World w, Address owner) {
        byte[] v = w.leaves.get(StateKeys.balance(owner));
        return v == null ? 0 : BalanceLeaf.decode(v).free();
    }

    private Signer signerOf(Address a) {
        for (Signer s : traders) if (s.address().equals(a)) return s;
        return traders.get(0);
    }

    /** A signature by {@code signer}, or (one case in eight) an adversarial one. */
    private Signature sign(Random r, Signer signer, Hash32 digest) {
        Signature good = signer.sign(digest);
        if (r.nextInt(8) > 0) return good;
        byte[] e = good.encoded();
        switch (r.nextInt(7)) {
            case 0 -> { // the high-s twin: the same point, refused as non-canonical
                BigInteger s = N.subtract(new BigInteger(1, good.s()));
                System.arraycopy(toWord(s), 0, e, 32, 32);
                e[64] = (byte) (good.v() == 27 ? 28 : 27);
            }
            case 1 -> e[64] = (byte) (r.nextBoolean() ? 0 : 29);
            case 2 -> System.arraycopy(new byte[32], 0, e, 0, 32);
            case 3 -> System.arraycopy(toWord(N), 0, e, 0, 32);
            case 4 -> { // another signer: a valid signature of the wrong key
                return traders.get((traders.indexOf(signer) + 1 + r.nextInt(traders.size() - 1)) % traders.size()).sign(digest);
            }
            case 5 -> e[r.nextInt(64)] ^= (byte) (1 + r.nextInt(255));
            default -> e[64] = (byte) (good.v() == 27 ? 28 : 27);
        }
        return new Signature(e);
    }

    /** A maker or taker fee: one over the 10 % cap, the cap itself, or an ordinary one. */
    private static int feeAtOrNearItsCap(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> 100_001;
            case 1 -> 100_000;
            default -> r.nextInt(1000);
        };
    }

    // ---------------------------------------------------------------- margin edges

    /**
     * A position a fill of {@code size} on the given side meets: on the other side, so the fill
     * closes it exactly, reduces it (twice the fill) or flips it (half the fill), its quote about its
     * value at the mark, so its equity sits near the margin lines.
     */
    private static PositionLeaf positionTheFillMeets(Random r, MarketLeaf m, long size, boolean fillBuys, long index) {
        long lots = Math.max(1, size / m.lotSize());
        long held = switch (r.nextInt(3)) {
            case 0 -> lots;
            case 1 -> lots * 2;
            default -> Math.max(1, lots / 2);
        };
        if (held > MAX / 4 / m.lotSize()) held = 1;
        long signedSize = (fillBuys ? -held : held) * m.lotSize();
        long value;
        try {
            value = Math.multiplyExact(fillBuys ? -held : held, m.markPrice());
        } catch (ArithmeticException e) {
            value = 0;
        }
        long quote = -value + (r.nextInt(2001) - 1000);
        return new PositionLeaf(signedSize, quote, index);
    }

    private final Stf stf;

    /**
     * Sets the quote of the position at {@code key} (created flat if absent) to the least with which
     * the Java STF applies {@code t}, or one less ({@code below}), found by bisection: a margin check's
     * exact edge, where random quotes never land. Left as it is when the step does not turn on the
     * quote (refused or applied whatever it holds).
     */
    private void atMarginEdge(World w, Transition t, Bytes32 key, boolean below) {
        byte[] held = w.leaves.get(key);
        PositionLeaf p = held == null ? new PositionLeaf(0, 0, 0) : PositionLeaf.decode(held);
        long lo = -MAX / 2, hi = MAX / 2;
        if (appliesWith(w, t, key, p, lo) || !appliesWith(w, t, key, p, hi)) return;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (appliesWith(w, t, key, p, mid)) hi = mid;
            else lo = mid;
        }
        w.put(key, new PositionLeaf(p.size(), below ? lo : hi, p.fundingIndex()).encode());
    }

    /**
     * Sets the quote of the position at {@code key} to the greatest with which the Java STF liquidates
     * it ({@code t}), or one more ({@code past}): equity exactly below maintenance, or at it. Left as
     * it is when the step does not turn on the quote (the fund's position overflows either way).
     */
    private void atLiquidationEdge(World w, Transition t, Bytes32 key, boolean past) {
        PositionLeaf p = PositionLeaf.decode(w.leaves.get(key));
        long lo = -MAX / 2, hi = MAX / 2;
        if (!appliesWith(w, t, key, p, lo) || appliesWith(w, t, key, p, hi)) return;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (appliesWith(w, t, key, p, mid)) lo = mid;
            else hi = mid;
        }
        w.put(key, new PositionLeaf(p.size(), past ? hi : lo, p.fundingIndex()).encode());
    }

    /**
     * Sets the quote of the position at {@code key} to the greatest with which the Java STF applies
     * {@code t}, or one more ({@code above}): where the equity after the fill (or its quote) leaves
     * int64 and the step turns to OVERFLOW. Left as it is when the step does not turn on it.
     */
    private void atInt64Edge(World w, Transition t, Bytes32 key, boolean above) {
        byte[] held = w.leaves.get(key);
        PositionLeaf p = held == null ? new PositionLeaf(0, 0, 0) : PositionLeaf.decode(held);
        long lo = Long.MIN_VALUE, hi = MAX;
        for (long start : new long[] {p.quote(), 0, MAX / 4, MAX / 2, MAX - MAX / 8}) {
            if (start >= 0 && appliesWith(w, t, key, p, start)) {
                lo = start;
                break;
            }
        }
        if (lo == Long.MIN_VALUE || appliesWith(w, t, key, p, hi)) return;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (appliesWith(w, t, key, p, mid)) lo = mid;
            else hi = mid;
        }
        w.put(key, new PositionLeaf(p.size(), above ? hi : lo, p.fundingIndex()).encode());
    }

    private boolean appliesWith(World w, Transition t, Bytes32 key, PositionLeaf p, long quote) {
        MemoryLeafStore store = new MemoryLeafStore();
        List<LeafStore.Write> writes = new ArrayList<>();
        w.leaves.forEach((k, v) -> writes.add(new LeafStore.Write(k.toArray(), v)));
        writes.add(new LeafStore.Write(key.toArray(), new PositionLeaf(p.size(), quote, p.fundingIndex()).encode()));
        store.putAll(writes);
        return stf.apply(store, t, 0).applied();
    }

    // ---------------------------------------------------------------- malformed bytes

    private static byte[] malform(Random r, byte[] b) {
        return switch (r.nextInt(5)) {
            case 0 -> java.util.Arrays.copyOf(b, r.nextInt(b.length));
            case 1 -> java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(3));
            case 2 -> {
                byte[] c = b.clone();
                c[0] = (byte) (r.nextBoolean() ? 0 : 13 + r.nextInt(243));
                yield c;
            }
            case 3 -> {
                // a high bit where the decoder refuses it (the first byte of a u63 field): each field's own range check.
                // Set at random it would land on one of those bytes in a few percent of cases, and some fields never.
                List<Integer> refused = new ArrayList<>();
                for (int i = 1; i < b.length; i++) {
                    if ((b[i] & 0x80) == 0 && !decodes(withHighBit(b, i))) refused.add(i);
                }
                yield refused.isEmpty() ? withHighBit(b, 1 + r.nextInt(b.length - 1)) : withHighBit(b, refused.get(r.nextInt(refused.size())));
            }
            default -> withHighBit(b, 1 + r.nextInt(b.length - 1)); // a high bit in some field: out of range for most, harmless for some
        };
    }

    private static byte[] withHighBit(byte[] b, int at) {
        byte[] c = b.clone();
        c[at] |= (byte) 0x80;
        return c;
    }

    /** Whether the Java decoder reads {@code b} as a transition. */
    static boolean decodes(byte[] b) {
        try {
            TransitionCodec.decode(b);
            return true;
        } catch (dev.clearline.engine.transition.MalformedTransitionException e) {
            return false;
        }
    }

    /** a + b, or a - b where a + b would pass 2^63 - 1 (still off the lot or tick, still a valid u63). */
    private static long plus(long a, long b) {
        return a > MAX - b ? a - b : a + b;
    }

    private static byte[] toWord(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] w = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, w, 32 - n, n);
        return w;
    }

    private static Hash32 randomHash(Random r) {
        byte[] h = new byte[32];
        r.nextBytes(h);
        return new Hash32(h);
    }

    private static long pick(Random r, long... values) {
        return values[r.nextInt(values.length)];
    }

    private static long pickOr(Random r, long usual, long... rare) {
        return r.nextInt(8) == 0 ? rare[r.nextInt(rare.length)] : usual;
    }
}
