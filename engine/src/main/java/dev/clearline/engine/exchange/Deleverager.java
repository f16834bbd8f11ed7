package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.transition.Transition;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The auto-deleverage policy (docs/protocol.md section 5, "Deleverage policy"). The insurance fund
 * is worth its free balance (the liquidation fees) plus the equity of its positions at the mark.
 * While that worth is not negative the fund carries the bad debt of the positions it took over.
 * When it falls below zero (a liquidation of a bankrupt position, or the mark moving against the
 * fund), the fund's under-water positions are closed against the opposite positions ranked by
 * profit and leverage, at the fund's bankruptcy price, just enough to bring the worth back to zero:
 * the market with the largest bad debt first; in a market, the counterparty ranked highest first,
 * as much as its size and its maintenance margin allow, then the next one.
 *
 * <p>Ranking, as perpetual venues rank for auto-deleveraging: with {@code E} the equity at the
 * mark, {@code N} the notional at the mark, {@code V} the entry value (what the exchange saw the
 * position cost to open) and {@code u} the unrealised profit ({@code N - V} long, {@code V - N}
 * short), the score is {@code (u / V) * (N / E)} when {@code u >= 0} (profit times leverage) and
 * {@code (u / V) / (N / E)} when {@code u < 0}; higher first, ties to the older account. Scores are
 * compared exactly, as fractions. A position with {@code E <= 0} is not a counterparty. A position
 * whose entry the exchange did not see counts as bought at the mark ({@code u = 0}).
 *
 * <p>What cannot be restored (no opposite position can take more) is reported as an
 * {@link ExchangeEvent.InsuranceShortfall}, and again whenever the shortfall changes, so the fund
 * never goes negative unnoticed; the exchange tries again after every liquidation, price and order
 * command while it is outstanding. Every Deleverage goes through the mirror STF and is emitted only
 * when it applies.
 */
final class Deleverager {
    private final StfMirror mirror;
    private final EventLog events;
    private final PositionCut cut;
    private long reportedShortfall;

    /** Told of every position a deleverage cut, after its event: the trader's take-profits there follow the position. */
    @FunctionalInterface
    interface PositionCut {
        void cut(Account trader, int marketId);
    }

    Deleverager(StfMirror mirror, EventLog events, PositionCut cut) {
        this.mirror = mirror;
        this.events = events;
        this.cut = cut;
    }

    /**
     * Brings the fund's worth back to zero or above if the opposite positions allow it, over the
     * given markets (ascending ids) and traders (in account order).
     */
    void restore(List<Integer> marketIds, List<Account> accounts) {
        long shortfall = shortfall(marketIds);
        if (shortfall > 0) {
            for (int marketId : byBadDebt(marketIds)) {
                deleverage(marketId, shortfall, accounts);
                shortfall = shortfall(marketIds);
                if (shortfall == 0) break;
            }
        }
        if (shortfall != reportedShortfall) {
            reportedShortfall = shortfall;
            events.add(new ExchangeEvent.InsuranceShortfall(events.next(), shortfall));
        }
    }

    /** Counts the shortfall the state holds now as reported, without an event: an exchange taking up a state another reported to. */
    void assumeReported(List<Integer> marketIds) {
        reportedShortfall = shortfall(marketIds);
    }

    /** Writes the shortfall last reported: the next report is made only when it changes. */
    void writeImage(ImageWriter out) {
        out.writeLong(reportedShortfall);
    }

    void readImage(ImageReader in) {
        long s = in.readLong();
        if (s < 0) throw new ImageFormatException("a reported shortfall of " + s);
        reportedShortfall = s;
    }

    /** The shortfall last reported (0 when the fund's worth is not negative). */
    long shortfall() {
        return reportedShortfall;
    }

    /** max(0, -(fund's free balance + Σ equity of its positions at the mark)), saturating. */
    long shortfall(List<Integer> marketIds) {
        BigInteger worth = BigInteger.valueOf(StateReads.balance(mirror.state, Address.INSURANCE_FUND).free());
        for (int id : marketIds) worth = worth.add(BigInteger.valueOf(fundEquity(id)));
        return worth.signum() >= 0 ? 0 : worth.negate().min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
    }

    /** The fund's equity at the mark in one market (0 without a position or a mark; saturating). */
    private long fundEquity(int marketId) {
        MarketLeaf m = mirror.market(marketId);
        PositionLeaf p = settled(Address.INSURANCE_FUND, marketId);
        if (p == null || m.markPrice() <= 0) return 0;
        long e = Margin.equity(p.size(), p.quote(), m.lotSize(), m.markPrice());
        return e == Fixed.OVERFLOW ? (p.quote() < 0 ? Long.MIN_VALUE + 1 : Long.MAX_VALUE) : e;
    }

    /** Markets where the fund is under water with a position to close, the largest bad debt first. */
    private List<Integer> byBadDebt(List<Integer> marketIds) {
        List<Integer> out = new ArrayList<>();
        for (int id : marketIds) {
            PositionLeaf p = settled(Address.INSURANCE_FUND, id);
            if (p != null && p.size() != 0 && fundEquity(id) < 0) out.add(id);
        }
        // ties to the lower market id, read as the uint32 it is on L1 (0x80000001 is above 1)
        out.sort(Comparator.comparingLong((Integer id) -> fundEquity(id)).thenComparing(Integer::compareUnsigned));
        return out;
    }

    /** Closes up to the share of the fund's position in one market that carries {@code shortfall} of its bad debt. */
    private void deleverage(int marketId, long shortfall, List<Account> accounts) {
        MarketLeaf m = mirror.market(marketId);
        long lot = m.lotSize();
        PositionLeaf fund = settled(Address.INSURANCE_FUND, marketId);
        long badDebt = -fundEquity(marketId);
        long fundLots = Math.abs(fund.size()) / lot;
        // a close of k lots at the bankruptcy price takes k/n of the bad debt away (rounded in the fund's favour)
        long want = ceilShare(fundLots, Math.min(shortfall, badDebt), badDebt);
        for (Ranked c : rank(marketId, m, fund.size(), accounts)) {
            if (want == 0) return;
            long lots = largestAccepted(marketId, c.account.address, Math.min(want, c.lots));
            if (lots == 0) continue;
            long price = Margin.bankruptcyPrice(fund.size(), settled(Address.INSURANCE_FUND, marketId).quote(), lot);
            Transition.Deleverage d = new Transition.Deleverage(marketId, c.account.address, lots * lot);
            if (mirror.tryApply(mirror.state, d) != null) continue;
            PositionLeaf after = StateReads.position(mirror.state, c.account.address, marketId);
            c.account.reducedTo(marketId, after.size());
            events.add(new ExchangeEvent.Deleveraged(events.next(), marketId, c.account.address, lots * lot, price, c.rank));
            cut.cut(c.account, marketId);
            want -= lots;
        }
    }

    /** The largest number of lots, at most {@code max}, the STF would accept for this counterparty now (0: none). */
    private long largestAccepted(int marketId, Address counterparty, long max) {
        if (max <= 0) return 0;
        if (accepts(marketId, counterparty, max)) return max;
        long ok = 0;
        long bad = max;
        while (bad - ok > 1) {
            long mid = ok + (bad - ok) / 2;
            if (accepts(marketId, counterparty, mid)) ok = mid;
            else bad = mid;
        }
        return ok;
    }

    private boolean accepts(int marketId, Address counterparty, long lots) {
        long size = lots * mirror.market(marketId).lotSize();
        return mirror.tryApply(new OverlayStore(mirror.state), new Transition.Deleverage(marketId, counterparty, size)) == null;
    }

    /** A counterparty candidate with its score {@code num / den} (den > 0), its size in lots and its place in the ranking. */
    private record Ranked(Account account, long lots, BigInteger num, BigInteger den, int rank) {}

    /** The opposite positions to the fund's {@code fundSize}, highest score first. */
    private List<Ranked> rank(int marketId, MarketLeaf m, long fundSize, List<Account> accounts) {
        List<Ranked> out = new ArrayList<>();
        for (Account a : accounts) {
            PositionLeaf p = settled(a.address, marketId);
            if (p == null || p.size() == 0 || Long.signum(p.size()) == Long.signum(fundSize)) continue;
            BigInteger[] score = score(a.entryValue(marketId, p.size()), m, p);
            if (score != null) out.add(new Ranked(a, Math.abs(p.size()) / m.lotSize(), score[0], score[1], 0));
        }
        out.sort((x, y) -> {
            int c = y.num.multiply(x.den).compareTo(x.num.multiply(y.den));
            return c != 0 ? c : Long.compare(x.account.ownerId, y.account.ownerId);
        });
        List<Ranked> ranked = new ArrayList<>(out.size());
        for (int i = 0; i < out.size(); i++) {
            Ranked r = out.get(i);
            ranked.add(new Ranked(r.account, r.lots, r.num, r.den, i + 1));
        }
        return ranked;
    }

    /** The score as {num, den} ({@code seen}: the entry value the exchange saw, or -1), or null when the position is not a counterparty (equity <= 0). */
    static BigInteger[] score(long seen, MarketLeaf m, PositionLeaf p) {
        BigInteger e = BigInteger.valueOf(p.quote()).add(BigInteger.valueOf(p.size() / m.lotSize()).multiply(BigInteger.valueOf(m.markPrice())));
        if (e.signum() <= 0) return null;
        BigInteger n = BigInteger.valueOf(Math.abs(p.size()) / m.lotSize()).multiply(BigInteger.valueOf(m.markPrice()));
        BigInteger v = seen > 0 ? BigInteger.valueOf(seen) : n;
        if (v.signum() == 0) return new BigInteger[] {BigInteger.ZERO, BigInteger.ONE};
        BigInteger u = p.size() > 0 ? n.subtract(v) : v.subtract(n);
        // u >= 0: (u / v) * (n / e) = u*n / (v*e); u < 0: (u / v) / (n / e) = u*e / (v*n)
        if (u.signum() >= 0) return new BigInteger[] {u.multiply(n), v.multiply(e)};
        return n.signum() == 0 ? new BigInteger[] {BigInteger.ZERO, BigInteger.ONE} : new BigInteger[] {u.multiply(e), v.multiply(n)};
    }

    /** A position settled to its market's funding index (null when absent or on overflow). */
    private PositionLeaf settled(Address owner, int marketId) {
        MarketLeaf m = mirror.market(marketId);
        if (m == null) return null;
        PositionLeaf p = StateReads.position(mirror.state, owner, marketId);
        if (p.size() == 0) return p.quote() == 0 ? null : p;
        long q = Margin.settleFunding(p.size(), p.quote(), p.fundingIndex(), m.fundingIndex(), m.lotSize());
        return q == Fixed.OVERFLOW ? null : new PositionLeaf(p.size(), q, m.fundingIndex());
    }

    /** ceil(n * part / whole) for 0 <= part <= whole, whole > 0. */
    private static long ceilShare(long n, long part, long whole) {
        BigInteger[] qr = BigInteger.valueOf(n).multiply(BigInteger.valueOf(part)).divideAndRemainder(BigInteger.valueOf(whole));
        return qr[0].add(BigInteger.valueOf(qr[1].signum())).longValue();
    }
}
