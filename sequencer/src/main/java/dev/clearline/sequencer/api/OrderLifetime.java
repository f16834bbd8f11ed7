package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.Order;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The venue's rule on how long an order may live, checked by the trader API before an order reaches
 * the cluster. With a maximum set, only orders that carry an expiry at most that far past the node's
 * clock are taken (a minute more, for a client whose clock runs ahead).
 *
 * <p>Why a venue would set it: the rollup's state keeps an order's ORDER_HASH leaf, the guard that
 * refuses the same signed order a second time, until the order's expiry has passed and a
 * {@code PruneOrderHash} deletes it (docs/protocol.md, section 2.5). An order without expiry keeps
 * it for good: about 0.75 KB of every member's heap, and a leaf every watcher and every escape
 * replays, per order ever taken. Under this rule nothing an order leaves in the state outlives its
 * lifetime. It is an admission rule, like the rate limit, not a rule of the state machine: the
 * exchange and the STF judge expiry on the market's oracle clock as before, and a node without the
 * rule takes what it took.
 *
 * @param maxSeconds   the longest lifetime, in seconds; 0: no rule (orders without expiry are taken)
 * @param epochSeconds the node's clock, in Unix seconds (the oracle feeds stamp prices with the same clock)
 */
public record OrderLifetime(long maxSeconds, LongSupplier epochSeconds) {
    /** How far past the longest lifetime an expiry may reach: clients' clocks are not the node's. */
    public static final long CLOCK_SKEW_SECONDS = 60;
    /** The longest lifetime the option takes: a year. */
    public static final long LONGEST_SECONDS = 365L * 86_400;

    public OrderLifetime {
        if (maxSeconds < 0 || maxSeconds > LONGEST_SECONDS) {
            throw new IllegalArgumentException("the longest order lifetime is 0 (no rule) to 365d, not " + maxSeconds + " s");
        }
    }

    /** No rule: every order is taken, with or without expiry. */
    public static OrderLifetime unlimited() {
        return new OrderLifetime(0, () -> 0);
    }

    public boolean limited() {
        return maxSeconds > 0;
    }

    /** Refuses {@code o} when the rule is set and the order has no expiry or one too far away. */
    void check(Order o) throws ApiError {
        if (!limited()) return;
        long now = epochSeconds.getAsLong();
        long latest = now + maxSeconds + CLOCK_SKEW_SECONDS;
        if (o.expiry() == 0) {
            throw new ApiError(400, "EXPIRY_REQUIRED", "this venue takes only orders that expire, at most " + format(maxSeconds)
                    + " ahead; sign the order with an expiry of at most " + latest
                    + " (unix seconds; ./clearline order --expires-in " + format(maxSeconds) + ")");
        }
        if (Long.compareUnsigned(o.expiry(), latest) > 0) {
            throw new ApiError(400, "EXPIRY_TOO_FAR", "the order expires at " + Long.toUnsignedString(o.expiry())
                    + ", more than " + format(maxSeconds) + " from now (" + now + "); this venue takes orders that expire at most "
                    + format(maxSeconds) + " ahead: sign it with an expiry of at most " + latest);
        }
    }

    /** What {@code GET /venue} says of the rule. */
    void describe(ObjectNode venue) {
        venue.put("maxOrderLifetime", maxSeconds);
        venue.put("expiryClockSkew", limited() ? CLOCK_SKEW_SECONDS : 0);
        if (limited()) venue.put("now", epochSeconds.getAsLong());
    }

    /**
     * A lifetime as written on the command line, a whole number and a unit ({@code 90s}, {@code 10m},
     * {@code 2h}, {@code 7d}) from 1 s to 365 days, or {@code none} (0); in seconds.
     */
    public static long parse(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("none")) return 0;
        long unit = v.isEmpty() ? 0 : switch (v.charAt(v.length() - 1)) {
            case 's' -> 1;
            case 'm' -> 60;
            case 'h' -> 3_600;
            case 'd' -> 86_400;
            default -> 0;
        };
        long n;
        try {
            n = unit == 0 ? -1 : Long.parseLong(v.substring(0, v.length() - 1));
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > LONGEST_SECONDS / unit) {
            throw new IllegalArgumentException("'" + value + "' is not a lifetime from 1s to 365d; write a whole number and a unit,"
                    + " e.g. 90s, 10m, 2h or 7d");
        }
        return n * unit;
    }

    /** Seconds in the largest unit that divides them: 604800 is {@code 7d}, 5400 is {@code 90m}. */
    public static String format(long seconds) {
        if (seconds > 0 && seconds % 86_400 == 0) return seconds / 86_400 + "d";
        if (seconds > 0 && seconds % 3_600 == 0) return seconds / 3_600 + "h";
        if (seconds > 0 && seconds % 60 == 0) return seconds / 60 + "m";
        return seconds + "s";
    }
}
