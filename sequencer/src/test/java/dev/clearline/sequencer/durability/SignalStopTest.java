package dev.clearline.sequencer.durability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill PID} (SIGTERM, what a supervisor or Ctrl-C's neighbour sends) stops a sequencer and
 * it starts again where it stood. Aeron's consensus module takes SIGINT and SIGTERM from the JVM
 * when it starts (Agrona 2.2's ShutdownSignalBarrier; from Agrona 2.3 a shutdown hook that waits 10 s for it), so before {@code StopOnSignal} the signal was
 * swallowed and the node ran on until killed with -9. A single node takes a snapshot at the end of its log on the way
 * out, and the restart starts from it.
 */
class SignalStopTest {
    @TempDir
    Path dir;

    @Test
    void sigtermStopsTheNodeCleanlyAndARestartResumesItsLog() throws Exception {
        long seqBefore;
        try (ChildSequencer first = ChildSequencer.start(dir, 0, "--dev-setup", "2")) {
            seqBefore = first.seqAtStart;
            // an operator trying the node reads the dev traders' keys from its log, to trade with the CLI
            assertThat(Files.readString(first.log)).contains("event=dev_trader index=1 address=" + dev.clearline.sequencer.DevAccounts.trader(1).address()
                    + " key=" + dev.clearline.sequencer.DevAccounts.traderKeyHex(1));
            assertThat(dev.clearline.engine.order.Signer.ofHex(dev.clearline.sequencer.DevAccounts.traderKeyHex(1)).address())
                    .isEqualTo(dev.clearline.sequencer.DevAccounts.trader(1).address());
            first.process.destroy(); // SIGTERM
            // the node closes its API, gateway and Aeron parts in its shutdown hook: seconds, more on a loaded machine
            boolean ended = first.process.waitFor(120, TimeUnit.SECONDS);
            assertThat(ended).as("the node ended after SIGTERM; " + first.diagnosis()).isTrue();
            assertThat(first.process.exitValue()).as("exit code; output:\n" + Files.readString(first.log)).isZero();
            // a single node takes a snapshot at the end of its log before it goes: the next start replays nothing
            assertThat(Files.readString(first.log)).contains("event=stopped_with_snapshot member=0").doesNotContain("stopped with the cluster");
        }
        assertThat(seqBefore).as("the dev set-up wrote commands").isPositive();
        try (ChildSequencer second = ChildSequencer.start(dir, 1)) {
            assertThat(second.seqAtStart).as("the restarted node's log position").isGreaterThanOrEqualTo(seqBefore);
            assertThat(Files.readString(second.log)).contains("event=sequencer_start from=snapshot");
        }
    }
}
