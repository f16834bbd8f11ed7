package dev.clearline.cli;

import dev.clearline.devnet.deploy.InvalidManifestException;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place where failures become what the user reads. A usage mistake (bad option, unknown
 * command) prints one line naming it and one line pointing at {@code --help}, exit code 2. A
 * {@link UserError} or another failure the user can fix prints its message, exit code 1. Anything
 * else is a bug: one line with its message and how to get the stack trace for a report, exit code
 * 70. With {@code --verbose} or {@code CLEARLINE_DEBUG=1} the stack trace follows every failure.
 */
final class ErrorReporting implements IParameterExceptionHandler, IExecutionExceptionHandler {
    static final int USAGE = CommandLine.ExitCode.USAGE;
    static final int FAILED = 1;
    /** EX_SOFTWARE from sysexits.h: an internal error. */
    static final int BUG = 70;
    /** Picocli's words for a value that is not a number of a Java type. */
    private static final Pattern JAVA_NUMBER = Pattern.compile("is not an? (long|int|short|byte|integer)\\b");

    private final PrintWriter out;
    private final PrintWriter err;
    private final BooleanSupplier debug;

    /**
     * @param out   where a command run with {@code --json} also gets its failure, as one JSON object
     * @param debug whether stack traces are wanted (read when a failure happens, after -v was parsed)
     */
    ErrorReporting(PrintWriter out, PrintWriter err, BooleanSupplier debug) {
        this.out = out;
        this.err = err;
        this.debug = debug;
    }

    /**
     * A script that passed {@code --json} reads stdout: a failure left it empty, so the script had nothing to parse
     * (and {@code escape report --dry-run} answered with an object where {@code escape --dry-run} answered with nothing).
     * It gets {@code {"error": message, "exitCode": n}} there too; stderr keeps the line people read.
     */
    private void json(CommandLine cmd, String message, int code) {
        ParseResult parsed = cmd.getParseResult();
        if (parsed == null || !parsed.hasMatchedOption("--json")) return;
        out.println(UserOptions.JSON.createObjectNode().put("error", message).put("exitCode", code).toString());
        out.flush();
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        // picocli names a required option missing before an unknown one: '--sid buy' reads as "missing --side", while the
        // slip in the name is what the user must fix
        String misspelt = ex instanceof CommandLine.MissingParameterException ? unknownOption(cmd, args) : null;
        if (misspelt != null || ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = misspelt != null ? misspelt : ((UnmatchedArgumentException) ex).getUnmatched().getFirst();
            List<String> suggestions = suggestions(cmd, arg, ex instanceof UnmatchedArgumentException u ? u.getSuggestions() : List.of());
            String what = arg.startsWith("-") ? "unknown option" : cmd.getSubcommands().isEmpty() ? "unexpected argument" : "unknown command";
            err.println(name + ": " + what + " '" + arg + "'"
                    + (suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions.stream().map(s -> "'" + s + "'").toList()) + "?"));
        } else {
            err.println(name + ": " + inUsersWords(lowerFirst(asTyped(ex, args))));
        }
        err.println("Run '" + name + " --help' for the " + (cmd.getSubcommands().isEmpty() ? "options." : "commands and options."));
        trace(ex);
        err.flush();
        return USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        String name = cmd.getCommandSpec().qualifiedName();
        String userMessage = userMessage(ex);
        if (userMessage != null) {
            err.println(name + ": " + userMessage);
            trace(ex);
            err.flush();
            int code = ex instanceof UserError u && u.isUsage() ? USAGE : FAILED;
            json(cmd, userMessage, code);
            return code;
        }
        String message = ex.getMessage() == null || ex.getMessage().isBlank() ? "an unexpected failure" : ex.getMessage();
        err.println(name + ": " + message);
        json(cmd, message, BUG);
        if (debug.getAsBoolean()) {
            trace(ex);
        } else {
            err.println("This is a bug in clearline: run the same command with --verbose (or CLEARLINE_DEBUG=1) for the details and report them.");
        }
        err.flush();
        return BUG;
    }

    /** The first argument after the command's name that looks like a long option {@code cmd} does not have, or null. */
    private static String unknownOption(CommandLine cmd, String[] args) {
        int from = java.util.Arrays.asList(args).indexOf(cmd.getCommandName());
        for (int i = from + 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) return null;
            String name = a.indexOf('=') > 0 ? a.substring(0, a.indexOf('=')) : a;
            if (name.startsWith("--") && name.length() > 2 && cmd.getCommandSpec().findOption(name) == null) return a;
        }
        return null;
    }

    /**
     * The names worth offering for {@code arg}, closest first: picocli's own guesses and every option name (or, for a
     * command, every subcommand) of {@code cmd} that is {@link #near} what was typed. picocli alone ranks by letters in
     * common and leaves out the one meant as often as not ('--dir' drew nothing, though watch takes '--data-dir').
     */
    static List<String> suggestions(CommandLine cmd, String arg, List<String> picocli) {
        String typed = arg.startsWith("--") && arg.indexOf('=') > 0 ? arg.substring(0, arg.indexOf('=')) : arg;
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(picocli);
        if (typed.startsWith("--")) {
            // long names only: '-x' is a one-letter slip from every short option, which says nothing
            for (var option : cmd.getCommandSpec().options()) {
                for (String n : option.names()) if (n.startsWith("--")) names.add(n);
            }
        } else if (!typed.startsWith("-")) {
            names.addAll(cmd.getSubcommands().keySet());
        }
        return names.stream().filter(n -> !n.equals(typed) && near(typed, n))
                .sorted(java.util.Comparator.comparingInt(n -> editDistance(typed.toLowerCase(java.util.Locale.ROOT), n.toLowerCase(java.util.Locale.ROOT))))
                .limit(3).toList();
    }

    /**
     * Whether {@code suggestion} is close enough to what was typed to be worth naming: picocli offers its
     * best few whatever they are ('frobnicate' drew 'watch'). A typo (few edits for the length), a
     * shortened name ('--rpc' for '--rpc-url') or one word of the option's name ('--key' for
     * '--key-file') is close; anything else is noise beside "--help".
     */
    static boolean near(String typed, String suggestion) {
        String a = typed.toLowerCase(java.util.Locale.ROOT);
        String b = suggestion.toLowerCase(java.util.Locale.ROOT);
        String bare = a.replaceFirst("^-+", "");
        if (bare.length() >= 3 && b.replaceFirst("^-+", "").startsWith(bare)) return true;
        // a name another command uses for the same thing ('--key' where this one takes '--key-file' or '--operator-key-file')
        if (bare.length() >= 3 && a.startsWith("--") && java.util.Arrays.asList(b.replaceFirst("^-+", "").split("-")).contains(bare)) return true;
        return editDistance(a, b) <= Math.max(1, Math.min(a.length(), b.length()) / 3);
    }

    /** Levenshtein distance: insertions, deletions and substitutions; a swap of neighbours counts as one. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** The message of a failure the user can act on, or null when {@code ex} is a bug. */
    private static String userMessage(Throwable ex) {
        return switch (ex) {
            case UserError e -> e.getMessage();
            case InvalidManifestException e -> e.getMessage();
            default -> null;
        };
    }

    private void trace(Throwable ex) {
        if (debug.getAsBoolean()) ex.printStackTrace(err);
    }

    /**
     * Picocli names an option by its longest name; a user who typed another of its names
     * (deploy's {@code --key} for {@code --private-key}) reads the one they typed.
     */
    static String asTyped(ParameterException ex, String[] args) {
        String message = ex.getMessage();
        if (message == null || !(ex.getArgSpec() instanceof CommandLine.Model.OptionSpec option)) return message;
        String longest = option.longestName();
        for (String arg : args) {
            for (String n : option.names()) {
                if (!n.equals(longest) && (arg.equals(n) || arg.startsWith(n + "="))) return message.replace("'" + longest + "'", "'" + n + "'");
            }
        }
        return message;
    }

    /** Picocli names a Java type where a number was wanted ("'x' is not a long"); a user asked for a number. */
    static String inUsersWords(String message) {
        return JAVA_NUMBER.matcher(message).replaceAll("is not a whole number");
    }

    private static String lowerFirst(String s) {
        if (s == null || s.isEmpty()) return "invalid arguments";
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
