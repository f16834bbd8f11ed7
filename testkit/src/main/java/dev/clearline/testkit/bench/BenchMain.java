package dev.clearline.testkit.bench;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs a benchmark's {@code main} so that arguments it refuses read as a sentence, not a stack trace:
 * {@code ./clearline bench engine --bogus} printed {@code Exception in thread "main"
 * java.lang.IllegalArgumentException: unknown benchmark ...} and twenty lines of frames. A benchmark
 * refuses its arguments with an {@link IllegalArgumentException} (a {@link NumberFormatException}
 * for a number that is not one); that prints its message and exits 2, as does an option at the end
 * with no value (its {@code main} read past the arguments). Anything else is a failure of the
 * benchmark and keeps its stack trace.
 */
public final class BenchMain {
    private BenchMain() {}

    /** {@code args[0]}: the benchmark's class; the rest: its arguments. */
    public static void main(String[] args) throws Throwable {
        int code = run(args, System.err);
        if (code != 0) System.exit(code);
    }

    /** Runs the benchmark; 0 when it ends, 2 when it refused its arguments (said on {@code err}). */
    static int run(String[] args, PrintStream err) throws Throwable {
        if (args.length == 0) {
            err.println("clearline bench: no benchmark class given (BenchMain CLASS ARGS...)");
            return 2;
        }
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
            return 0;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException refused) {
                err.println("clearline bench: " + refusal(refused) + "; nothing was measured");
                return 2;
            }
            if (cause instanceof ArrayIndexOutOfBoundsException && thrownByMain(cause, args[0])) {
                // the benchmarks read an option's value as args[++i]: past the end, the last option had none
                err.println("clearline bench: the last option (" + args[args.length - 1] + ") needs a value; nothing was measured");
                return 2;
            }
            throw cause;
        }
    }

    /** Thrown by the benchmark's own {@code main} (its argument loop), not somewhere in what it measures. */
    private static boolean thrownByMain(Throwable t, String benchmark) {
        StackTraceElement[] frames = t.getStackTrace();
        return frames.length > 0 && frames[0].getClassName().equals(benchmark) && frames[0].getMethodName().equals("main");
    }

    private static String refusal(IllegalArgumentException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // Integer.parseInt's own words name neither the rule nor the fix
        if (e instanceof NumberFormatException && message.startsWith("For input string: ")) {
            return "expected a number, got " + message.substring("For input string: ".length());
        }
        return message;
    }
}
