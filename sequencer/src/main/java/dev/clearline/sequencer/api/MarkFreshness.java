package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.Order;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The venue's rule on how old a market's mark price may be when the trader API takes an order that can
 * grow a position there: past {@code maxSeconds} since the market's last oracle price, only cancels and
 * reduce-only orders are taken, until a price arrives again.
 *
 * <p>Why: the mark is what the exchange judges margin and liquidation by, and the market's oracle clock
 * is what its orders expire by. A feed that stops (its source down, its key gone) freezes both: nothing
 * is liquidated however far the real price moves, orders signed to expire keep filling, and new
 * positions are opened against a price nobody can liquidate at, the bad debt of which arrives all at
 * once with the next price. A venue that refuses new risk meanwhile keeps that debt to what was open
 * when the feed stopped. Reduce-only orders still go, so a trader can get out.
 *
 * <p>An admission rule, like {@link OrderLifetime} and the rate limits, not a rule of the state machine:
 * it reads the node's clock, which a replay of the log must not, and a node without it takes what it
 * took. The markets' last oracle times come from the node's state through {@link #observe}, which the
 * node's one-second round calls after its oracle round; a price lifts the refusal by the next round. A
 * market with no price yet is left to the exchange (nothing fills without a mark).
 *
 * @see #DEFAULT_WITH_FEED_SECONDS
 */
public final class MarkFreshness {
    /** The rule's default on a node that runs a price feed itself (a price a second): a minute without one is a feed that stopped. */
    public static final long DEFAULT_WITH_FEED_SECONDS = 60;

    private final long maxSeconds;
    private final LongSupplier epochSeconds;
    /** Per market, its last oracle time (Unix seconds) as the node's state last showed it. */
    private final Map<Integer, Long> lastPriced = new ConcurrentHashMap<>();
    /** The markets {@link #changes} last reported refused. */
    private final java.util.Set<Integer> refusing = new java.util.HashSet<>();

    /**
     * @param maxSeconds   the oldest a mark may be for an order that can grow a position, in seconds; 0: no rule
     * @param epochSeconds the node's clock, in Unix seconds (the clock the node's oracle feed stamps prices with)
     */
    public MarkFreshness(long maxSeconds, LongSupplier epochSeconds) {
        if (maxSeconds < 0 || maxSeconds > OrderLifetime.LONGEST_SECONDS) {
            throw new IllegalArgumentException("the oldest mark price is 0 (no rule) to 365d, not " + maxSeconds + " s");
        }
        this.maxSeconds = maxSeconds;
        this.epochSeconds = epochSeconds;
    }

    /** No rule: orders are taken however old the mark. */
    public static MarkFreshness unlimited() {
        return new MarkFreshness(0, () -> 0);
    }

    public boolean limited() {
        return maxSeconds > 0;
    }

    /** Records market {@code market}'s last oracle time as the node's state shows it ({@code 0}: no price yet). */
    public void observe(int market, long lastOracleTs) {
        lastPriced.put(market, lastOracleTs);
    }

    /** How old market {@code market}'s mark is by the node's clock, in seconds; -1 when it has no price (or none seen yet). */
    public long ageSeconds(int market) {
        Long ts = lastPriced.get(market);
        if (ts == null || ts == 0) return -1;
        return Math.max(0, epochSeconds.getAsLong() - ts);
    }

    /** Whether the rule refuses orders that can grow a position in market {@code market} now. */
    public boolean refuses(int market) {
        return limited() && ageSeconds(market) > maxSeconds;
    }

    /**
     * The markets whose refusal started ({@code true}) or ended ({@code false}) since the last call, by the clock now: what
     * the node logs once per change rather than every round.
     */
    public synchronized Map<Integer, Boolean> changes() {
        Map<Integer, Boolean> out = new java.util.TreeMap<>(Integer::compareUnsigned);
        for (int market : lastPriced.keySet()) {
            boolean now = refuses(market);
            if (now == refusing.contains(market)) continue;
            out.put(market, now);
            if (now) refusing.add(market);
            else refusing.remove(market);
        }
        return out;
    }

    /** How many markets the rule refuses orders that can grow a position in now (the node's {@code clearline_api_stale_marks}). */
    public long refusedMarkets() {
        return lastPriced.keySet().stream().filter(this::refuses).count();
    }

    /** Refuses {@code o} when the rule is set, {@code o} can grow a position and its market's mark is older than the rule allows. */
    void check(Order o) throws ApiError {
        if (o.reduceOnly() || !refuses(o.marketId())) return;
        long age = ageSeconds(o.marketId());
        String market = Integer.toUnsignedString(o.marketId());
        throw new ApiError(503, "STALE_MARK", "market " + market + "'s mark price is " + age + " s old (its last oracle price is stamped "
                + lastPriced.get(o.marketId()) + ", unix seconds), and this venue takes orders that can grow a position only while the"
                + " mark is at most " + OrderLifetime.format(maxSeconds) + " old: nothing can be liquidated at a price that old. Cancels and"
                + " reduce-only orders are still taken (./clearline order --reduce-only); send it again once the oracle prices market "
                + market + " (GET /state shows lastOracleTs)");
    }

    /** What {@code GET /venue} says of the rule: its bound, and each market it refuses orders in now. */
    void describe(ObjectNode venue) {
        venue.put("maxMarkAge", maxSeconds);
        if (!limited()) return;
        venue.put("now", epochSeconds.getAsLong());
        ArrayNode stale = venue.putArray("staleMarks");
        lastPriced.keySet().stream().sorted(Integer::compareUnsigned).forEach(market -> {
            long age = ageSeconds(market);
            if (refuses(market)) stale.addObject().put("market", Integer.toUnsignedLong(market)).put("markAge", age);
        });
    }
}
