package dev.clearline.sequencer.api;

/**
 * A request the gateway answers itself, without the cluster: a code for programs, a sentence for
 * people that says what to do, and the HTTP status REST uses for it.
 */
public final class ApiError extends Exception {
    private final String code;
    private final int status;
    private final long retryAfterMs;

    public ApiError(int status, String code, String message) {
        this(status, code, message, 0);
    }

    /** A refusal that lifts by itself: {@code retryAfterMs} is how long to wait (a rate limit's refill), 0 when it does not. */
    public ApiError(int status, String code, String message, long retryAfterMs) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
        this.retryAfterMs = retryAfterMs;
    }

    /** Milliseconds until the request may be sent again, or 0 when waiting does not help. */
    public long retryAfterMs() {
        return retryAfterMs;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }
}
