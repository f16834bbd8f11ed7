package dev.clearline.sequencer.oracle;

import dev.clearline.sequencer.l1.SequencerLink;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Funding that follows the book: each round it samples the premium of the book over the index price
 * the source quoted, in ppm, and sets the rate per hour to the average premium over the last
 * {@code window}, divided by 8 (a premium is paid off over eight hours, the perpetual swap's usual
 * funding period), plus the interest, within {@code ±cap}. A book above the index makes longs pay,
 * which draws it back down; below, shorts pay. Markets without settings keep the source's own rate
 * ({@link FundingRate#QUOTED}).
 *
 * <p>The premium, with an {@code impactNotional}: from the impact prices, the average price a
 * market order of that notional would get selling into the bids ({@code impactBid}, rounded down)
 * and buying from the asks ({@code impactAsk}, rounded up), {@code (max(0, impactBid - index) -
 * max(0, index - impactAsk)) / index}: zero while the index lies between them, so neither the
 * spread nor a small order inside it moves funding; only size that would really trade away from
 * the index does. Without one (0), the premium of the mid, {@code (mid - index) / index}, which one
 * lot placed inside the spread can move. A round whose book cannot fill the notional on a side (or,
 * for the mid, has an empty side) takes no sample (its premium is unknown), and with no sample in
 * the window the rate is the interest alone.
 *
 * <p>The samples live in this feed only: a restarted feed starts a new window (the funding index
 * itself continues from the sequencer's state, {@link OracleFeed}).
 */
public final class PremiumFunding implements FundingRate {
    /** The periods a premium is spread over: the hourly rate is the premium divided by this. */
    static final int PERIOD_HOURS = 8;

    /**
     * @param window             how far back premium samples are averaged
     * @param capPpmPerHour      the rate never passes {@code ±cap}
     * @param interestPpmPerHour added to the premium's share before the cap
     * @param impactNotional     the notional (collateral units, as prices are) the impact prices fill; 0: the mid's premium
     */
    public record Settings(Duration window, long capPpmPerHour, long interestPpmPerHour, long impactNotional) {
        /** Premium of the mid (no impact notional). */
        public Settings(Duration window, long capPpmPerHour, long interestPpmPerHour) {
            this(window, capPpmPerHour, interestPpmPerHour, 0);
        }

        public Settings {
            if (impactNotional < 0) throw new IllegalArgumentException("the impact notional must be zero (the mid) or more, got " + impactNotional);
            if (window == null || window.isNegative() || window.isZero()) throw new IllegalArgumentException("the premium window must be positive");
            if (capPpmPerHour < 0) throw new IllegalArgumentException("the funding cap must be zero or more ppm per hour, got " + capPpmPerHour);
            if (Math.abs(interestPpmPerHour) > capPpmPerHour) {
                throw new IllegalArgumentException("the interest (" + interestPpmPerHour + " ppm per hour) is beyond the cap (" + capPpmPerHour + ")");
            }
        }
    }

    private record Sample(long unixSeconds, long premiumPpm) {}

    private final Map<Integer, Settings> settings;

    /** A market's settings, or null for one that keeps its quoted rate (tests of the price-source file). */
    Settings settings(int market) {
        return settings.get(market);
    }
    private final Map<Integer, ArrayDeque<Sample>> samples = new HashMap<>();

    public PremiumFunding(Map<Integer, Settings> settings) {
        this.settings = Map.copyOf(settings);
    }

    @Override
    public long ratePpmPerHour(SequencerLink.MarketInfo market, Book book, PriceSource.Quote quote, long unixSeconds) throws IOException {
        Settings s = settings.get(market.market());
        if (s == null) return quote.fundingRatePpmPerHour();
        ArrayDeque<Sample> window = samples.computeIfAbsent(market.market(), id -> new ArrayDeque<>());
        BigInteger index = BigInteger.valueOf(quote.price());
        BigInteger premium = null; // in collateral units per lot, over the index
        if (s.impactNotional() > 0) {
            SequencerLink.Depth d = book.read(s.impactNotional());
            BigInteger bid = impactPrice(d.bids(), market.lotSize(), s.impactNotional(), false);
            BigInteger ask = impactPrice(d.asks(), market.lotSize(), s.impactNotional(), true);
            if (bid != null && ask != null) premium = bid.subtract(index).max(BigInteger.ZERO).subtract(index.subtract(ask).max(BigInteger.ZERO));
        } else if (market.bestBid() > 0 && market.bestAsk() > 0) {
            // the mid in 128 bits: two prices near Long.MAX_VALUE must not wrap
            premium = BigInteger.valueOf(market.bestBid()).add(BigInteger.valueOf(market.bestAsk())).shiftRight(1).subtract(index);
        }
        if (premium != null) {
            long ppm = premium.multiply(BigInteger.valueOf(1_000_000)).divide(index)
                    .max(BigInteger.valueOf(-1_000_000_000L)).min(BigInteger.valueOf(1_000_000_000L)).longValueExact();
            window.addLast(new Sample(unixSeconds, ppm));
        }
        long oldest = unixSeconds - s.window().toSeconds();
        while (!window.isEmpty() && window.peekFirst().unixSeconds() <= oldest) window.removeFirst();
        long sum = 0;
        for (Sample x : window) sum += x.premiumPpm();
        long average = window.isEmpty() ? 0 : Math.floorDiv(sum, window.size());
        long rate = Math.floorDiv(average, PERIOD_HOURS) + s.interestPpmPerHour();
        return Math.max(-s.capPpmPerHour(), Math.min(s.capPpmPerHour(), rate));
    }

    /**
     * The average price per lot a market order of {@code notional} gets from {@code side} (best level
     * first): whole lots level by level, the last level's share a fraction of a lot; rounded up for
     * asks (a buyer's price), down for bids. Null when the side holds less than the notional.
     */
    static BigInteger impactPrice(List<SequencerLink.Level> side, long lotSize, long notional, boolean roundUp) {
        BigInteger want = BigInteger.valueOf(notional);
        BigInteger filled = BigInteger.ZERO; // notional taken from the levels before this one
        BigInteger lots = BigInteger.ZERO;   // whole lots taken from them
        for (SequencerLink.Level l : side) { // a resting level has a positive price and size, a market a positive lot
            BigInteger price = BigInteger.valueOf(l.price());
            BigInteger levelLots = BigInteger.valueOf(l.size() / lotSize);
            BigInteger levelNotional = levelLots.multiply(price);
            BigInteger rest = want.subtract(filled);
            if (levelNotional.compareTo(rest) >= 0) {
                // want / (lots + rest / price) = want * price / (lots * price + rest)
                BigInteger[] qr = want.multiply(price).divideAndRemainder(lots.multiply(price).add(rest));
                return roundUp && qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
            }
            filled = filled.add(levelNotional);
            lots = lots.add(levelLots);
        }
        return null;
    }
}
