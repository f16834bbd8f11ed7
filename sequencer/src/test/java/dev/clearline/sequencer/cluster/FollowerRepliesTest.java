package dev.clearline.sequencer.cluster;

import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.ReplyCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A follower neither encodes nor sends replies (sequencer/README.md, "Replies"), yet what it would
 * have answered is not lost: it remembers every reply in its state, as the leader does, so a
 * request it applied as a follower and that is resent after it became leader gets the same answer,
 * byte for byte, as from a member that led all along. The cluster and the gateway's session here
 * stand in for Aeron's: a session offer from a member whose service is not the leader is dropped
 * and reported as sent ({@link ClientSession#MOCKED_OFFER}), as Aeron's service agent does with the
 * same role {@link Cluster#role()} reports. The whole path with real members and a real failover
 * is {@code LeaderFailoverTest}.
 */
class FollowerRepliesTest {
    private static final Market M = new Market(3);
    private static final long CLIENT = 77;
    private static final List<Command> COMMANDS = commands();

    private static List<Command> commands() {
        List<Command> cs = new ArrayList<>(M.opening(CLIENT));
        cs.addAll(M.flow(CLIENT, cs.size() + 1, 60, new Random(5)));
        return cs;
    }

    /** One member: the service, its (stand-in) cluster with a settable role, and one gateway session recording what reached it. */
    private static final class Member {
        Cluster.Role role;
        final List<byte[]> received = new ArrayList<>();
        final SequencerService service;
        final ClientSession session;
        final Cluster cluster;

        Member(Cluster.Role role) {
            this(role, SequencerService.MAX_REPLY);
        }

        Member(Cluster.Role role, int maxReply) {
            this.role = role;
            service = new SequencerService(Market.GENESIS, new NativeSecp256k1Verifier(), why -> { }, maxReply);
            session = (ClientSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ClientSession.class}, (p, m, a) -> switch (m.getName()) {
                case "id" -> 1L;
                case "offer" -> {
                    if (this.role != Cluster.Role.LEADER) yield ClientSession.MOCKED_OFFER; // what Aeron does on a follower
                    DirectBuffer b = (DirectBuffer) a[0];
                    byte[] bytes = new byte[(Integer) a[2]];
                    b.getBytes((Integer) a[1], bytes);
                    received.add(bytes);
                    yield 1L;
                }
                case "hashCode" -> 1;
                case "equals" -> p == a[0];
                default -> throw new UnsupportedOperationException(m.getName());
            });
            cluster = (Cluster) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Cluster.class}, (p, m, a) -> switch (m.getName()) {
                case "role" -> this.role;
                case "memberId" -> 0;
                case "timeUnit" -> TimeUnit.MILLISECONDS;
                case "clientSessions" -> List.of(session);
                case "idleStrategy" -> new SleepingIdleStrategy(1_000);
                case "hashCode" -> 2;
                case "equals" -> p == a[0];
                default -> throw new UnsupportedOperationException(m.getName());
            });
            service.onStart(cluster, null);
        }

        /** Aeron sets the agent's role, then tells the service. */
        void becomes(Cluster.Role r) {
            role = r;
            service.onRoleChange(r);
        }

        /** The command as its log message, at log time {@code i} seconds after the market's start. */
        void apply(Command c, int i) {
            byte[] bytes = CommandCodec.encode(c);
            service.onSessionMessage(session, (Market.START + i) * 1000, new UnsafeBuffer(bytes), 0, bytes.length, null);
        }

        byte[] last() {
            return received.getLast();
        }
    }

    private static ObjectNode decode(byte[] bytes) {
        try {
            return ReplyCodec.decode(bytes, 0, bytes.length);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRequestAppliedWhileFollowerAndResentAfterItLeadsGetsTheSameAnswerAsFromAMemberThatLedAllAlong() {
        Member follower = new Member(Cluster.Role.FOLLOWER);
        Member leader = new Member(Cluster.Role.LEADER);
        try {
            for (int i = 0; i < COMMANDS.size(); i++) {
                follower.apply(COMMANDS.get(i), i);
                leader.apply(COMMANDS.get(i), i);
            }
            assertThat(follower.received).as("a follower sends nothing").isEmpty();
            assertThat(follower.service.repliesEncoded()).as("nor encodes what it would not send").isZero();
            assertThat(leader.received).hasSize(COMMANDS.size());
            assertThat(leader.service.repliesEncoded()).isEqualTo(COMMANDS.size());

            // the leader dies; the follower is elected and the gateway resends what it had no answer for
            follower.becomes(Cluster.Role.LEADER);
            int late = COMMANDS.size();
            for (int k : new int[] {COMMANDS.size() - 1, COMMANDS.size() - 7, 3, 0}) {
                Command resent = COMMANDS.get(k);
                follower.apply(resent, late);
                leader.apply(resent, late);
                byte[] fromFollower = follower.last();
                assertThat(new String(fromFollower)).isEqualTo(new String(leader.last()));
                ObjectNode reply = decode(fromFollower);
                assertThat(reply.path("duplicate").asBoolean(false)).as("answered as a repeat, not applied again").isTrue();
                assertThat(reply.get("clientSeq").asLong()).isEqualTo(resent.clientSeq());
                // and it is the first answer the leader gave, marked as a repeat
                ObjectNode first = decode(leader.received.get(k));
                assertThat(first.path("duplicate").asBoolean(false)).isFalse();
                first.remove("duplicate");
                reply.remove("duplicate");
                assertThat(reply).isEqualTo(first);
            }
            assertThat(follower.service.state().stateRoot()).isEqualTo(leader.service.state().stateRoot());
        } finally {
            follower.service.onTerminate(follower.cluster);
            leader.service.onTerminate(leader.cluster);
        }
    }

    @Test
    void aMemberThatJustBecameLeaderAnswersEveryCommandFromTheOneItsServiceLearnsIt() {
        // Aeron tells the service its new role up to a clock tick after the election; until then its
        // own sends are dropped too, and the gateway resends (the test above). From the change on, every reply goes out.
        Member m = new Member(Cluster.Role.FOLLOWER);
        try {
            int half = COMMANDS.size() / 2;
            for (int i = 0; i < half; i++) m.apply(COMMANDS.get(i), i);
            m.becomes(Cluster.Role.LEADER);
            for (int i = half; i < COMMANDS.size(); i++) m.apply(COMMANDS.get(i), i);
            assertThat(m.received).hasSize(COMMANDS.size() - half);
            for (int i = half; i < COMMANDS.size(); i++) {
                ObjectNode reply = decode(m.received.get(i - half));
                assertThat(reply.get("clientSeq").asLong()).isEqualTo(COMMANDS.get(i).clientSeq());
                assertThat(reply.path("duplicate").asBoolean(false)).isFalse();
            }
            // and it steps down again: nothing more is encoded
            long encoded = m.service.repliesEncoded();
            m.becomes(Cluster.Role.FOLLOWER);
            m.apply(new Command.TimeTick(CLIENT, COMMANDS.size() + 1, Market.START + COMMANDS.size()), COMMANDS.size());
            assertThat(m.service.repliesEncoded()).isEqualTo(encoded);
            assertThat(m.service.state().seq()).as("but the command is applied").isEqualTo(COMMANDS.size() + 1);
        } finally {
            m.service.onTerminate(m.cluster);
        }
    }

    @Test
    void aReplyTooLargeIsSentWithoutItsDetailAndStillAcknowledgesItsRequest() {
        // a market maker's order that sweeps tens of thousands of makers, in small: replies of more than 600 bytes
        Member small = new Member(Cluster.Role.LEADER, 600);
        Member plain = new Member(Cluster.Role.LEADER);
        try {
            for (int i = 0; i < COMMANDS.size(); i++) {
                small.apply(COMMANDS.get(i), i);
                plain.apply(COMMANDS.get(i), i);
            }
            assertThat(small.received).as("every request answered").hasSize(COMMANDS.size());
            int trimmed = 0;
            for (int i = 0; i < COMMANDS.size(); i++) {
                ObjectNode full = decode(plain.received.get(i));
                ObjectNode sent = decode(small.received.get(i));
                assertThat(sent.get("seq")).isEqualTo(full.get("seq"));
                assertThat(sent.get("clientSeq")).isEqualTo(full.get("clientSeq"));
                assertThat(sent.get("outcomes")).as("the verdicts stay").isEqualTo(full.get("outcomes"));
                if (plain.received.get(i).length <= 600) {
                    assertThat(sent).isEqualTo(full);
                    continue;
                }
                trimmed++;
                JsonNode t = sent.get("truncated");
                assertThat(t.get("bytes").asInt()).isEqualTo(plain.received.get(i).length);
                assertThat(t.get("leftOut")).isNotEmpty();
                for (JsonNode name : t.get("leftOut")) {
                    assertThat(sent.has(name.asText())).isFalse();
                    assertThat(full.has(name.asText())).isTrue();
                }
            }
            assertThat(trimmed).as("the flow has replies over 600 bytes").isPositive();
            // nothing at all fits 100 bytes: then nothing is sent, as before
            Member tiny = new Member(Cluster.Role.LEADER, 100);
            try {
                tiny.apply(COMMANDS.get(0), 0);
                assertThat(tiny.received).isEmpty();
            } finally {
                tiny.service.onTerminate(tiny.cluster);
            }
        } finally {
            small.service.onTerminate(small.cluster);
            plain.service.onTerminate(plain.cluster);
        }
    }
}
