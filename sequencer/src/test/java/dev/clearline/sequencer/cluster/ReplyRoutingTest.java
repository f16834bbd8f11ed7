package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.StreamWish;
import io.aeron.cluster.client.AeronCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who is sent a reply: the session that sent the command, and for a state-changing reply also
 * every session that asked for everyone's ({@link StreamWish}); a gateway asks while a trader of
 * its subscribes to market data or an account, and stops asking when the last one leaves.
 */
class ReplyRoutingTest {
    static final long RAW_CLIENT = 88;

    @TempDir
    Path dir;

    @Test
    void aSessionGetsOthersRepliesOnlyWhileItAsksForThem() throws Exception {
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier())) {
            List<ObjectNode> got = new ArrayList<>();
            try (AeronCluster raw = AeronCluster.connect(RawSession.context(node, 1_103, got));
                 Gateway other = new Gateway(node.config().aeronDir(), node.clientIngress(), Market.GENESIS.domain(),
                         new NativeSecp256k1Verifier(), 1);
                 Gateway subscribed = new Gateway(node.config().aeronDir(), node.clientIngress(), Market.GENESIS.domain(),
                         new NativeSecp256k1Verifier(), 1)) {
                // the service opens its reply stream to a new session asynchronously: ask until an answer comes back
                long deadline = System.currentTimeMillis() + 30_000;
                for (long q = -1; got.isEmpty(); q--) {
                    if (System.currentTimeMillis() > deadline) throw new TimeoutException("the raw session never got an answer");
                    SlowGatewayTest.offer(raw, CommandCodec.encode(new Command.Query(RAW_CLIENT, q, Command.QueryKind.STATE, 0, null, null)));
                    SlowGatewayTest.await(raw, true, () -> !got.isEmpty(), null);
                }
                long seq = 0;

                // not asking: only its own replies
                ticks(other, 20);
                SlowGatewayTest.offer(raw, CommandCodec.encode(tick(++seq)));
                awaitOwn(raw, got, seq);
                assertThat(othersIn(got)).as("other clients' replies sent to a session that did not ask").isZero();

                // asking: every state-changing reply, in log order, and no one else's queries
                SlowGatewayTest.offer(raw, new StreamWish(true).encode());
                SlowGatewayTest.offer(raw, CommandCodec.encode(tick(++seq)));
                awaitOwn(raw, got, seq);
                ticks(other, 20);
                other.query(Command.QueryKind.STATE, 0, null, null).get(30, TimeUnit.SECONDS);
                SlowGatewayTest.offer(raw, CommandCodec.encode(tick(++seq)));
                awaitOwn(raw, got, seq);
                assertThat(othersIn(got)).as("the other gateway's 20 state-changing replies, not its query").isEqualTo(20);
                List<Long> seqs = got.stream().filter(r -> !"query".equals(r.path("type").asText())).map(r -> r.path("seq").asLong()).toList();
                assertThat(seqs).as("in log order").isSorted();

                // no longer asking: its own again only
                // the wish and the tick after it share this session's stream, so once the tick is answered the wish is in
                // the log before anything the other gateway sends next (without this wait its ticks could come first)
                SlowGatewayTest.offer(raw, new StreamWish(false).encode());
                SlowGatewayTest.offer(raw, CommandCodec.encode(tick(++seq)));
                awaitOwn(raw, got, seq);
                got.clear();
                ticks(other, 10);
                SlowGatewayTest.offer(raw, CommandCodec.encode(tick(++seq)));
                awaitOwn(raw, got, seq);
                assertThat(othersIn(got)).isZero();

                // a gateway asks while it has a listener: its listener sees the other gateway's replies
                ConcurrentLinkedQueue<ObjectNode> seen = new ConcurrentLinkedQueue<>();
                subscribed.listen(seen::add);
                subscribed.submit((id, s) -> new Command.TimeTick(id, s, Market.START)).get(30, TimeUnit.SECONDS); // after its wish in the log
                ticks(other, 5);
                subscribed.submit((id, s) -> new Command.TimeTick(id, s, Market.START)).get(30, TimeUnit.SECONDS);
                long fromOther = seen.stream().filter(r -> r.path("type").asText().equals("tick")).map(r -> r.path("clientId").asLong())
                        .distinct().count();
                assertThat(fromOther).as("clients whose replies the subscribed gateway's listener saw (its own and the other's)").isEqualTo(2);
            }
        }
    }

    static Command tick(long clientSeq) {
        return new Command.TimeTick(RAW_CLIENT, clientSeq, Market.START);
    }

    static void ticks(Gateway g, int n) throws Exception {
        List<CompletableFuture<ObjectNode>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) fs.add(g.submit((id, s) -> new Command.TimeTick(id, s, Market.START)));
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    static void awaitOwn(AeronCluster raw, List<ObjectNode> got, long clientSeq) throws Exception {
        SlowGatewayTest.await(raw, true, () -> got.stream().anyMatch(r -> r.path("clientId").asLong() == RAW_CLIENT
                && r.path("clientSeq").asLong() == clientSeq), "the answer to request " + clientSeq);
    }

    static long othersIn(List<ObjectNode> got) {
        return got.stream().filter(r -> r.path("clientId").asLong() != RAW_CLIENT).count();
    }
}
