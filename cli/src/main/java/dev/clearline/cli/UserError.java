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
}
