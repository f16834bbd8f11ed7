package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.RulesVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A build whose rules differ ({@code RulesVersion}; here a node config naming the next version stands for the next
 * build) never applies a command that was taken under the old rules: it stops, names both versions and says how to
 * upgrade. The way it says works: the old build stopped with {@code --stop} leaves a snapshot at the end of the log,
 * from which the new build starts with every acknowledged order, and goes on taking new ones.
 */
class RulesUpgradeTest {
    private static final long CLIENT = 61;
    private static final int NEXT = RulesVersion.CURRENT + 1;
    private static final Market M = new Market(2);

    @TempDir
    Path dir;

    @Test
    void theNextRulesRefuseTheOldLogThenStartFromTheSnapshotThatStopTakesAtItsEnd() throws Exception {
        List<Command> commands = SnapshottedMember.session(M, CLIENT, 30, 17);
        Taken taken = takenByThisBuild(commands);
        NodeConfig config = taken.config();
        String root = taken.state().stateRoot();
        assertThat(root).isNotBlank();

        // the next build on this log: it stops at the first term's start, before the first command
        try (SequencerNode next = SequencerNode.start(config.withRules(NEXT), new NativeSecp256k1Verifier())) {
            ServiceStop stop = next.stopped().get(60, TimeUnit.SECONDS);
            assertThat(stop.cause()).isEqualTo(ServiceStop.Cause.RULES_MISMATCH);
            assertThat(stop.finding()).contains("term 0", "taken under rules " + RulesVersion.CURRENT, "applies rules " + NEXT);
            assertThat(stop.advice()).contains("--stop", "Upgrading to new rules");
        }

        // the old build again: nothing was lost; stopped with a snapshot at the end of its log
        try (SequencerNode old = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            assertThat(state(old)).isEqualTo(new State(commands.size(), root));
            assertThat(old.terminated()).isNotDone();
            old.terminated().thenRunAsync(old::close); // what the process does: it exits
            List<String> progress = new ArrayList<>();
            StopWithSnapshot.Outcome done = StopWithSnapshot.stop(dir, Duration.ofSeconds(60), StopWithSnapshot.EXIT_GRACE, System::currentTimeMillis, progress::add);
            assertThat(done.exitCode()).as(done.message()).isZero();
            assertThat(done.message()).contains("took a snapshot at log position", "replays nothing");
            assertThat(old.terminated()).isDone();
        }
        assertThat(StopWithSnapshot.stop(dir, Duration.ofSeconds(5), StopWithSnapshot.EXIT_GRACE, System::currentTimeMillis, line -> { }))
                .as("nothing runs there now").extracting(StopWithSnapshot.Outcome::exitCode).isEqualTo(1);

        // the next build starts from that snapshot: the same state, and it takes new orders under its rules
        List<Command> more = M.flow(CLIENT, commands.size() + 1, 10, new Random(18));
        NodeConfig upgraded = config.withRules(NEXT);
        String after;
        try (SequencerNode next = SequencerNode.start(upgraded, new NativeSecp256k1Verifier())) {
            assertThat(state(next)).isEqualTo(new State(commands.size(), root));
            after = send(next, more).stateRoot;
            assertThat(next.stopped()).isNotDone();
        }
        // and it restarts on its own log (the term it led names its rules)
        try (SequencerNode again = SequencerNode.start(upgraded, new NativeSecp256k1Verifier())) {
            assertThat(state(again)).isEqualTo(new State(commands.size() + more.size(), after));
            assertThat(again.stopped()).isNotDone();
        }
    }

    @Test
    void aSnapshotTakenMidTermIsNotEnoughTheCommandsLoggedAfterItStopTheNextBuild() throws Exception {
        List<Command> commands = SnapshottedMember.session(M, CLIENT, 30, 19);
        int half = commands.size() / 2;
        NodeConfig config;
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier())) {
            config = node.config();
            send(node, commands.subList(0, half));
            assertThat(node.requestSnapshot()).isTrue();
            long deadline = System.currentTimeMillis() + 30_000;
            while (node.snapshotCount() < 1 && System.currentTimeMillis() < deadline) Thread.sleep(10);
            assertThat(node.snapshotCount()).isEqualTo(1);
            send(node, commands.subList(half, commands.size()));
        } // closed as a crash leaves it: the snapshot, then half the session after it
        try (SequencerNode next = SequencerNode.start(config.withRules(NEXT), new NativeSecp256k1Verifier())) {
            ServiceStop stop = next.stopped().get(60, TimeUnit.SECONDS);
            assertThat(stop.cause()).isEqualTo(ServiceStop.Cause.RULES_MISMATCH);
            assertThat(stop.finding()).contains("after the snapshot this member started from (seq " + half + ")",
                    "taken under rules " + RulesVersion.CURRENT, "applies rules " + NEXT);
        }
    }

    /**
     * A single node stopped by its operator (Ctrl-C or SIGTERM: {@code closeWithSnapshot}) takes a snapshot at the end
     * of its log first, so the next build starts there without {@code --stop}; stopped without one, it would refuse.
     */
    @Test
    void aSingleNodeStoppedBySignalSnapshotsItsEndSoTheNextRulesStartThere() throws Exception {
        NodeConfig config;
        State before;
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier())) {
            config = node.config();
            before = send(node, SnapshottedMember.session(M, CLIENT, 10, 37));
            assertThat(node.closeWithSnapshot(Duration.ofSeconds(30))).isTrue();
            assertThat(node.terminated()).isDone();
        }
        try (SequencerNode next = SequencerNode.start(config.withRules(NEXT), new NativeSecp256k1Verifier())) {
            assertThat(state(next)).isEqualTo(before);
            assertThat(next.stopped()).isNotDone();
        }
    }

    /**
     * A node of a build from before {@code --stop} takes the snapshot, but its process does not end with the cluster
     * (here: nothing closes the node when it terminates): the command says so once the snapshot is there, and that the
     * process may be stopped, rather than wait for an exit that never comes. Its snapshot timer runs on meanwhile: it
     * read the consensus module's counters after the module had closed and unmapped them, a SIGSEGV that killed the JVM
     * (found with {@code up}, which ran on after its sequencer was stopped); it now leaves them alone once the module
     * terminates, and the count still includes the last snapshot.
     */
    @Test
    void aNodeThatDoesNotExitAfterItsSnapshotIsNamedAndTheStopStillCounts() throws Exception {
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS).withSnapshotInterval(Duration.ofSeconds(1)),
                new NativeSecp256k1Verifier())) {
            send(node, SnapshottedMember.session(M, CLIENT, 5, 23));
            StopWithSnapshot.Outcome done = StopWithSnapshot.stop(dir, Duration.ofSeconds(60), Duration.ofSeconds(1), System::currentTimeMillis,
                    line -> { });
            assertThat(done.exitCode()).as(done.message()).isZero();
            assertThat(done.message()).contains("stopped after a snapshot at log position", "has not exited", "stop it");
            assertThat(node.terminated()).isDone();
            assertThat(StopWithSnapshot.latestSnapshot(dir.resolve("cluster").toFile())).isPresent();
            Thread.sleep(1_500); // the timer's next rounds, with the module gone (it wakes at least once a second)
            assertThat(node.snapshotCount()).as("the stop's snapshot, counted before the module closed").isPositive();
        }
    }

    /**
     * A member that stopped applying the log still takes part in the cluster's snapshots until its process ends. What it
     * writes then is not its state (here short of every command the log holds) but a snapshot that says it holds none:
     * the next start of the right build refuses it with the reason instead of loading a state that would skip the log
     * before it, and once it is set aside that start has every command.
     */
    @Test
    void aMemberThatStoppedApplyingTheLogSnapshotsNoStateAndTheNextStartRefusesIt() throws Exception {
        Taken taken = takenByThisBuild(SnapshottedMember.session(M, CLIENT, 20, 31));
        NodeConfig config = taken.config();
        State full = taken.state();
        try (SequencerNode halted = SequencerNode.start(config.withRules(NEXT).withSnapshotInterval(Duration.ofSeconds(1)),
                new NativeSecp256k1Verifier())) {
            assertThat(halted.stopped().get(60, TimeUnit.SECONDS).cause()).isEqualTo(ServiceStop.Cause.RULES_MISMATCH);
            // it leads, and would ask for a snapshot every second: once stopped it asks for none (a request made before the
            // stop, while it replayed, is taken once the consensus module is active: the count is read after that)
            Thread.sleep(1_500);
            long before = halted.snapshotCount();
            Thread.sleep(2_500);
            assertThat(halted.snapshotCount()).as("snapshots asked for after the stop").isEqualTo(before);
            long deadline = System.currentTimeMillis() + 30_000;
            // the toggle takes a request once the consensus module is active (the member halted while it replayed)
            while (!halted.requestSnapshot() && System.currentTimeMillis() < deadline) Thread.sleep(10);
            while (halted.snapshotCount() < before + 1 && System.currentTimeMillis() < deadline) Thread.sleep(10);
            assertThat(halted.snapshotCount()).isEqualTo(before + 1);
        }
        try (SequencerNode again = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            ServiceStop stop = again.stopped().get(60, TimeUnit.SECONDS);
            assertThat(stop.cause()).isEqualTo(ServiceStop.Cause.SNAPSHOT_UNREADABLE);
            assertThat(stop.finding()).contains("holds no state", "stopped applying the log", "taken under rules " + RulesVersion.CURRENT);
            assertThat(stop.advice()).contains("--drop-latest-snapshot");
        }
        try (java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream())) {
            assertThat(io.aeron.cluster.ClusterTool.invalidateLatestSnapshot(quiet, dir.resolve("cluster").toFile())).isTrue();
        }
        try (SequencerNode fixed = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            assertThat(state(fixed)).isEqualTo(full);
        }
    }

    private record State(long seq, String stateRoot) {}

    /** A node's config (its ports fixed) and the state after the commands it took. */
    private record Taken(NodeConfig config, State state) {}

    /** A node of this build on {@code dir} takes {@code commands} and stops, as a crash leaves it (no snapshot). */
    private Taken takenByThisBuild(List<Command> commands) throws Exception {
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier())) {
            return new Taken(node.config(), send(node, commands));
        }
    }

    /** Sends {@code commands} and waits for every reply; the state after them. */
    private static State send(SequencerNode node, List<Command> commands) throws Exception {
        NodeConfig config = node.config();
        ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
        try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
            for (Command c : commands) client.send(c);
            SequencerClusterTest.awaitPolling(client, () -> in.size() >= commands.size());
        }
        return state(node);
    }

    private static State state(SequencerNode node) throws Exception {
        NodeConfig config = node.config();
        ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
        try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
            client.send(new Command.Query(CLIENT, 0, Command.QueryKind.STATE, 0, null, null));
            SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
            ObjectNode state = in.poll();
            return new State(state.get("seq").asLong(), state.get("stateRoot").asText());
        }
    }
}
