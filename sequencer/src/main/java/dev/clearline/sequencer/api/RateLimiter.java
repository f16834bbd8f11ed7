package dev.clearline.sequencer.api;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (a client's address, a trader's key): {@code perSecond} requests a second
 * on average, bursts up to {@code burst}. The clock comes in, so tests drive it. A bucket that has
 * refilled completely holds nothing a new one would not, so such buckets are dropped now and then:
 * clients that come and go (or one that changes its address for every request) do not grow the map
 * for good.
 */
public final class RateLimiter {
    private final double perNano;
    private final double burst;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<Object, Bucket> buckets = new ConcurrentHashMap<>();
    /** How many acquisitions between two sweeps of the refilled buckets (a sweep walks them all). */
    static final int SWEEP_EVERY = 4_096;
    private final java.util.concurrent.atomic.AtomicLong acquisitions = new java.util.concurrent.atomic.AtomicLong();

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
        if (acquisitions.incrementAndGet() % SWEEP_EVERY == 0) sweep();
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

    /**
     * Drops the buckets that have refilled to the brim since their last use: a new bucket starts full.
     * A request racing the sweep may take its token from a bucket just dropped; the most it gains is
     * one request, once.
     */
    private void sweep() {
        long now = nanos.getAsLong();
        buckets.values().removeIf(b -> {
            synchronized (b) {
                return b.tokens + (now - b.at) * perNano >= burst;
            }
        });
    }

    /** How many keys hold a bucket now. */
    int size() {
        return buckets.size();
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
