package dev.clearline.sequencer.cluster;

import org.agrona.ErrorHandler;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Brings the errors Aeron's agents meet into this node's own log. The media driver, the archive,
 * the consensus module and the service container record them in a distinct-error log in their
 * mark or CnC file, and by default nowhere else: a leader whose archive refused a follower's
 * catch-up every half second, and the follower that never joined it, said nothing in the node's
 * log (only Aeron's {@code ClusterTool errors} showed it). Each component's handler goes beside
 * Aeron's own (Aeron still records every error there): a distinct error is logged once when it first
 * happens, with its first line (not its stack), and again at most once a minute while it keeps
 * happening, with how often it has and its latest text (errors that differ only in their numbers are one).
 */
public final class AeronErrorFeed {
    /** A repeating error is logged again at most this often. */
    static final long REPEAT_MS = 60_000;

    private final LongSupplier clockMs;
    private final Consumer<String> sink;
    /**
     * Numbers in an error's text (correlation ids, positions) do not make it another error: Aeron's own log keeps
     * "requested replay start position=217344 is less than recording start position=786432" apart for each request
     * id, and one follower that could not catch up became a line every half second.
     */
    private static final java.util.regex.Pattern DIGITS = java.util.regex.Pattern.compile("\\d+");
    /** Per component and error text with its numbers left out: {times seen, times seen when last logged, when last logged}. */
    private final Map<String, long[]> seen = new HashMap<>();

    /** Lines go to {@code sink}; {@code clockMs} is the time in milliseconds. */
    public AeronErrorFeed(LongSupplier clockMs, Consumer<String> sink) {
        this.clockMs = clockMs;
        this.sink = sink;
    }

    /** The handler to give the context of {@code component} (Aeron calls it on that component's agent thread). */
    public ErrorHandler handlerFor(String component) {
        return error -> report(component, error);
    }

    synchronized void report(String component, Throwable error) {
        // Aeron reports the end of a cluster stopped on purpose (--stop) through its error handlers too; it is no error
        if (error instanceof io.aeron.cluster.service.ClusterTerminationException t && t.isExpected()) return;
        String message = firstLine(String.valueOf(error));
        String key = component + '\n' + DIGITS.matcher(message).replaceAll("N");
        long now = clockMs.getAsLong();
        long[] s = seen.get(key);
        if (s == null) {
            seen.put(key, new long[] {1, 1, now});
            sink.accept("event=aeron_error component=" + component + " message=\"" + message + "\"");
            return;
        }
        s[0]++;
        if (now - s[2] >= REPEAT_MS) {
            sink.accept("event=aeron_error_repeated component=" + component + " count=" + s[0] + " since_last=" + (s[0] - s[1])
                    + " message=\"" + message + "\"");
            s[1] = s[0];
            s[2] = now;
        }
    }

    /** An error's first line (its class and message), double quotes made single: the rest is its stack. */
    static String firstLine(String text) {
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip().replace('"', '\'');
    }
}
