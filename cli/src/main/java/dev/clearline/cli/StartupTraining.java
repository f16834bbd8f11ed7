package dev.clearline.cli;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * The training run that records the JVM start-up cache of {@code ./clearline devnet} (the
 * launcher runs it once per build): the command line as a user types it ({@code devnet --port 0},
 * parsed by picocli, the banner printed), and meanwhile devnet's own training session
 * ({@link dev.clearline.devnet.StartupTraining}: a deployment, transfers, calls over HTTP). Classes
 * the training never loads are read, parsed and verified from the jar on every start; the CLI's
 * were, before this class went through the command line too.
 */
public final class StartupTraining {
    private StartupTraining() {}

    public static void main(String[] args) {
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        int code = Main.run(new String[] {"devnet", "--port", "0"}, quiet, quiet, stop -> {
            try {
                dev.clearline.devnet.StartupTraining.main(args);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("the devnet's training session failed", e);
            } finally {
                stop.run();
            }
        });
        System.exit(code);
    }
}
