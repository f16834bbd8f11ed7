package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.state.CommandHistory;
import dev.clearline.sequencer.state.HistoryPages;
import dev.clearline.sequencer.state.SequencerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batched ingress on a real single-member cluster: the gateway packs requests that are ready at
 * once into one log message and each still gets its own answer; and raw messages that are not
 * commands (random bytes, mutations of good ones, a batch with a spoiled command inside) are
 * refused alone: the service neither stops nor loses the good commands around them, and its log
 * replays to its root.
 */
class BatchedIngressTest {
    static final long CLIENT = 21, FUZZ = 22;

    @TempDir
    Path dir;

    @Test
    void aGatewayPacksReadyRequestsIntoBatchesAndEachIsAnsweredAlone() throws Exception {
        int n = 400;
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier());
             Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), Market.GENESIS.domain(), new NativeSecp256k1Verifier(), 1)) {
            List<CompletableFuture<ObjectNode>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) answers.add(gateway.submit((id, s) -> new Command.TimeTick(id, s, Market.START)));
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
            for (int i = 0; i < n; i++) {
                ObjectNode a = answers.get(i).get();
                assertThat(a.path("clientSeq").asLong()).isEqualTo(i + 1);
                assertThat(a.path("seq").asLong()).as("in order, each applied once").isEqualTo(i + 1);
                assertThat(a.path("duplicate").asBoolean()).isFalse();
            }
            assertThat(gateway.messagesSent()).as("requests queued together went out in fewer messages").isLessThan(n);
            assertThat(SlowGatewayTest.awaitState(gateway, n)).isEqualTo(n);
        }
    }

    @Test
    void rawMessagesThatAreNotCommandsAreRefusedAloneAndTheServiceGoesOn() throws Exception {
        Market m = new Market(2);
        List<Command> fuzzSource = new ArrayList<>(m.opening(FUZZ));
        fuzzSource.addAll(m.flow(FUZZ, fuzzSource.size() + 1, 30, new Random(9)));
        List<byte[]> goodBytes = fuzzSource.stream().map(CommandCodec::encode).toList();
        SplittableRandom r = new SplittableRandom(17);
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier())) {
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(node.config().aeronDir(), node.config().ingress(), in::add, 20_000)) {
                // the fuzz client's opening first, so mutated orders meet a listed market and funded traders
                offer(client, CommandCodec.encodeBatch(goodBytes.subList(0, 4)));
                long next = 1;
                for (int round = 0; round < 150; round++) {
                    byte[] noise = switch (r.nextInt(4)) {
                        case 0 -> randomBytes(r, r.nextInt(1, 500));
                        case 1 -> mutate(goodBytes.get(r.nextInt(goodBytes.size())), r);
                        case 2 -> { // a broken envelope
                            byte[] b = CommandCodec.encodeBatch(goodBytes.subList(0, 3));
                            yield Arrays.copyOf(b, b.length - 1 - r.nextInt(10));
                        }
                        default -> { // a good batch with one spoiled command
                            byte[] b = mutate(goodBytes.get(r.nextInt(goodBytes.size())), r);
                            yield CommandCodec.encodeBatch(List.of(goodBytes.get(r.nextInt(goodBytes.size())), b.length == 0 ? new byte[] {9} : b));
                        }
                    };
                    if (noise.length > 0) offer(client, noise);
                    // the good client's next requests, alone or in a batch around a command that is not one
                    byte[] t1 = CommandCodec.encode(new Command.TimeTick(CLIENT, next++, Market.START + round));
                    byte[] t2 = CommandCodec.encode(new Command.TimeTick(CLIENT, next++, Market.START + round));
                    offer(client, r.nextBoolean() ? CommandCodec.encodeBatch(List.of(t1, new byte[] {CommandCodec.VERSION, 99, 1}, t2))
                            : CommandCodec.encodeBatch(List.of(t1, t2)));
                }
                long last = next - 1;
                SequencerClusterTest.awaitPolling(client, () -> in.stream().anyMatch(a -> a.path("clientId").asLong() == CLIENT
                        && a.path("clientSeq").asLong() == last));
                List<ObjectNode> mine = in.stream().filter(a -> a.path("clientId").asLong() == CLIENT).toList();
                assertThat(mine).extracting(a -> a.path("clientSeq").asLong())
                        .as("every good request answered once, in order").containsExactlyElementsOf(
                                java.util.stream.LongStream.rangeClosed(1, last).boxed().toList());
                assertThat(mine).allSatisfy(a -> assertThat(a.path("duplicate").asBoolean()).isFalse());

                // the log replays to the node's root
                HistoryPages.History h = HistoryPages.read(from -> {
                    in.clear();
                    client.send(new Command.Query(CLIENT, -1, Command.QueryKind.HISTORY, 0, null, null, from));
                    SequencerClusterTest.awaitPolling(client, () -> !in.isEmpty());
                    return in.poll();
                });
                SequencerState replay = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
                CommandHistory.forEach(h.encoded(), (ts, bytes) -> {
                    try {
                        replay.apply(CommandCodec.decode(bytes, 0, bytes.length), ts);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                assertThat(replay.seq()).isEqualTo(h.seq());
                assertThat(replay.stateRoot().toString()).isEqualTo(h.stateRoot());
            }
        }
    }

    static void offer(ClusterClient client, byte[] message) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!client.offer(message)) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("the cluster did not take a message in 30 s");
            client.poll();
            Thread.sleep(1);
        }
        client.poll();
    }

    static byte[] randomBytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static byte[] mutate(byte[] good, SplittableRandom r) {
        byte[] b = good.clone();
        switch (r.nextInt(3)) {
            case 0 -> { for (int i = 1 + r.nextInt(4); i > 0; i--) b[r.nextInt(b.length)] = (byte) r.nextInt(256); }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length));
            default -> b = Arrays.copyOf(b, b.length + 1 + r.nextInt(40));
        }
        return b;
    }
}
