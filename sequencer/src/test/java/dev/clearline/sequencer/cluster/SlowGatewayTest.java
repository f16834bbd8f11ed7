package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.StreamWish;
import io.aeron.cluster.client.AeronCluster;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway that stops reading its replies (a stalled process, a full socket) must not stall the
 * state machine for everyone: the service gives it a bounded number of tries per reply and moves
 * on. What it missed is recoverable: its requests are numbered, a later reply of its own tells it
 * which earlier answers it lost, and a resend is answered with the first outcome, not applied again.
 *
 * <p>The slow gateway is a raw cluster client with a small egress buffer (64 KB terms, a few hundred
 * replies before the service meets back pressure) that asked for everyone's replies and does not
 * poll; the other is the node's real {@link Gateway}. With the old 2,000 retries per reply (about
 * 2 s each), the 1,500 requests below would have taken most of an hour.
 */
class SlowGatewayTest {
    static final long SLOW_CLIENT = 77;
    static final int FLOOD = 1_500;

    @TempDir
    Path dir;

    @Test
    void aGatewayThatStopsReadingLosesRepliesButStallsNobodyAndRecoversThemByResending() throws Exception {
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier())) {
            List<ObjectNode> slowGot = new ArrayList<>();
            try (AeronCluster slow = AeronCluster.connect(RawSession.context(node, 1_102, slowGot));
                 Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), Market.GENESIS.domain(),
                         new NativeSecp256k1Verifier(), 1)) {
                // the service opens its reply stream to a new session asynchronously: ask until an answer comes back
                long deadline0 = System.currentTimeMillis() + 30_000;
                for (long q = -1; slowGot.isEmpty(); q--) {
                    if (System.currentTimeMillis() > deadline0) throw new TimeoutException("the slow gateway never got an answer to a query");
                    offer(slow, CommandCodec.encode(new Command.Query(SLOW_CLIENT, q, Command.QueryKind.STATE, 0, null, null)));
                    await(slow, true, () -> !slowGot.isEmpty(), null);
                }
                offer(slow, new StreamWish(true).encode());
                offer(slow, CommandCodec.encode(tick(1)));
                await(slow, true, () -> hasAnswer(slowGot, 1), "the slow gateway's first answer");

                // it stops reading; the other gateway's requests are all answered regardless
                List<CompletableFuture<ObjectNode>> answers = new ArrayList<>();
                for (int i = 0; i < FLOOD; i++) answers.add(gateway.submit((id, s) -> new Command.TimeTick(id, s, Market.START)));
                CompletableFuture<Void> all = CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new));
                long deadline = System.currentTimeMillis() + 90_000;
                while (!all.isDone()) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new TimeoutException(answers.stream().filter(CompletableFuture::isDone).count() + " of " + FLOOD
                                + " requests answered in 90 s while another gateway did not read its replies");
                    }
                    slow.sendKeepAlive(); // alive, just not reading
                    Thread.sleep(50);
                }
                // its own request now: applied, but its answer is dropped, since the gateway is still behind
                offer(slow, CommandCodec.encode(tick(2)));
                long seqAfterTwo = awaitState(gateway, FLOOD + 2);

                // it reads again: it got its first answer and part of the others', not all of them, and not its second
                await(slow, true, () -> false, null);
                long othersSeen = slowGot.stream().filter(r -> r.path("clientId").asLong() != SLOW_CLIENT).count();
                assertThat(othersSeen).as("the other gateway's replies it was sent before its buffer filled").isBetween(1L, (long) FLOOD - 1);
                assertThat(hasAnswer(slowGot, 2)).as("its second answer was dropped while it was behind").isFalse();

                // a later answer of its own arrives first, so the second was lost: it resends it and gets its first outcome
                offer(slow, CommandCodec.encode(tick(3)));
                await(slow, true, () -> hasAnswer(slowGot, 3), "the answer to its third request");
                offer(slow, CommandCodec.encode(tick(2)));
                await(slow, true, () -> hasAnswer(slowGot, 2), "the answer to its resent second request");
                ObjectNode again = slowGot.stream().filter(r -> r.path("clientId").asLong() == SLOW_CLIENT && r.path("clientSeq").asLong() == 2)
                        .findFirst().orElseThrow();
                assertThat(again.path("duplicate").asBoolean()).as("answered as a repeat").isTrue();
                assertThat(again.path("seq").asLong()).as("with the place it first took in the log").isEqualTo(seqAfterTwo);
                assertThat(awaitState(gateway, FLOOD + 3)).as("and not applied again").isEqualTo(FLOOD + 3);
            }
        }
    }

    static Command tick(long clientSeq) {
        return new Command.TimeTick(SLOW_CLIENT, clientSeq, Market.START);
    }

    static boolean hasAnswer(List<ObjectNode> got, long clientSeq) {
        return got.stream().anyMatch(r -> r.path("clientId").asLong() == SLOW_CLIENT && r.path("clientSeq").asLong() == clientSeq);
    }

    static void offer(AeronCluster c, byte[] message) throws Exception {
        UnsafeBuffer b = new UnsafeBuffer(message);
        long deadline = System.currentTimeMillis() + 30_000;
        while (c.offer(b, 0, message.length) < 0) {
            if (System.currentTimeMillis() > deadline) throw new TimeoutException("the cluster did not take a message in 30 s");
            Thread.sleep(1);
        }
    }

    /** Polls {@code c} until {@code done} (or, with no {@code what}, until nothing more arrives for 300 ms). */
    static void await(AeronCluster c, boolean poll, BooleanSupplier done, String what) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        long quietSince = System.currentTimeMillis();
        while (!done.getAsBoolean()) {
            if (what == null && System.currentTimeMillis() - quietSince > 300) return;
            if (System.currentTimeMillis() > deadline) throw new TimeoutException("timed out waiting for " + what);
            if (poll && c.pollEgress() > 0) quietSince = System.currentTimeMillis();
            else Thread.sleep(1);
        }
    }

    /** Waits until the state's seq reaches {@code atLeast}; returns the seq read. */
    static long awaitState(Gateway g, long atLeast) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            long seq = g.query(Command.QueryKind.STATE, 0, null, null).get(30, TimeUnit.SECONDS).path("seq").asLong();
            if (seq >= atLeast) return seq;
            if (System.currentTimeMillis() > deadline) throw new TimeoutException("the state stayed at seq " + seq + ", below " + atLeast);
            Thread.sleep(20);
        }
    }
}
