package dev.clearline.sequencer.durability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.FastSigner;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.api.OrderJson;
import dev.clearline.sequencer.api.WsClient;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.state.CommandHistory;
import dev.clearline.sequencer.state.HistoryPages;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a sequencer under a flow of signed orders, at a random moment, then a restart: every
 * acknowledged request is in the recovered log at the seq it was acknowledged with and replays to
 * the same outcome (its fills included), and the recovered state root equals a fresh replay of
 * the recovered log. CI runs a few kills; the long campaign:
 * {@code ./mvnw -pl sequencer verify -Dtest=KillNineTest -Dclearline.durability.kills=50}; with
 * {@code -Dclearline.durability.trimmedLog=true} the child deletes its log behind its snapshots in 64 KiB
 * segments, so kills also land in trims ({@code LogTrim}).
 */
class KillNineTest {
    static final int TRADERS = 4;
    static final Genesis GENESIS = Genesis.devnet(Market.ROLLUP);
    static final List<FastSigner> SIGNERS = java.util.stream.IntStream.range(0, TRADERS).mapToObj(FastSigner::dev).toList();

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedOrderAndFillSurvivesKillNineAndTheRootEqualsAReplayOfTheLog() {
        int kills = Integer.getInteger("clearline.durability.kills", 3);
        Property.forAll(Gens.seeds()).tries(1).check(seed -> {
            Random random = new Random(seed);
            Eip712 domain = GENESIS.domain();
            long[] nonce = {1};
            Map<Long, JsonNode> acked = new HashMap<>();
            ChildSequencer node = ChildSequencer.start(dir, 0, "--dev-setup", String.valueOf(TRADERS), "--snapshot-every", "1",
                    "--rate-per-key", "1000000");
            try {
                for (int k = 1; k <= kills; k++) {
                    long killAfterMs = random.nextInt(1000);
                    List<CompletableFuture<JsonNode>> sent = new ArrayList<>();
                    String stuck = null;
                    try (WsClient ws = new WsClient(node.port)) {
                        // the kill comes at a random moment after the first acknowledgement of this round (a reply with a
                        // seq: an error answered by the gateway alone proves nothing about the log)
                        long until = Long.MAX_VALUE;
                        long giveUp = System.currentTimeMillis() + 120_000;
                        while (System.currentTimeMillis() < until && System.currentTimeMillis() < giveUp) {
                            if (until == Long.MAX_VALUE && sent.stream().anyMatch(KillNineTest::acknowledged)) {
                                until = System.currentTimeMillis() + killAfterMs;
                            }
                            FastSigner s = SIGNERS.get(random.nextInt(TRADERS));
                            Order o = new Order(s.address(), 1, random.nextBoolean() ? Side.BUY : Side.SELL, (97 + random.nextInt(7)) * 100,
                                    (1 + random.nextInt(3)) * 1_000L, 0, TimeInForce.GTC, 0, 0, nonce[0]++, 1_000_000);
                            sent.add(ws.request(OrderJson.op("place", OrderJson.order(s, o, domain))));
                            Thread.sleep(2); // a steady flow (~300/s here), not a flood: the rate limit is not under test
                        }
                        // no acknowledgement in 120 s: the child's stacks while it still runs say where it stood
                        if (until == Long.MAX_VALUE) stuck = "session closed: " + ws.closed.getNow(null) + " " + ws.closeReason + "\n" + node.diagnosis();
                        node.kill9();
                    } catch (java.util.concurrent.CompletionException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        // a send or the connection timed out: a child that stopped reading
                        throw new AssertionError("round " + k + ": the child stopped taking requests (" + e + ")\n" + node.diagnosis(), e);
                    }
                    int ackedBefore = acked.size();
                    for (CompletableFuture<JsonNode> f : sent) {
                        if (acknowledged(f)) {
                            JsonNode r = f.join();
                            acked.put(r.get("seq").asLong(), r);
                        }
                    }
                    if (acked.size() == ackedBefore) {
                        throw new AssertionError("round " + k + " killed without an acknowledgement: " + outcomes(sent) + "\n"
                                + (stuck != null ? stuck : node.diagnosis()));
                    }
                    // snapshots every second in every run, so a kill can land during one and the next start loads the
                    // latest image, not only the first run's
                    node = ChildSequencer.start(dir, k, "--snapshot-every", "1", "--rate-per-key", "1000000");
                    // the killed run's mark files are released at once (RunLock), not waited out for Aeron's 10 s
                    assertThat(java.nio.file.Files.readString(node.log)).contains("event=previous_run_released")
                            .doesNotContain("event=waiting_for_previous_run");
                    verify(node, acked, sent.size());
                }
            } finally {
                node.close();
            }
        });
    }

    /** A reply that carries a seq: the request is in the log. */
    static boolean acknowledged(CompletableFuture<JsonNode> reply) {
        return reply.isDone() && !reply.isCompletedExceptionally() && reply.join().has("seq");
    }

    /** How a round's requests ended: counts, and the first few answers that were not acknowledgements. */
    static String outcomes(List<CompletableFuture<JsonNode>> sent) {
        long pending = sent.stream().filter(f -> !f.isDone()).count();
        long failed = sent.stream().filter(CompletableFuture::isCompletedExceptionally).count();
        List<String> others = sent.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally() && !f.join().has("seq"))
                .map(f -> f.join().toString()).toList();
        return "sent=" + sent.size() + " unanswered=" + pending + " failed=" + failed + " answeredWithoutSeq=" + others.size()
                + (others.isEmpty() ? "" : " e.g. " + others.subList(0, Math.min(3, others.size())));
    }

    private static void verify(ChildSequencer node, Map<Long, JsonNode> acked, int sentThisRound) throws Exception {
        verify(node, acked, sentThisRound, GENESIS);
    }

    /** Every acknowledgement replays identically at its seq from the recovered log, whose replay gives the recovered root. */
    static void verify(ChildSequencer node, Map<Long, JsonNode> acked, int sentThisRound, Genesis genesis) throws Exception {
        // a whole history on a loaded machine can take a while; a child that does not answer at all fails with its log and stacks
        HistoryPages.History h;
        try {
            h = HistoryPages.read(from -> WsClient.JSON.readTree(StackKillTest.HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + node.port + "/admin/history?from=" + from))
                    .timeout(java.time.Duration.ofSeconds(120)).GET().build(), HttpResponse.BodyHandlers.ofString()).body()));
        } catch (java.net.http.HttpTimeoutException e) {
            throw new AssertionError("the restarted child did not answer GET /admin/history in 120 s\n" + node.diagnosis(), e);
        }
        long seq = h.seq();
        SequencerState replay = new SequencerState(genesis, new NativeSecp256k1Verifier());
        Map<Long, JsonNode> replies = new HashMap<>();
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
        assertThat(replay.seq()).isEqualTo(seq);
        assertThat(replay.stateRoot().toString()).as("recovered root vs a replay of the recovered log").isEqualTo(h.stateRoot());
        assertThat(acked).as("each round kills only after an acknowledgement").isNotEmpty();
        assertThat(acked.keySet()).allSatisfy(s -> assertThat(s).isLessThanOrEqualTo(seq));
        for (Map.Entry<Long, JsonNode> e : acked.entrySet()) {
            ObjectNode ack = ((ObjectNode) e.getValue()).deepCopy();
            ack.remove("id");
            assertThat(replies.get(e.getKey())).as("acknowledged seq %d after recovery", e.getKey()).isEqualTo(ack);
        }
        System.out.println("kill9 verified: sent=" + sentThisRound + " acked(total)=" + acked.size() + " recoveredSeq=" + seq);
    }
}
