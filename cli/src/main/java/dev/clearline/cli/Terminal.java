package dev.clearline.cli;

import java.io.Console;
import java.util.Optional;

/** The person at the terminal, when there is one: a command run from a script or a pipe has nobody to ask. */
final class Terminal {
    private Terminal() {}

    /** Asks without echo; empty when no terminal is attached. */
    static Optional<char[]> askPassword(String question) {
        Console c = System.console();
        if (c == null || !isTerminal(c)) return Optional.empty();
        char[] typed = c.readPassword("%s", question);
        return Optional.ofNullable(typed);
    }

    /**
     * From JDK 22 {@code System.console()} answers even when input and output are redirected, and says so with {@code
     * isTerminal()}, which a build for Java 21 can only find at run time; on 21 a console is only returned for a terminal.
     */
    private static boolean isTerminal(Console c) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
