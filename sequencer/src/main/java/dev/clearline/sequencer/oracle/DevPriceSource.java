package dev.clearline.sequencer.oracle;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The devnet's prices: per market a seeded random walk (at most {@code stepPpm} of the price per
 * step, around the start price it is given), and a funding rate that follows the walk's drift
 * away from its start (longs pay while the price is above it), capped at {@code maxRatePpmPerHour}.
 * Deterministic for a seed: the same seed gives the same prices in the same order.
 */
public final class DevPriceSource implements PriceSource {
    private final Map<Integer, Long> start;
    private final Map<Integer, Long> last = new HashMap<>();
    private final SplittableRandom random;
    private final long stepPpm;
    private final long maxRatePpmPerHour;

    public DevPriceSource(Map<Integer, Long> startPrices, long seed, long stepPpm, long maxRatePpmPerHour) {
        this.start = Map.copyOf(startPrices);
        this.random = new SplittableRandom(seed);
        this.stepPpm = stepPpm;
        this.maxRatePpmPerHour = maxRatePpmPerHour;
    }

    @Override
    public Quote quote(int market, long unixSeconds) throws java.io.IOException {
        Long s = start.get(market);
        if (s == null) throw new java.io.IOException("the dev price source has no start price for market " + market);
        long p = last.getOrDefault(market, s);
        long step = p * (random.nextLong(2 * stepPpm + 1) - stepPpm) / 1_000_000;
        long next = Math.max(1, p + step);
        last.put(market, next);
        long drift = (next - s) * 1_000_000 / s;
        long rate = Math.max(-maxRatePpmPerHour, Math.min(maxRatePpmPerHour, drift / 10));
        return new Quote(next, rate);
    }
}
