package dev.clearline.sequencer.durability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code SequencerMain} (the operator's process, unchanged) stops with exit code 5 when its state
 * machine fails on a committed command, and a restart on the same directory stops the same way at
 * the same command instead of skipping it. The failure needs a command the real state throws on,
 * i.e. a bug; so the child runs with one class of its classpath replaced, as a test can do without
 * any hook in production code: a {@code NativeSecp256k1Verifier} compiled here, placed ahead of
 * the real one, that throws when the cluster service asks it to recover a signature (the oracle
 * price's, the one signature the state recovers while it applies a command). The gateway's order
 * checks still get answers. {@code ApplyFailedTest} covers the stop itself in process.
 */
class ApplyFailedExitTest {
    static final String BROKEN_VERIFIER = """
            package dev.clearline.engine.order;

            /** The test's stand-in: fails inside the cluster service (a bug there), answers elsewhere. */
            public final class NativeSecp256k1Verifier implements SignatureVerifier {
                private final SignatureVerifier real = new BouncyCastleVerifier();

                @Override
                public Address recover(Hash32 digest, Signature signature) {
                    boolean inService = StackWalker.getInstance().walk(frames -> frames.anyMatch(
                            f -> f.getClassName().equals("dev.clearline.sequencer.cluster.SequencerService")));
                    if (inService) throw new IllegalStateException("verifier bug on purpose");
                    return real.recover(digest, signature);
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void aStateMachineFailureEndsTheSequencerProcessWithExitCodeFiveAndARestartStopsAtTheSameCommand() throws Exception {
        Path shadow = compileBrokenVerifier();
        String first = runUntilExit(shadow, 0, "--dev-setup", "1", "--dev-oracle", "1=10000");
        assertThat(first).contains("event=apply_failed", "stopped: applying the command at log position", "(Oracle) failed",
                "verifier bug on purpose", "This is a bug");
        String position = positionIn(first);
        // the oracle price is in the log: the restart replays it and stops there again, with the same code
        String second = runUntilExit(shadow, 1);
        assertThat(positionIn(second)).as("the log position of the failing command after a restart\n" + second).isEqualTo(position);
    }

    private Path compileBrokenVerifier() throws Exception {
        Path src = dir.resolve("shadow-src/dev/clearline/engine/order/NativeSecp256k1Verifier.java");
        Path out = dir.resolve("shadow-classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(out);
        Files.writeString(src, BROKEN_VERIFIER);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, errors, errors, "-d", out.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
        assertThat(rc).as("compiling the stand-in verifier: " + errors).isZero();
        return out;
    }

    /** Runs SequencerMain with the stand-in first on its classpath until it exits; asserts exit code 5 and returns its output. */
    private String runUntilExit(Path shadow, int run, String... extra) throws Exception {
        Path log = dir.resolve("run-" + run + ".log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                // a short run that only starts, applies a few commands and stops: C1 and one GC thread spare the CPU of a busy suite
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", shadow + File.pathSeparator + System.getProperty("java.class.path"),
                "dev.clearline.sequencer.SequencerMain", "--dir", dir.resolve("node").toString(), "--port", "0"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // start-up, the first oracle tick (every second) and the stop: seconds quiet, 70 s seen at load 36
            if (!p.waitFor(ChildSequencer.READY_MS, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the sequencer did not exit within " + ChildSequencer.READY_MS / 1000 + " s of its start ("
                        + ChildSequencer.cpuUsed(p) + ")\n" + ChildSequencer.threadDump(p.pid()) + Files.readString(log));
            }
            String out = Files.readString(log);
            assertThat(p.exitValue()).as("exit code of run " + run + "; its output:\n" + out).isEqualTo(5);
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    private static String positionIn(String out) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("stopped: applying the command at log position (\\d+)").matcher(out);
        assertThat(m.find()).as("the stop line in\n" + out).isTrue();
        return m.group(1);
    }
}
