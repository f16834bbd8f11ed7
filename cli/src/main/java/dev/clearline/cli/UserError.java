package dev.clearline.cli;

/**
 * A mistake the user can fix (a bad option value, a file in the wrong place, a node that is not
 * there). Its message is complete as is: what is wrong and what to do. It is printed without a
 * stack trace unless the user asks for one with {@code --verbose} or {@code CLEARLINE_DEBUG=1}.
 */
final class UserError extends RuntimeException {
    /** A mistake in how the command was typed (a value out of its range, a malformed hash): exit code 2, as picocli's own. */
    private final boolean usage;

    UserError(String message) {
        this(message, null, false);
    }

    UserError(String message, Throwable cause) {
        this(message, cause, false);
    }

    private UserError(String message, Throwable cause, boolean usage) {
        super(message, cause);
        this.usage = usage;
    }

    /** A value the command line gave that no state of any chain would take: the command exits 2, as for picocli's own checks. */
    static UserError usage(String message) {
        return new UserError(message, null, true);
    }

    boolean isUsage() {
        return usage;
    }

    /**
     * {@code e}, or when some payments of the same run went through before it, {@code e} with them named: they
     * are on L1 whatever failed next, and a trader who reads only the failure would think nothing was paid.
     */
    static UserError afterPaid(UserError e, java.util.List<String> paid, String total, String rest) {
        if (paid.isEmpty()) return e;
        return new UserError(e.getMessage() + "; paid in this run before it: " + String.join(", ", paid) + " (" + total + " in all); " + rest, e);
    }
}
