package dev.clearline.sequencer.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.state.CommandHistory;
import dev.clearline.sequencer.state.HistoryPages;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three sequencer members, each in its own JVM on loopback, under a steady flow of signed orders
 * from a gateway in this JVM (a cluster client that follows the leader). The leader is killed
 * with {@code kill -9} at a random moment after an acknowledgement, several times; after each kill:
 * a new leader is elected, every order the clients sent is answered (the gateway resends what the
 * old leader had not answered, the service answers repeats with their first outcome), every
 * acknowledgement, including those sent before the kill, replays identically at its seq from the
 * new leader's log, no two orders share a seq, the surviving members and then all three (the
 * killed one restarted on its directory, catching up as a follower) agree on seq and state root,
 * and the time from the kill to the first acknowledgement of an order sent after it is printed.
 * Then, still under the flow, a follower is killed and restarted, and another is killed, its
 * directory deleted and started empty: it copies the cluster's latest snapshot and the log after
 * it ({@code SnapshotSeed}) and starts from that snapshot; both catch up and all three agree again.
 * CI kills the leader 3 times; the campaign:
 * {@code ./mvnw -pl sequencer verify -Dtest=LeaderFailoverTest -Dclearline.replication.kills=20}; with
 * {@code -Dclearline.replication.seedChain=true} every member is then wiped and seeded in turn, the leader last.
 */
class LeaderFailoverTest {
    static final Genesis GENESIS = Genesis.devnet(Market.ROLLUP);
    static final int TRADERS = 4;
    /**
     * The longest a client may wait, from the leader's kill to the first acknowledgement of an order
     * sent after it. About 1.0-1.3 s on a quiet machine; under a starved CPU an election can flip
     * twice (6.6 s seen with six builds on 2 cores), so the suite's bound is 10 s. The stall this
     * guards against (dead gateway sessions filling the cluster's session limit) grows without end
     * and never recovers; a quiet campaign can tighten it with {@code -Dclearline.replication.maxGapMs=2000}.
     */
    static final long MAX_GAP_MS = Long.getLong("clearline.replication.maxGapMs", 10_000);

    @TempDir
    Path dir;

    @Test
    void leaderKillsLoseNoAcknowledgedOrderAndKilledOrWipedFollowersCatchUp() {
        int kills = Integer.getInteger("clearline.replication.kills", 3);
        Property.forAll(Gens.seeds()).tries(1).check(seed -> {
            Random random = new Random(seed);
            List<Long> failoverMs = new ArrayList<>();
            try (Cluster c = Cluster.start(dir, seed)) {
                for (int k = 1; k <= kills; k++) {
                    int leader = c.members.awaitLeader(30_000);
                    int before = c.flow.sent().size();
                    awaitAnAckAfter(c.flow, before, 30_000);
                    Thread.sleep(random.nextInt(1000));
                    long killedAt = System.nanoTime();
                    c.members.kill9(leader);
                    String killedAtClock = java.time.LocalTime.now().toString();
                    long failover;
                    try {
                        failover = awaitFirstAckOfAnOrderSentAfter(c.flow, killedAt, 30_000);
                    } catch (AssertionError e) {
                        // what the survivors were doing (elections, role changes, warnings) is the only account of a failover that never came
                        System.out.println("no failover: leader " + leader + " killed at " + killedAtClock + "; the members' logs:\n" + c.members.logs());
                        throw e;
                    }
                    failoverMs.add(failover);
                    if (failover > MAX_GAP_MS) {
                        System.out.println("slow failover: leader " + leader + " killed at " + killedAtClock + "; the survivors' role changes and warnings:");
                        for (int m = 0; m < 3; m++) {
                            c.members.logLines(m, "role_change").forEach(l -> System.out.println("  " + l));
                            c.members.logLines(m, "WARN").forEach(l -> System.out.println("  " + l));
                        }
                    }
                    int newLeader = c.members.awaitLeader(30_000);
                    assertThat(newLeader).isNotEqualTo(leader);
                    Thread.sleep(200);
                    c.flow.pause();
                    Map<Long, JsonNode> acked = c.verifyEveryOrderAnsweredOnceAndInTheLeadersLog();
                    long seq = c.members.awaitAgreement(0, 60_000).getFirst().path("seq").asLong();
                    assertThat(acked.keySet()).allSatisfy(s -> assertThat(s).isLessThanOrEqualTo(seq));
                    c.members.restart(leader);
                    List<JsonNode> all = c.members.awaitAgreement(seq, 60_000);
                    assertThat(all).hasSize(3);
                    System.out.printf("kill %d: leader %d -> %d, first ack of a new order %d ms after the kill, %d orders acknowledged, all three at seq %d, client sessions %s%n",
                            k, leader, newLeader, failover, acked.size(), all.getFirst().path("seq").asLong(),
                            all.stream().map(j -> j.path("clientSessions").asText()).toList());
                    c.flow.resume();
                }

                // a follower killed under the flow and restarted on its directory catches up from the log or a snapshot
                int leader = c.members.awaitLeader(30_000);
                int follower = (leader + 1 + random.nextInt(2)) % 3;
                c.members.kill9(follower);
                Thread.sleep(1_000 + random.nextInt(1000));
                c.flow.pause(); // what it missed is what the flow sent while it was down
                c.members.restart(follower);
                long seq = c.members.awaitAgreement(0, 60_000).getFirst().path("seq").asLong();
                c.verifyEveryOrderAnsweredOnceAndInTheLeadersLog();
                System.out.printf("follower %d killed and restarted: all three at seq %d%n", follower, seq);

                // a follower whose disk copy is gone rejoins: it starts empty and the leader brings it up to date
                c.flow.resume();
                int wiped = 3 - leader - follower;
                c.members.kill9(wiped);
                deleteRecursively(c.members.memberDir(wiped));
                Thread.sleep(1_000 + random.nextInt(1000));
                // restarted while the flow goes on: it copies the cluster's latest snapshot and the log after it first
                // (SnapshotSeed), then starts from that snapshot. The copy waited for the log to stand still, which a cluster
                // under load never gives: the seed timed out and the member could not start
                c.members.restart(wiped);
                c.flow.pause();
                seq = c.members.awaitAgreement(0, 180_000).getFirst().path("seq").asLong();
                c.verifyEveryOrderAnsweredOnceAndInTheLeadersLog();
                List<String> seeded = c.members.logLines(wiped, "seeded_from_cluster");
                System.out.println("the wiped member's seed: " + c.members.logLines(wiped, "event=seed") + "; snapshots taken: "
                        + c.members.logLines(leader, "snapshot_taken").size());
                List<String> start = c.members.logLines(wiped, "sequencer_start");
                System.out.printf("follower %d wiped and restarted: all three at seq %d; %s; %s%n", wiped, seq, seeded, start);
                assertThat(seeded).as("the wiped member's copy of the cluster's snapshot").hasSize(1);
                assertThat(start).as("the wiped member's start").anySatisfy(l -> assertThat(l).contains("from=snapshot"));

                // the seeded member's log starts at its snapshot's position: a member restarted after that still catches up
                // from its own log, not found behind (its log's end was read as its last 128 MB segment's start, 0, and it
                // was moved aside and seeded again at every restart)
                c.members.kill9(follower);
                c.members.restart(follower);
                c.members.awaitAgreement(seq, 60_000);
                assertThat(c.members.logLines(follower, "member_behind_trimmed_log")).as("a restart after another member's seed").isEmpty();
                try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(c.members.memberDir(follower))) {
                    assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("behind-"));
                }

                if (SEED_CHAIN) {
                    // the other follower wiped too, then the leader: the last copy can come only from members that were
                    // seeded themselves (their recording logs start at a copied snapshot, their logs at its position)
                    c.flow.resume();
                    wipeAndReseed(c, follower, random);
                    int last = c.members.awaitLeader(30_000);
                    wipeAndReseed(c, last, random);
                    System.out.printf("seed chain: members %d, %d and %d each wiped and seeded in turn; all three agree%n", wiped, follower, last);
                }
            }
            List<Long> sorted = failoverMs.stream().sorted().toList();
            System.out.println("failover (kill -> first ack of an order sent after it), ms: " + failoverMs
                    + " p50=" + sorted.get(sorted.size() / 2) + " max=" + sorted.getLast());
            // ~1.3 s on a quiet machine, up to 3.7 s seen with six helpers loading 2 cores (a backlog of
            // hundreds of requests resent first); the stall this catches took 7-12 s
            assertThat(sorted.getLast()).as("the client's gap per leader kill, ms: %s", failoverMs).isLessThan(MAX_GAP_MS);
        });
    }

    /**
     * Opt-in ({@code -Dclearline.replication.seedChain=true}, about a minute more): every member wiped and seeded in turn,
     * the leader last, so the last seed copies from members that were seeded themselves. Not in the suite, which is near
     * its time budget.
     */
    static final boolean SEED_CHAIN = Boolean.getBoolean("clearline.replication.seedChain");

    /** Kills {@code member} under the flow, deletes its directory and starts it again: it must seed from the others and all three agree. */
    private static void wipeAndReseed(Cluster c, int member, Random random) throws Exception {
        c.flow.resume();
        c.members.kill9(member);
        deleteRecursively(c.members.memberDir(member));
        Thread.sleep(1_000 + random.nextInt(1000));
        c.members.restart(member);
        c.flow.pause();
        long seq = c.members.awaitAgreement(0, 180_000).getFirst().path("seq").asLong();
        c.verifyEveryOrderAnsweredOnceAndInTheLeadersLog();
        List<String> seeded = c.members.logLines(member, "seeded_from_cluster");
        System.out.printf("member %d wiped and seeded: all three at seq %d; %s; %s%n", member, seq, c.members.logLines(member, "event=seed_source"), seeded);
        assertThat(seeded).as("member %d's copy of the cluster's snapshot", member).hasSize(1);
        assertThat(c.members.logLines(member, "sequencer_start")).anySatisfy(l -> assertThat(l).contains("from=snapshot"));
    }

    static void deleteRecursively(Path p) throws java.io.IOException {
        try (var files = java.nio.file.Files.walk(p)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.delete(f);
        }
    }

    /** Blocks until an order sent after the first {@code from} has its acknowledgement. */
    static void awaitAnAckAfter(TradingFlow flow, int from, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            List<TradingFlow.Sent> s = flow.sent();
            for (int i = from; i < s.size(); i++) {
                if (s.get(i).reply().isDone() && !s.get(i).reply().isCompletedExceptionally()) return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no acknowledgement in " + timeoutMs + " ms");
    }

    /** Milliseconds from {@code killedAt} to the acknowledgement of the first order sent after it. */
    static long awaitFirstAckOfAnOrderSentAfter(TradingFlow flow, long killedAt, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            long first = Long.MAX_VALUE;
            for (TradingFlow.Sent s : flow.sent()) {
                // the ack time is set by a callback that may run just after isDone() turns true: 0 means not yet
                long ack = s.ackNanos().get();
                if (s.sentNanos() > killedAt && ack != 0 && s.reply().isDone() && !s.reply().isCompletedExceptionally()) {
                    first = Math.min(first, ack);
                }
            }
            if (first != Long.MAX_VALUE) return TimeUnit.NANOSECONDS.toMillis(first - killedAt);
            Thread.sleep(5);
        }
        throw new AssertionError("no order sent after the kill was acknowledged within " + timeoutMs + " ms");
    }

    /** Three members, a media driver and gateway for this JVM's client, and the order flow through it. */
    static final class Cluster implements AutoCloseable {
        final MemberProcesses members;
        final MediaDriver driver;
        final Gateway gateway;
        final TradingFlow flow;

        private Cluster(MemberProcesses members, MediaDriver driver, Gateway gateway, TradingFlow flow) {
            this.members = members;
            this.driver = driver;
            this.gateway = gateway;
            this.flow = flow;
        }

        static Cluster start(Path dir, long seed) throws Exception {
            return start(dir, seed, MemberProcesses.TEST_JVM);
        }

        /** Three members started with {@code jvm} flags and {@code extra} options besides the usual ones, a gateway and a paused-or-running flow. */
        static Cluster start(Path dir, long seed, List<String> jvm, String... extra) throws Exception {
            List<String> options = new ArrayList<>(List.of("--dev-setup", String.valueOf(TRADERS), "--snapshot-every", "10",
                    "--rate-per-key", "1000000"));
            options.addAll(List.of(extra));
            MemberProcesses members = MemberProcesses.start(dir, 3, jvm, options.toArray(String[]::new));
            MediaDriver driver = null;
            Gateway gateway = null;
            try {
                driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                        .aeronDirectoryName(dir.resolve("client-aeron").toString())
                        .threadingMode(ThreadingMode.SHARED)
                        .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 10_000, 1_000_000))
                        .dirDeleteOnStart(true)
                        .dirDeleteOnShutdown(true)
                        .termBufferSparseFile(true)
                        .publicationTermBufferLength(1 << 20)
                        .ipcTermBufferLength(1 << 20));
                gateway = new Gateway(driver.aeronDirectoryName(), members.ingress(), GENESIS.domain(), new NativeSecp256k1Verifier(), 1);
                long deadline = System.currentTimeMillis() + 60_000;
                while (gateway.query(Command.QueryKind.STATE, 0, null, null).get(60, TimeUnit.SECONDS).path("markets").isEmpty()) {
                    if (System.currentTimeMillis() > deadline) throw new AssertionError("member 0 did not list the dev market");
                    Thread.sleep(100);
                }
                return new Cluster(members, driver, gateway, new TradingFlow(gateway, GENESIS.domain(), TRADERS, seed, 5_000));
            } catch (Exception | AssertionError e) {
                if (gateway != null) gateway.close();
                if (driver != null) driver.close();
                System.out.println(members.logs());
                members.close();
                throw e;
            }
        }

        /**
         * Every order sent got an answer; no two share a seq; each acknowledgement equals the reply
         * a fresh replay of the leader's log gives at that seq. Returns the acknowledgements by seq.
         */
        Map<Long, JsonNode> verifyEveryOrderAnsweredOnceAndInTheLeadersLog() throws Exception {
            assertThat(flow.awaitAllAnswered(60_000)).as("every order sent is answered (resent to the new leader if need be)").isTrue();
            Map<Long, JsonNode> acked = new HashMap<>();
            for (TradingFlow.Sent s : flow.sent()) {
                assertThat(s.reply()).as("an order's answer").isCompleted();
                ObjectNode r = s.reply().join();
                JsonNode previous = acked.put(r.get("seq").asLong(), r);
                assertThat(previous).as("two orders acknowledged with seq %d", r.get("seq").asLong()).isNull();
            }
            HistoryPages.History h = HistoryPages.read(from -> gateway.history(from).get(60, TimeUnit.SECONDS));
            SequencerState replay = new SequencerState(GENESIS, new NativeSecp256k1Verifier());
            Map<Long, ObjectNode> replies = new HashMap<>();
            Exception[] bad = {null};
            CommandHistory.forEach(h.encoded(), (ts, bytes) -> {
                try {
                    byte[] r = ReplyCodec.encode(replay.apply(CommandCodec.decode(bytes, 0, bytes.length), ts));
                    ObjectNode n = ReplyCodec.decode(r, 0, r.length);
                    replies.put(n.get("seq").asLong(), n);
                } catch (Exception e) {
                    bad[0] = e;
                }
            });
            if (bad[0] != null) throw bad[0];
            assertThat(replay.stateRoot().toString()).as("the leader's root vs a replay of its log").isEqualTo(h.stateRoot());
            for (Map.Entry<Long, JsonNode> e : acked.entrySet()) {
                ObjectNode ack = ((ObjectNode) e.getValue()).deepCopy();
                ack.remove("duplicate"); // a resend whose first answer died with the old leader: the first outcome, marked as a repeat
                assertThat(replies.get(e.getKey())).as("acknowledged seq %d in the new leader's log", e.getKey()).isEqualTo(ack);
            }
            return acked;
        }

        @Override
        public void close() throws Exception {
            flow.close();
            gateway.close();
            driver.close();
            members.close();
        }
    }
}
