package dev.clearline.sequencer.oracle;

import dev.clearline.sequencer.l1.SequencerLink;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Funding that follows the book: each round it samples the premium of the book's mid price (best bid
 * and best ask) over the index price the source quoted, {@code (mid - index) / index} in ppm, and
 * sets the rate per hour to the average premium over the last {@code window}, divided by 8 (a
 * premium is paid off over eight hours, the perpetual swap's usual funding period), plus the
 * interest, within {@code ±cap}. A book above the index makes longs pay, which draws it back down;
 * below, shorts pay. A round whose book has an empty side takes no sample (its premium is unknown),
 * and with no sample in the window the rate is the interest alone. Markets without settings keep
 * the source's own rate ({@link FundingRate#QUOTED}).
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
     */
    public record Settings(Duration window, long capPpmPerHour, long interestPpmPerHour) {
        public Settings {
            if (window == null || window.isNegative() || window.isZero()) throw new IllegalArgumentException("the premium window must be positive");
            if (capPpmPerHour < 0) throw new IllegalArgumentException("the funding cap must be zero or more ppm per hour, got " + capPpmPerHour);
            if (Math.abs(interestPpmPerHour) > capPpmPerHour) {
                throw new IllegalArgumentException("the interest (" + interestPpmPerHour + " ppm per hour) is beyond the cap (" + capPpmPerHour + ")");
            }
        }
    }

    private record Sample(long unixSeconds, long premiumPpm) {}

    private final Map<Integer, Settings> settings;
    private final Map<Integer, ArrayDeque<Sample>> samples = new HashMap<>();

    public PremiumFunding(Map<Integer, Settings> settings) {
        this.settings = Map.copyOf(settings);
    }

    @Override
    public long ratePpmPerHour(SequencerLink.MarketInfo market, PriceSource.Quote quote, long unixSeconds) {
        Settings s = settings.get(market.market());
        if (s == null) return quote.fundingRatePpmPerHour();
        ArrayDeque<Sample> window = samples.computeIfAbsent(market.market(), id -> new ArrayDeque<>());
        if (market.bestBid() > 0 && market.bestAsk() > 0) {
            // the mid in 128 bits: two prices near Long.MAX_VALUE must not wrap
            java.math.BigInteger mid = java.math.BigInteger.valueOf(market.bestBid()).add(java.math.BigInteger.valueOf(market.bestAsk()))
                    .shiftRight(1);
            long premium = mid.subtract(java.math.BigInteger.valueOf(quote.price())).multiply(java.math.BigInteger.valueOf(1_000_000))
                    .divide(java.math.BigInteger.valueOf(quote.price())).max(java.math.BigInteger.valueOf(-1_000_000_000L))
                    .min(java.math.BigInteger.valueOf(1_000_000_000L)).longValueExact();
            window.addLast(new Sample(unixSeconds, premium));
        }
        long oldest = unixSeconds - s.window().toSeconds();
        while (!window.isEmpty() && window.peekFirst().unixSeconds() <= oldest) window.removeFirst();
        long sum = 0;
        for (Sample x : window) sum += x.premiumPpm();
        long average = window.isEmpty() ? 0 : Math.floorDiv(sum, window.size());
        long rate = Math.floorDiv(average, PERIOD_HOURS) + s.interestPpmPerHour();
        return Math.max(-s.capPpmPerHour(), Math.min(s.capPpmPerHour(), rate));
    }
}
