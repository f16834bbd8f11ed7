package dev.clearline.sequencer.cluster;

import io.aeron.cluster.ClusterTool;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.RecordingLog;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * {@code ./clearline sequencer --dir DIR --stop}: stops a running cluster at the end of its log. The leader's
 * consensus module is told to shut down (Aeron's control toggle, as its {@code ClusterTool shutdown} does): every
 * member takes a snapshot at the same log position and stops, and each node process exits
 * ({@link SequencerNode#terminated}). Their next start loads that snapshot and replays nothing, which is what a
 * member of a build with other rules needs ({@code RulesVersion}): a snapshot is data, the log after one is
 * commands that were applied under the rules of their day.
 */
public final class StopWithSnapshot {
    /** What happened, as the command's exit code and the line it prints. */
    public record Outcome(int exitCode, String message) {}

    private StopWithSnapshot() {}

    /** How long a node that took its snapshot may take to exit before the command says it does not exit by itself. */
    public static final Duration EXIT_GRACE = Duration.ofSeconds(15);

    /**
     * Stops the cluster whose leader runs on {@code dir}, then waits up to {@code wait} for that node to exit,
     * telling {@code progress} every few seconds; {@code clockMs} reads the time the waiting counts. A node that took
     * its snapshot but has not exited {@code grace} later is of a build from before {@code --stop}, whose process
     * does not end with its cluster: the command says so and that it may be stopped.
     */
    public static Outcome stop(Path dir, Duration wait, Duration grace, LongSupplier clockMs, Consumer<String> progress)
            throws InterruptedException {
        File cluster = dir.resolve("cluster").toFile();
        if (!cluster.isDirectory()) {
            return new Outcome(2, "no member directory at " + dir + " (it has no cluster/ directory); give the --dir the member runs on");
        }
        switch (running(dir, clockMs)) {
            case NOT_RUNNING -> {
                return new Outcome(1, "no node runs on " + dir + ", so nothing is stopped. A stopped member starts from its latest snapshot"
                        + latestSnapshot(cluster).stream().mapToObj(p -> " (log position " + p + ")").findFirst().orElse("")
                        + " and replays the log after it; to stop with a snapshot at the end of the log, start the node and use --stop on it");
            }
            case UNKNOWN -> {
                return new Outcome(2, "cannot tell whether a node runs on " + dir + " (its run lock does not open); check the directory's permissions");
            }
            case RUNNING -> { }
        }
        String[] said = new String[1];
        int leader = aeron(said, out -> ClusterTool.isLeader(out, cluster));
        if (leader != 0) {
            return new Outcome(1, leader > 0
                    ? "the member on " + dir + " is not the cluster's leader, and only the leader stops a cluster: run --stop with the leader's"
                    + " --dir (its status endpoint says \"role\": \"LEADER\"); every member then takes a snapshot at the same log position and stops"
                    : "cannot reach the member on " + dir + " through its media driver: " + said[0]);
        }
        OptionalLong before = latestSnapshot(cluster);
        boolean asked = aeron(said, out -> ClusterTool.shutdown(cluster, out) ? 1 : 0) == 1;
        if (!asked) return new Outcome(1, "the leader on " + dir + " did not take the stop (Aeron: " + said[0] + "); try again in a moment");
        long began = clockMs.getAsLong();
        long nextWord = began + 5_000;
        long nextLook = began + 1_000;
        long snapshotSeen = -1;
        while (running(dir, clockMs) == Running.RUNNING) {
            long now = clockMs.getAsLong();
            if (snapshotSeen < 0 && now >= nextLook) {
                nextLook = now + 1_000;
                if (!latestSnapshot(cluster).equals(before)) snapshotSeen = now;
            }
            if (snapshotSeen >= 0 && now - snapshotSeen > grace.toMillis()) {
                OptionalLong at = latestSnapshot(cluster);
                return new Outcome(0, "the cluster stopped after a snapshot at log position " + (at.isPresent() ? at.getAsLong() : "(unknown)")
                        + ", but the node process on " + dir + " has not exited (a build from before --stop does not end with its cluster):"
                        + " stop it (Ctrl-C or SIGTERM; nothing after the snapshot is lost), then start the members again");
            }
            if (now - began > wait.toMillis()) {
                return new Outcome(1, "asked the cluster to stop, but the node on " + dir + " still runs after " + wait.toSeconds() + " s; see its"
                        + " log (event=node_terminated is its last line once it stops)");
            }
            if (now >= nextWord) {
                progress.accept("waiting for the member on " + dir + " to take its snapshot and stop (" + (now - began) / 1000 + " s)");
                nextWord = now + 5_000;
            }
            Thread.sleep(100);
        }
        OptionalLong at = latestSnapshot(cluster);
        return new Outcome(0, "the cluster stopped; the member on " + dir + " took a snapshot at log position "
                + (at.isPresent() ? at.getAsLong() : "(unknown)") + ", as every member did at the same position. Start the members again (the"
                + " same options; with a new build, every one of them): each starts from that snapshot and replays nothing");
    }

    private enum Running { RUNNING, NOT_RUNNING, UNKNOWN }

    private static Running running(Path dir, LongSupplier clockMs) {
        try (RunLock ignored = RunLock.take(dir, ProcessHandle.current().pid(), clockMs.getAsLong())) {
            return Running.NOT_RUNNING;
        } catch (IllegalStateException e) {
            return Running.RUNNING;
        } catch (IOException e) {
            return Running.UNKNOWN;
        }
    }

    /** The log position of the latest valid snapshot in a member's recording log, if it has one. */
    static OptionalLong latestSnapshot(File cluster) {
        try (RecordingLog log = new RecordingLog(cluster, false)) {
            RecordingLog.Entry e = log.getLatestSnapshot(ConsensusModule.Configuration.SERVICE_ID);
            return e == null ? OptionalLong.empty() : OptionalLong.of(e.logPosition);
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private interface AeronCall {
        int call(PrintStream out);
    }

    /** Runs one of Aeron's tool calls, its printout kept in {@code said[0]}. */
    private static int aeron(String[] said, AeronCall call) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int result;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            result = call.call(out);
        } catch (RuntimeException e) {
            said[0] = e.getMessage();
            return -1;
        }
        said[0] = bytes.toString(StandardCharsets.UTF_8).strip();
        return result;
    }
}
