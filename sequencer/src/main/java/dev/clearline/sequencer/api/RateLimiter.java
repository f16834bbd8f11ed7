package dev.clearline.sequencer.api;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (a trader's address, or a connection for requests that name none):
 * {@code perSecond} requests a second on average, bursts up to {@code burst}. The clock comes in,
 * so tests drive it.
 */
public final class RateLimiter {
    private final double perNano;
    private final double burst;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<Object, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(double perSecond, double burst, LongSupplier nanos) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.nanos = nanos;
    }

    public double perSecond() {
        return perNano * 1e9;
    }

    /** Takes one token for {@code key}; returns 0 when granted, else the milliseconds until one is free. */
    public long acquire(Object key) {
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, nanos.getAsLong()));
        synchronized (b) {
            long now = nanos.getAsLong();
            b.tokens = Math.min(burst, b.tokens + (now - b.at) * perNano);
            b.at = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - b.tokens) / perNano / 1e6));
        }
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }
}
