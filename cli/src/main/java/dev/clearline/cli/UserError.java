package dev.clearline.cli;

/**
 * A mistake the user can fix (a bad option value, a file in the wrong place, a node that is not
 * there). Its message is complete as is: what is wrong and what to do. It is printed without a
 * stack trace unless the user asks for one with {@code --verbose} or {@code CLEARLINE_DEBUG=1}.
 */
final class UserError extends RuntimeException {
    UserError(String message) {
        super(message);
    }

    UserError(String message, Throwable cause) {
        super(message, cause);
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
