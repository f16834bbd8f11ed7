package dev.clearline.sequencer.durability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.Calldata;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.sequencer.api.OrderJson;
import dev.clearline.sequencer.api.WsClient;
import dev.clearline.tree.store.MemoryNodeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import static dev.clearline.sequencer.durability.StackKillTest.account;
import static dev.clearline.sequencer.durability.StackKillTest.await;
import static dev.clearline.sequencer.durability.StackKillTest.openDevMarketWithDeposits;
import static dev.clearline.sequencer.durability.StackKillTest.signer;
import static dev.clearline.sequencer.durability.StackKillTest.state;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loss window when every member is lost (docs/replication.md): the sequencer trades on the
 * devnet's rollup and posts its batches; then it is killed and its directory deleted, which is
 * what losing every member of a cluster leaves (no disk copy anywhere). The state is rebuilt
 * from L1 alone (the prover's replay of the posted batches): every posted batch replays honest
 * to its posted root, the fills in them are exactly the acknowledged fills that went into posted
 * batches, in order, and the acknowledged fills lost are exactly the tail not yet posted. Prints
 * how many acknowledged fills were lost and how old the oldest of them was at the loss.
 */
@WithDevnet(http = true)
class LossWindowTest {
    @TempDir
    Path dir;

    @Test
    void losingEveryMemberLosesExactlyTheAcknowledgedFillsNotYetPostedToL1(DevnetContext l1) throws Exception {
        String rollup = l1.address("Rollup");
        Path manifest = dir.resolve("deployment.json");
        l1.manifest().write(manifest);
        Eip712 domain = StackKillTest.genesisOf(l1).domain();
        Credentials aliceKey = l1.key(1), bobKey = l1.key(2);
        openDevMarketWithDeposits(l1, rollup, aliceKey, bobKey);
        Signer alice = signer(aliceKey), bob = signer(bobKey);
        String[] args = {"--l1-rpc", l1.devnet().rpcUrl(), "--manifest", manifest.toString(),
                "--operator-key", Numeric.toHexStringNoPrefixZeroPadded(l1.key(5).getEcKeyPair().getPrivateKey(), 64),
                "--dev-oracle", "1=10000", "--l1-interval-ms", "300", "--snapshot-every", "0", "--rate-per-key", "1000000"};

        ChildSequencer node = ChildSequencer.start(dir, 0, args);
        Map<Long, Long> ackedAtNanos = new ConcurrentHashMap<>();
        JsonNode fills;
        long lostAt;
        try {
            await(() -> account(node, alice).path("free").asLong() > 0 && account(node, bob).path("free").asLong() > 0
                    && state(node).path("marketInfo").path(0).path("markPrice").asLong() > 0, 60, "deposits credited from L1 and a first mark", node::diagnosis);
            // ~5 s of crossing orders, few enough that alice's recent fills (200) hold every one
            List<CompletableFuture<JsonNode>> sent = new ArrayList<>();
            try (WsClient ws = new WsClient(node.port)) {
                long nonce = 1;
                long until = System.currentTimeMillis() + 5_000;
                while (System.currentTimeMillis() < until && sent.size() < 300) {
                    boolean sell = sent.size() % 2 == 0;
                    Signer s = sell ? alice : bob;
                    Order o = new Order(s.address(), 1, sell ? Side.SELL : Side.BUY, 10_000, 1_000, 0, TimeInForce.GTC, 0, 0, nonce++, 50_000);
                    CompletableFuture<JsonNode> f = ws.request(OrderJson.op("place", OrderJson.order(s, o, domain)));
                    f.thenAccept(r -> {
                        if (r.has("seq")) ackedAtNanos.put(r.get("seq").asLong(), System.nanoTime());
                    });
                    sent.add(f);
                    Thread.sleep(30);
                }
                try {
                    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("not every order was answered 60 s after the last was sent ("
                            + sent.stream().filter(f -> !f.isDone()).count() + " of " + sent.size() + " open)\n" + node.diagnosis(), e);
                }
            }
            // everything acknowledged, as the exchange itself reports it: each fill with its seq and the batch it went into
            fills = account(node, alice).path("fills");
            lostAt = System.nanoTime();
            node.kill9(); // every member gone ...
        } finally {
            node.close();
        }
        deleteTree(dir.resolve("node")); // ... with every disk copy
        Thread.sleep(2_000); // a post already sent still lands: L1 is what counts

        // rebuild from L1 alone
        RollupLog log = new RollupLog(l1.web3j(), rollup);
        BatchVerifier replay = new BatchVerifier(new Stf(domain, new BouncyCastleVerifier()), new MemoryNodeStore());
        long posted = 0;
        int tradesOnL1 = 0;
        for (RollupLog.Posted p : log.batches(l1.manifest().blockNumber(), log.latestBlock())) {
            assertThat(p.batch().header().batchIndex()).as("each batch once, in order").isEqualTo(posted++);
            assertThat(replay.verify(p.batch())).as("batch %d", p.batch().header().batchIndex()).isInstanceOf(Verdict.Honest.class);
            assertThat(replay.verifiedRoot()).isEqualTo(p.batch().header().postStateRoot());
            for (byte[] t : ((Calldata.Pieces) Calldata.split(p.batch().calldata())).transitions()) {
                Transition tr = TransitionCodec.decode(t);
                if (tr instanceof Transition.Trade || tr instanceof Transition.TradeAtPrice) tradesOnL1++;
            }
        }
        List<JsonNode> kept = new ArrayList<>(), lost = new ArrayList<>();
        for (JsonNode f : fills) (f.has("batch") && f.get("batch").asLong() < posted ? kept : lost).add(f);
        assertThat(fills.size()).as("alice's recent fills hold every fill of the run").isLessThan(200);
        assertThat(kept.size() + lost.size()).isPositive();
        assertThat(tradesOnL1).as("the trades L1 holds are exactly the acknowledged fills in posted batches").isEqualTo(kept.size());
        long lastKept = kept.stream().mapToLong(f -> f.get("seq").asLong()).max().orElse(-1);
        assertThat(lost).as("the loss is a tail: every lost fill is younger than every kept one")
                .allSatisfy(f -> assertThat(f.get("seq").asLong()).isGreaterThan(lastKept));
        long oldestLostSeq = lost.stream().mapToLong(f -> f.get("seq").asLong()).min().orElse(-1);
        long windowMs = oldestLostSeq < 0 || !ackedAtNanos.containsKey(oldestLostSeq) ? 0
                : (lostAt - ackedAtNanos.get(oldestLostSeq)) / 1_000_000;
        System.out.printf("loss window: %d acknowledged fills, %d on L1 in %d posted batches (recovered, root %s), %d lost"
                        + " (the unposted tail, seq %d on); the oldest lost acknowledgement was %d ms old when every member was lost%n",
                fills.size(), kept.size(), posted, replay.verifiedRoot(), lost.size(), oldestLostSeq, windowMs);
    }

    static void deleteTree(Path p) throws java.io.IOException {
        try (var files = java.nio.file.Files.walk(p)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.delete(f);
        }
    }
}
