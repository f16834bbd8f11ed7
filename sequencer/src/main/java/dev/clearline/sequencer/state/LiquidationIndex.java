package dev.clearline.sequencer.state;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every open position of every market (the insurance fund's excepted: it is never liquidated),
 * ordered by how far the mark must move to liquidate it, so a new oracle price looks only at the
 * positions it may have crossed instead of walking every holder.
 *
 * <p><b>The key is invariant under funding.</b> With {@code n = size / lot} lots (signed), a
 * position's quote settled to the market's funding index {@code F} is
 * {@code quote - n (F - F_pos) = q* - n F} where {@code q* = quote + n F_pos} does not change when
 * funding accrues, nor when the STF settles funding on a touch (both sides of the settlement give
 * the same {@code q*}). Its equity at mark {@code P} is {@code q* + n (P - F)} and it is
 * liquidatable when that is below {@code ceil(|n| P mmf)}. Since {@code ceil(x) < x + 1}, with
 * {@code m = |n|}:
 * <ul>
 *   <li>a long can be liquidatable only if {@code (1 - q*) / m > P (1 - mmf) - F};</li>
 *   <li>a short can be liquidatable only if {@code (q* - 1) / m < P (1 + mmf) - F}.</li>
 * </ul>
 * The left sides depend on the position alone (they are its keys, kept in a sorted set per side);
 * the right sides on the market alone (its mark, funding index and maintenance fraction, read at
 * query time). So a price or funding move re-keys nothing: only a position's own change (a fill,
 * a liquidation, a deleverage, an allocate or release) re-keys that one position.
 *
 * <p>Keys are doubles widened by a relative and absolute margin, so rounding can only add a
 * candidate, never miss one; every candidate is then judged exactly by {@link #liquidatable}, the
 * same integer check the STF makes. The result is exactly the full walk's (a property test
 * compares the two over random positions and price paths). A position of less than one lot
 * ({@code n = 0}) has a constant verdict (its quote below zero) and is always a candidate.
 */
final class LiquidationIndex {
    /** Relative widening of a key or a threshold: far above a double's rounding (1e-16) over the few operations made. */
    private static final double SLACK = 1e-9;

    private record Key(double at, String owner) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Double.compare(at, o.at);
            return c != 0 ? c : owner.compareTo(o.owner);
        }
    }

    private static final class Side {
        final TreeSet<Key> longs = new TreeSet<>();
        final TreeSet<Key> shorts = new TreeSet<>();
        /** Owner hex to its key now, and to the address itself. */
        final Map<String, Key> keys = new HashMap<>();
        final Map<String, Address> owners = new HashMap<>();
        final Map<String, Boolean> isLong = new HashMap<>();
    }

    private final Map<Integer, Side> markets = new HashMap<>();

    /** Positions indexed, over all markets (a bound the tests check: it follows open positions). */
    int size() {
        int n = 0;
        for (Side s : markets.values()) n += s.keys.size();
        return n;
    }

    /**
     * Every indexed position with its key as computed when it was indexed (the key's double is
     * written bit for bit, so a restored index answers exactly as this one), per market.
     */
    void writeImage(dev.clearline.engine.image.ImageWriter out) {
        out.writeInt(markets.size());
        for (var m : new TreeMap<>(markets).entrySet()) {
            Side s = m.getValue();
            out.writeInt(m.getKey()).writeInt(s.keys.size());
            for (String hex : new java.util.TreeSet<>(s.keys.keySet())) {
                out.writeAddress(s.owners.get(hex)).writeBoolean(s.isLong.get(hex)).writeLong(Double.doubleToRawLongBits(s.keys.get(hex).at()));
            }
        }
    }

    /** Restores {@link #writeImage} into this (empty) index. */
    void readImage(dev.clearline.engine.image.ImageReader in) {
        int n = in.readCount(8);
        for (int i = 0; i < n; i++) {
            int market = in.readInt();
            int count = in.readCount(30);
            Side s = new Side();
            for (int j = 0; j < count; j++) {
                Address owner = in.readAddress();
                boolean isLong = in.readBoolean();
                double at = Double.longBitsToDouble(in.readLong());
                if (owner == null) throw new dev.clearline.engine.image.ImageFormatException("an indexed position without an owner");
                String hex = owner.toString();
                Key key = new Key(at, hex);
                s.keys.put(hex, key);
                s.owners.put(hex, owner);
                s.isLong.put(hex, isLong);
                (isLong ? s.longs : s.shorts).add(key);
            }
            markets.put(market, s);
        }
    }

    /** Re-keys {@code owner}'s position in {@code market} after it changed; a closed (or absent) position leaves the index. */
    void update(Address owner, int market, PositionLeaf p, MarketLeaf m) {
        if (owner.equals(Address.INSURANCE_FUND)) return;
        String hex = owner.toString();
        Side s = markets.get(market);
        if (s != null) {
            Key old = s.keys.remove(hex);
            if (old != null) {
                (s.isLong.remove(hex) ? s.longs : s.shorts).remove(old);
                s.owners.remove(hex);
            }
        }
        if (p == null || p.size() == 0 || m == null) {
            if (s != null && s.keys.isEmpty()) markets.remove(market);
            return;
        }
        if (s == null) markets.put(market, s = new Side());
        long n = p.size() / m.lotSize();
        boolean isLong = p.size() > 0;
        double at;
        if (n == 0) {
            at = isLong ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY; // always a candidate
        } else {
            double lots = Math.abs((double) n);
            double qStar = (double) p.quote() + (double) n * (double) p.fundingIndex();
            double k = isLong ? (1 - qStar) / lots : (qStar - 1) / lots;
            double widen = SLACK * (Math.abs(k) + Math.abs((double) p.quote()) / lots + Math.abs((double) p.fundingIndex())) + 1;
            at = isLong ? k + widen : k - widen; // a long key rounded up, a short one down: only ever more candidates
        }
        Key key = new Key(at, hex);
        s.keys.put(hex, key);
        s.owners.put(hex, owner);
        s.isLong.put(hex, isLong);
        (isLong ? s.longs : s.shorts).add(key);
    }

    /** Re-keys every position of {@code market} (its lot size may have changed with a new configuration). */
    void rekeyMarket(int market, java.util.function.Function<Address, PositionLeaf> position, MarketLeaf m) {
        Side s = markets.get(market);
        if (s == null) return;
        for (Address a : java.util.List.copyOf(s.owners.values())) update(a, market, position.apply(a), m);
    }

    /**
     * Owners in {@code market} whose position the mark and funding index of {@code m} may have
     * put below maintenance, in address order (what replicas agree on); judge each with
     * {@link #liquidatable}. A superset of the liquidatable ones, usually equal to them.
     */
    TreeMap<String, Address> candidates(int market, MarketLeaf m) {
        TreeMap<String, Address> out = new TreeMap<>();
        Side s = markets.get(market);
        if (s == null || m == null || m.markPrice() == 0) return out;
        double f = m.mmfPpm() / 1e6;
        double p = m.markPrice(), fi = m.fundingIndex();
        double tol = SLACK * (p * (1 + f) + Math.abs(fi)) + 1;
        double longBelow = p * (1 - f) - fi - tol; // longs keyed above this may be liquidatable
        double shortAbove = p * (1 + f) - fi + tol; // shorts keyed below this may be
        for (Key k : s.longs.tailSet(new Key(longBelow, ""), true)) out.put(k.owner, s.owners.get(k.owner));
        for (Key k : s.shorts.headSet(new Key(shortAbove, "\uffff"), true)) out.put(k.owner, s.owners.get(k.owner));
        return out;
    }

    /** Whether the position would be liquidated: funding settled, then below maintenance at the mark (the STF's rule, exactly). */
    static boolean liquidatable(PositionLeaf p, MarketLeaf m) {
        if (p == null || p.size() == 0 || m == null || m.markPrice() == 0) return false;
        long quote = Margin.settleFunding(p.size(), p.quote(), p.fundingIndex(), m.fundingIndex(), m.lotSize());
        if (quote == Fixed.OVERFLOW) return false;
        return Margin.liquidatable(p.size(), quote, m.lotSize(), m.markPrice(), m.mmfPpm()) == Margin.Verdict.OK;
    }
}
