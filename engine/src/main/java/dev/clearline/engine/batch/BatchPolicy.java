package dev.clearline.engine.batch;

/** When to seal: at {@code maxTransitions}, or once the open batch is {@code maxAgeSeconds} old (time as input). */
public record BatchPolicy(int maxTransitions, long maxAgeSeconds) {
    public BatchPolicy {
        if (maxTransitions < 1) throw new IllegalArgumentException("maxTransitions must be at least 1, got " + maxTransitions);
        if (maxAgeSeconds < 0) throw new IllegalArgumentException("maxAgeSeconds must not be negative, got " + maxAgeSeconds);
    }
}
