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
 * The upgrade path of docs/replication.md on three members in this JVM: {@code --stop} on the leader stops all three
 * after the same snapshot; all three started under the next rules elect a leader, agree on the seq and root the old
 * rules left, and take new commands.
 */
class ClusterRulesUpgradeTest {
    private static final long CLIENT = 71;
    private static final Market M = new Market(2);

    @TempDir
    Path dir;

    @Test
    void threeMembersStoppedWithASnapshotStartUnderTheNextRulesWhereTheyStood() throws Exception {
        List<NodeConfig> configs = members(RulesVersion.CURRENT);
        List<Command> commands = SnapshottedMember.session(M, CLIENT, 20, 41);
        List<SequencerNode> nodes = start(configs);
        MemberStatus before;
        try {
            send(configs.getFirst(), commands);
            before = agreed(nodes, commands.size());
            int leader = leaderOf(nodes);
            for (SequencerNode n : nodes) n.terminated().thenRunAsync(n::close); // what each process does: it exits
            StopWithSnapshot.Outcome done = StopWithSnapshot.stop(configs.get(leader).dir(), Duration.ofSeconds(60), StopWithSnapshot.EXIT_GRACE,
                    System::currentTimeMillis, line -> { });
            assertThat(done.exitCode()).as(done.message()).isZero();
            for (SequencerNode n : nodes) assertThat(n.terminated().get(60, TimeUnit.SECONDS)).isNull();
            long[] at = configs.stream().mapToLong(c -> StopWithSnapshot.latestSnapshot(c.dir().resolve("cluster").toFile()).orElseThrow()).toArray();
            assertThat(at).as("every member's snapshot position").containsOnly(at[0]);
        } finally {
            for (SequencerNode n : nodes) n.close();
        }

        int next = RulesVersion.CURRENT + 1;
        List<NodeConfig> upgraded = configs.stream().map(c -> c.withRules(next)).toList();
        List<SequencerNode> again = start(upgraded);
        try {
            MemberStatus restarted = agreed(again, commands.size());
            assertThat(restarted.stateRoot()).isEqualTo(before.stateRoot());
            List<Command> more = M.flow(CLIENT, commands.size() + 1, 10, new Random(42));
            send(upgraded.getFirst(), more);
            agreed(again, commands.size() + more.size());
            for (SequencerNode n : again) assertThat(n.stopped()).isNotDone();
        } finally {
            for (SequencerNode n : again) n.close();
        }
    }

    private List<NodeConfig> members(int rules) throws java.io.IOException {
        List<NodeConfig.Member> list = LoopbackMembers.free(3);
        List<NodeConfig> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) out.add(NodeConfig.member(dir.resolve("m" + i), Market.GENESIS, i, list, Duration.ZERO, TestSecrets.SECRET).withRules(rules));
        return out;
    }

    private static List<SequencerNode> start(List<NodeConfig> configs) throws Exception {
        List<SequencerNode> nodes = new ArrayList<>();
        // started together: a member alone waits for the others in the start-up canvass
        // (a thread each: the common pool has one thread on two cores, and each start waits to hear from the others)
        List<java.util.concurrent.CompletableFuture<SequencerNode>> starting = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(configs.size())) {
            for (NodeConfig c : configs) {
                starting.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return SequencerNode.start(c, new NativeSecp256k1Verifier());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, threads));
            }
            for (var s : starting) nodes.add(s.get(120, TimeUnit.SECONDS));
        }
        return nodes;
    }

    private static void send(NodeConfig via, List<Command> commands) throws Exception {
        ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
        try (ClusterClient client = ClusterClient.connect(via.aeronDir(), via.ingress(), in::add, 60_000)) {
            for (Command c : commands) client.send(c);
            SequencerClusterTest.awaitPolling(client, () -> in.size() >= commands.size());
        }
    }

    /** Waits until every member holds {@code seq} commands and the same root; that status. */
    private static MemberStatus agreed(List<SequencerNode> nodes, long seq) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            List<MemberStatus> s = new ArrayList<>();
            for (SequencerNode n : nodes) s.add(n.status().get(10, TimeUnit.SECONDS));
            boolean same = s.stream().allMatch(m -> m.seq() == seq && m.stateRoot().equals(s.getFirst().stateRoot()));
            if (same && s.stream().filter(m -> m.role() == io.aeron.cluster.service.Cluster.Role.LEADER).count() == 1) return s.getFirst();
            if (System.currentTimeMillis() > deadline) throw new AssertionError("members did not agree on seq " + seq + ": " + s);
            Thread.sleep(50);
        }
    }

    private static int leaderOf(List<SequencerNode> nodes) {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i).isLeader()) return i;
        throw new AssertionError("no leader");
    }
}
