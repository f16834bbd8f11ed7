package dev.clearline.sequencer.durability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sequencer whose start fails half-way ends its process with one line saying why, instead of
 * lingering: the node's Aeron driver thread outlives a failed {@code main}, so such a process
 * neither served nor ended (seen under a starved CPU, where the gateway's first connection to the
 * cluster timed out: the child of {@code KillNineTest} sat there until its 240 s start-up bound).
 * The API's port being taken is the deterministic way to fail after the node has started; it is
 * a usage error (exit code 2) that names the port and the option to change, and it comes before
 * the L1 side would bond and post.
 */
class StartFailureExitTest {
    @TempDir
    Path dir;

    @Test
    void aStartThatFailsAfterTheNodeIsUpEndsTheProcessWithTheReason() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Path log = dir.resolve("run.log");
            Process p = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    "dev.clearline.sequencer.SequencerMain", "--dir", dir.resolve("node").toString(), "--port", String.valueOf(port)))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                boolean ended = p.waitFor(ChildSequencer.READY_MS, TimeUnit.MILLISECONDS);
                String out = Files.readString(log);
                assertThat(ended).as("the process ended (" + ChildSequencer.cpuUsed(p) + "); its output:\n" + out
                        + (p.isAlive() ? ChildSequencer.threadDump(p.pid()) : "")).isTrue();
                assertThat(p.exitValue()).as("exit code; output:\n" + out).isEqualTo(2);
                assertThat(out).contains("event=node_started", "the trader API cannot listen on 127.0.0.1:" + port, "Address already in use",
                        "pass --port with a free port");
                assertThat(out).doesNotContain("SEQUENCER_READY");
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
