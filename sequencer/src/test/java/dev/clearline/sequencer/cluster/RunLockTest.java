package dev.clearline.sequencer.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aeron.cluster.codecs.mark.ClusterComponentType;
import io.aeron.cluster.service.ClusterMarkFile;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RunLock}: a node holds its directory while it runs, the kernel lets go when the process is
 * killed, and a killed run's mark files then stop holding the next start (Aeron would refuse it for
 * 10 s). {@code KillNineTest} checks the same on real nodes killed under load.
 */
class RunLockTest {
    @TempDir
    Path dir;

    @Test
    void aDirectoryHeldByAnotherProcessIsRefusedWithItsPidAndFreeTheMomentThatProcessIsKilled() throws Exception {
        Process holder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Holder.class.getName(), dir.toString())).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).as("the child took the lock").isEqualTo("HELD");
            assertThatThrownBy(() -> RunLock.take(dir, ProcessHandle.current().pid(), System.currentTimeMillis()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is in use: another node runs on it (pid " + holder.pid() + ")")
                    .hasMessageContaining("Stop that node first, or start this one with another --dir");
        } finally {
            holder.destroyForcibly(); // SIGKILL: no shutdown hook, no release by the child itself
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        try (RunLock taken = RunLock.take(dir, ProcessHandle.current().pid(), System.currentTimeMillis())) {
            assertThat(Files.readString(dir.resolve(RunLock.FILE_NAME))).isEqualTo("pid " + ProcessHandle.current().pid() + "\n");
        }
    }

    @Test
    void aSecondNodeInThisJvmIsRefusedUntilTheFirstCloses() throws Exception {
        RunLock first = RunLock.take(dir, 41, 0);
        assertThatThrownBy(() -> RunLock.take(dir, 42, 0)).hasMessageContaining("(pid 41)");
        first.close();
        RunLock.take(dir, 42, 0).close();
    }

    @Test
    void aKilledRunsClusterMarkFileIsTakenOverAtOnceWithItsCandidateTermKept() throws Exception {
        Files.createDirectories(dir.resolve("cluster"));
        File file = dir.resolve("cluster").resolve(ClusterMarkFile.FILENAME).toFile();
        long killedAt = 1_800_000_000_000L;
        ClusterMarkFile killed = new ClusterMarkFile(file, ClusterComponentType.CONSENSUS_MODULE, ClusterMarkFile.ERROR_BUFFER_MIN_LENGTH,
                () -> killedAt, 10_000);
        killed.encoder().candidateTermId(7);
        killed.signalReady();
        killed.updateActivityTimestamp(killedAt);
        killed.close(); // unmapped only: the file says what a kill -9 leaves, a heartbeat from moments ago

        long now = killedAt + 1_000;
        assertThatThrownBy(() -> new ClusterMarkFile(file, ClusterComponentType.CONSENSUS_MODULE, ClusterMarkFile.ERROR_BUFFER_MIN_LENGTH,
                () -> now, 10_000)).as("Aeron on its own").isInstanceOf(IllegalStateException.class).message().containsIgnoringCase("active mark file");
        assertThat(RunLock.releaseStaleMarkFiles(dir, killedAt + 10_000)).as("a heartbeat Aeron no longer counts is left as it is").isEmpty();
        assertThat(RunLock.releaseStaleMarkFiles(dir, now)).containsExactly("cluster/" + ClusterMarkFile.FILENAME);

        try (ClusterMarkFile next = new ClusterMarkFile(file, ClusterComponentType.CONSENSUS_MODULE, ClusterMarkFile.ERROR_BUFFER_MIN_LENGTH,
                () -> now, 10_000)) {
            assertThat(next.candidateTermId()).as("the vote it cast before the kill").isEqualTo(7);
        }
    }

    /** A process that takes the lock on {@code args[0]}, says so, and waits to be killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            RunLock.take(Path.of(args[0]), ProcessHandle.current().pid(), System.currentTimeMillis());
            System.out.println("HELD");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
