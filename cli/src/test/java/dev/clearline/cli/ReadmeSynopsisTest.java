package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The README's CLI section is where a user learns the flags: every option a command takes is named
 * there (a flag added to a command and not to the README was found only by reading --help).
 */
class ReadmeSynopsisTest {
    /** Every command has these; the README says so once (--help, -v) instead of in every synopsis. */
    private static final Set<String> EVERYWHERE = Set.of("--help", "--version", "--verbose");

    @Test
    void everyOptionOfEveryCommandIsNamedInTheReadmesCliSection() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("\n## CLI");
        assertThat(start).as("the README's CLI section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        String cli = readme.substring(start, end < 0 ? readme.length() : end);

        PrintWriter sink = new PrintWriter(new StringWriter());
        CommandLine root = Main.commandLine(new Main(), sink, sink, Lifecycle.untilInterrupted());
        List<String> missing = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        collect(root, cli, missing, seen);
        assertThat(seen).as("options read from the command tree").hasSizeGreaterThan(60).contains("watch --node-cache");
        assertThat(missing).as("options no README synopsis names (README.md, \"CLI\")").isEmpty();
    }

    private static void collect(CommandLine cmd, String cli, List<String> missing, List<String> seen) {
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            if (o.hidden() || EVERYWHERE.contains(o.longestName())) continue;
            String where = cmd.getCommandSpec().qualifiedName(" ").replaceFirst("^clearline ?", "");
            seen.add(where + " " + o.longestName());
            if (!named(cli, o.longestName())) missing.add(where + " " + o.longestName());
        }
        cmd.getSubcommands().values().forEach(c -> collect(c, cli, missing, seen));
    }

    /** The name as a whole word: --rpc is not named by --rpc-url. */
    private static boolean named(String text, String name) {
        return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(name) + "(?![a-z0-9-])").matcher(text).find();
    }
}
