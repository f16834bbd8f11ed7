package dev.clearline.sequencer.api;

/**
 * A request the gateway answers itself, without the cluster: a code for programs, a sentence for
 * people that says what to do, and the HTTP status REST uses for it.
 */
public final class ApiError extends Exception {
    private final String code;
    private final int status;

    public ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }
}
