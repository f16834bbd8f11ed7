package dev.clearline.sequencer;

import dev.clearline.sequencer.api.OrderLifetime;

import java.util.Map;

/**
 * The sequencer's numeric options, each read with its range, so that a bad value is refused with
 * the option's name and what it takes before anything starts (a node that is up when the trader
 * API's port turns out to be out of range has already opened its log).
 */
final class OptionValues {
    private final Map<String, String> opts;

    OptionValues(Map<String, String> opts) {
        this.opts = opts;
    }

    /** {@code --name}'s whole number in [min, max], or {@code dflt} when it is not given; else IllegalArgumentException naming it. */
    long whole(String name, long dflt, long min, long max, String what) {
        String v = opts.get(name);
        if (v == null) return dflt;
        long n;
        try {
            n = Long.parseLong(v.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(refusal(name, v, min, max, what));
        }
        if (n < min || n > max) throw new IllegalArgumentException(refusal(name, v, min, max, what));
        return n;
    }

    /** As {@link #whole}, for values that fit an int. */
    int wholeInt(String name, int dflt, int min, int max, String what) {
        return (int) whole(name, dflt, min, max, what);
    }

    /** {@code --name}'s positive number (decimals allowed), or {@code dflt}. */
    double positive(String name, double dflt, String what) {
        String v = opts.get(name);
        if (v == null) return dflt;
        double d;
        try {
            d = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            d = Double.NaN;
        }
        if (!(d > 0) || Double.isInfinite(d)) throw new IllegalArgumentException("--" + name + " takes " + what + ", more than 0; got \"" + v + "\"");
        return d;
    }

    /** {@code --name}'s lifetime ({@code 90s}, {@code 10m}, {@code 2h}, {@code 7d} or {@code none}: 0) in seconds, or {@code dflt}. */
    long lifetime(String name, long dflt) {
        String v = opts.get(name);
        if (v == null) return dflt;
        try {
            return OrderLifetime.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + name + " takes none or a lifetime from 1s to 365d (90s, 10m, 2h, 7d); got \"" + v + "\"");
        }
    }

    private static String refusal(String name, String value, long min, long max, String what) {
        return "--" + name + " takes " + what + " from " + min + " to " + max + "; got \"" + value + "\"";
    }
}
