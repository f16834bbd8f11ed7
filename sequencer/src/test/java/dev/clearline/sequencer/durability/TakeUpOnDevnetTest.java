package dev.clearline.sequencer.durability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.prover.escape.FinalizedState;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.Calldata;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.sequencer.api.OrderJson;
import dev.clearline.sequencer.api.WsClient;
import dev.clearline.sequencer.state.CommandHistory;
import dev.clearline.sequencer.state.FillsOnL1;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.sequencer.state.Snapshot;
import dev.clearline.tree.store.MemoryNodeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.clearline.sequencer.durability.StackKillTest.GAS;
import static dev.clearline.sequencer.durability.StackKillTest.account;
import static dev.clearline.sequencer.durability.StackKillTest.await;
import static dev.clearline.sequencer.durability.StackKillTest.deposit;
import static dev.clearline.sequencer.durability.StackKillTest.openDevMarketWithDeposits;
import static dev.clearline.sequencer.durability.StackKillTest.signer;
import static dev.clearline.sequencer.durability.StackKillTest.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A venue that goes on from L1 after every member was lost (docs/replication.md, "Taking up from L1"): a sequencer
 * trades on the devnet's rollup and posts its batches, then is killed and its directory deleted. The state L1 holds is
 * rebuilt from L1 alone (every posted batch replayed and judged honest, the traders and markets its transitions name),
 * written as {@code ./clearline take-up} writes it, and a new sequencer starts from it with {@code --take-up} on an empty
 * directory, under the same operator key. Asserted: the new node shows every trader's position and balance as L1 holds
 * them (not one fill more or less), credits a deposit made on L1 after the take-up, fills new orders of the same traders,
 * comes back from a kill -9 (before any snapshot, restarted without the flag) to the same state, and posts batches that
 * follow L1's last (the next index, on L1's root) and that a replay from L1 judges honest.
 */
@WithDevnet(http = true)
class TakeUpOnDevnetTest {
    @TempDir
    Path dir;
    /** Alice's withdrawal as the lost node listed it. */
    private JsonNode withdrawalBefore;
    /** Alice's fills as the lost node listed them. */
    private JsonNode fillsBefore;

    @Test
    void aVenueWhoseMembersWereAllLostGoesOnFromTheStateL1Holds(DevnetContext l1) throws Exception {
        String rollup = l1.address("Rollup");
        Path manifest = dir.resolve("deployment.json");
        l1.manifest().write(manifest);
        Genesis genesis = StackKillTest.genesisOf(l1);
        Eip712 domain = genesis.domain();
        Credentials aliceKey = l1.key(1), bobKey = l1.key(2), carolKey = l1.key(3);
        openDevMarketWithDeposits(l1, rollup, aliceKey, bobKey);
        Signer alice = signer(aliceKey), bob = signer(bobKey), carol = signer(carolKey);
        List<String> args = List.of("--l1-rpc", l1.devnet().rpcUrl(), "--manifest", manifest.toString(),
                "--operator-key", Numeric.toHexStringNoPrefixZeroPadded(l1.key(5).getEcKeyPair().getPrivateKey(), 64),
                "--dev-oracle", "1=10000", "--l1-interval-ms", "300", "--snapshot-every", "0", "--rate-per-key", "1000000");
        Rollup r = Rollup.load(rollup, l1.web3j(), l1.deployer(), GAS);

        Files.createDirectories(dir.resolve("first"));
        Files.createDirectories(dir.resolve("second"));
        ChildSequencer first = ChildSequencer.start(dir.resolve("first"), 0, args.toArray(String[]::new));
        try {
            await(() -> account(first, alice).path("free").asLong() > 0 && account(first, bob).path("free").asLong() > 0
                    && state(first).path("marketInfo").path(0).path("markPrice").asLong() > 0, 60, "deposits credited and a first mark", first::diagnosis);
            cross(first, domain, alice, bob, 1, 12);
            withdraw(first, domain, alice, 4_321);
            // the fills and the withdrawal reach L1 in posted batches before the loss, so what the new node must show is known exactly
            await(() -> {
                JsonNode a = account(first, alice);
                long onL1 = r.nextBatchIndex().send().longValueExact();
                if (a.path("fills").size() < 12 || a.path("withdrawals").size() < 1) return false;
                for (JsonNode f : a.path("fills")) if (!f.has("batch") || f.get("batch").asLong() >= onL1) return false;
                return a.path("withdrawals").get(0).path("batch").asLong(Long.MAX_VALUE) < onL1;
            }, 90, "every fill and the withdrawal in a batch on L1", first::diagnosis);
            withdrawalBefore = account(first, alice).path("withdrawals").get(0);
            fillsBefore = account(first, alice).path("fills");
            first.kill9(); // every member gone, with every disk copy below
        } finally {
            first.close();
        }
        LossWindowTest.deleteTree(dir.resolve("first").resolve("node"));
        Thread.sleep(1_000); // a post already sent still lands: L1 is what counts

        BatchVerifier replay = new BatchVerifier(new Stf(domain, new BouncyCastleVerifier()), new MemoryNodeStore());
        SequencerState.L1Start start = fromL1(l1, r, replay);
        assertThat(start.batches()).as("batches the lost node posted").isPositive();
        Path file = dir.resolve("take-up.snapshot");
        SequencerState taken = SequencerState.takeUp(genesis, new NativeSecp256k1Verifier(), CommandHistory.inMemory(), start);
        Files.write(file, Snapshot.write(taken));
        taken.close();

        List<String> resumed = new ArrayList<>(args);
        resumed.addAll(List.of("--take-up", file.toString()));
        ChildSequencer second = ChildSequencer.start(dir.resolve("second"), 1, resumed.toArray(String[]::new));
        try {
            assertThat(position(second, alice)).as("alice's position, as L1 holds it").isEqualTo(-12_000);
            assertThat(position(second, bob)).isEqualTo(12_000);
            assertThat(state(second).path("sealedBatches").asLong()).isEqualTo(start.batches());
            // alice's withdrawal, numbered before the loss, shows where it stands on L1: in its own batch, posted or final
            JsonNode w = account(second, alice).path("withdrawals");
            assertThat(w).as("alice's withdrawals on the new node: " + w).hasSize(1);
            assertThat(w.get(0).path("withdrawalId").asLong()).isEqualTo(withdrawalBefore.path("withdrawalId").asLong());
            assertThat(w.get(0).path("amount").asLong()).isEqualTo(4_321);
            assertThat(w.get(0).path("stage").asText()).isIn("posted", "final");
            if (w.get(0).path("stage").asText().equals("posted")) {
                assertThat(w.get(0).path("batch").asLong()).as("its own batch").isEqualTo(withdrawalBefore.path("batch").asLong());
            }
            // alice's fills in batches still in their challenge period show as L1 holds them, at their stage, without a seq
            List<JsonNode> expected = new ArrayList<>();
            for (JsonNode f : fillsBefore) if (f.path("batch").asLong() >= start.finalized()) expected.add(withoutSeqAndStage(f));
            assertThat(expected).as("fills of batches not final at the take-up (a 600 s challenge period)").isNotEmpty();
            List<JsonNode> listed = new ArrayList<>();
            for (JsonNode f : account(second, alice).path("fills")) {
                assertThat(f.path("stage").asText()).as("a fill L1 holds: %s", f).isIn("posted", "final");
                listed.add(withoutSeqAndStage(f));
            }
            assertThat(listed).as("alice's fills on the new node").isEqualTo(expected);
            // L1's queue goes on where the state's count of consumed ops stands
            deposit(l1, rollup, carolKey);
            await(() -> account(second, carol).path("free").asLong() > 0 && state(second).path("marketInfo").path(0).path("markPrice").asLong() > 0,
                    60, "a deposit made after the take-up credited, and a mark", second::diagnosis);
            // the same traders go on trading (nonces past the lost node's: its used nonces are not in L1's state)
            cross(second, domain, bob, alice, 1_001, 5);
            assertThat(position(second, alice)).isEqualTo(-7_000);
            second.kill9(); // before any snapshot: the restart replays the new log from the state taken up, kept in its directory
        } finally {
            second.close();
        }
        ChildSequencer again = ChildSequencer.start(dir.resolve("second"), 2, args.toArray(String[]::new)); // no --take-up this time
        try {
            assertThat(position(again, alice)).as("the restart, from the taken-up state and its log").isEqualTo(-7_000);
            assertThat(account(again, carol).path("free").asLong()).isPositive();
            await(() -> r.nextBatchIndex().send().longValueExact() > start.batches() && tradesPostedAfter(l1, r, start.batches()) >= 5,
                    90, "the new node's batches with its fills on L1", again::diagnosis);
        } finally {
            again.close();
        }

        // the new node's batches, judged from L1 on top of the state it took up
        RollupLog log = new RollupLog(l1.web3j(), rollup);
        long judged = 0;
        for (RollupLog.Posted p : log.batches(l1.manifest().blockNumber(), log.latestBlock())) {
            BatchHeader h = p.batch().header();
            if (h.batchIndex() < start.batches()) continue;
            if (h.batchIndex() == start.batches()) assertThat(h.prevStateRoot()).as("built on L1's tip").isEqualTo(start.tipRoot());
            assertThat(replay.verify(p.batch())).as("batch %d", h.batchIndex()).isInstanceOf(Verdict.Honest.class);
            judged++;
        }
        assertThat(judged).as("batches the new node posted").isPositive();

        // the same file once the new node has posted: it no longer follows L1's last batch, and a node started from it would
        // acknowledge orders whose batches L1 refuses; the start is refused before anything is served
        Files.createDirectories(dir.resolve("third"));
        List<String> stale = new ArrayList<>(args);
        stale.addAll(List.of("--take-up", file.toString()));
        assertThatThrownBy(() -> ChildSequencer.start(dir.resolve("third"), 3, stale.toArray(String[]::new)).close())
                .hasMessageContaining("the child sequencer exited with")
                .hasMessageContaining("holds the state after " + start.batches() + " batch(es), but the rollup holds " + r.nextBatchIndex().send())
                .hasMessageContaining("./clearline take-up");
        assertThat(dev.clearline.sequencer.cluster.SequencerService.takeUpFile(dir.resolve("third").resolve("node"))).doesNotExist();
        System.out.printf("take-up: %d batches on L1 at the loss (root %s, %d traders, %d leaves); the new node posted %d more, all honest%n",
                start.batches(), start.tipRoot(), start.traders().size(), start.leaves().size(), judged);
    }

    /** A fill as both nodes must agree on it: its seq is the lost log's, its stage moves with L1. */
    private static JsonNode withoutSeqAndStage(JsonNode fill) {
        ObjectNode f = fill.deepCopy();
        for (String k : List.of("seq", "stage", "postedAt", "finalAt", "challengePeriodSeconds")) f.remove(k);
        return f;
    }

    /** A withdrawal of {@code amount} from {@code owner} to itself, acknowledged. */
    private static void withdraw(ChildSequencer node, Eip712 domain, Signer owner, long amount) throws Exception {
        long nonce = account(node, owner).path("nonce").asLong();
        ObjectNode n = WsClient.JSON.createObjectNode();
        n.put("owner", owner.address().toString()).put("recipient", owner.address().toString()).put("amount", amount).put("nonce", nonce)
                .put("signature", "0x" + java.util.HexFormat.of().formatHex(owner.sign(domain.withdrawDigest(owner.address(), owner.address(), amount, nonce)).encoded()));
        try (WsClient ws = new WsClient(node.port)) {
            JsonNode reply = ws.request(OrderJson.op("withdraw", n)).get(60, TimeUnit.SECONDS);
            assertThat(reply.path("outcomes").get(0).path("accepted").asBoolean()).as("the withdrawal: %s", reply).isTrue();
        }
    }

    /** {@code n} crossing pairs: {@code seller} rests a lot at 10,000 and {@code buyer} takes it, each acknowledged. */
    private static void cross(ChildSequencer node, Eip712 domain, Signer seller, Signer buyer, long firstNonce, int n) throws Exception {
        List<CompletableFuture<JsonNode>> sent = new ArrayList<>();
        try (WsClient ws = new WsClient(node.port)) {
            for (int i = 0; i < n; i++) {
                long nonce = firstNonce + i;
                Order sell = new Order(seller.address(), 1, Side.SELL, 10_000, 1_000, 0, TimeInForce.GTC, 0, 0, nonce, 50_000);
                Order buy = new Order(buyer.address(), 1, Side.BUY, 10_000, 1_000, 0, TimeInForce.GTC, 0, 0, nonce, 50_000);
                sent.add(ws.request(OrderJson.op("place", OrderJson.order(seller, sell, domain))));
                sent.add(ws.request(OrderJson.op("place", OrderJson.order(buyer, buy, domain))));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        for (CompletableFuture<JsonNode> f : sent) assertThat(f.join().has("seq")).as("acknowledged: %s", f.join()).isTrue();
    }

    private static long position(ChildSequencer node, Signer s) throws Exception {
        JsonNode positions = account(node, s).path("positions");
        return positions.isEmpty() ? 0 : positions.get(0).path("size").asLong();
    }

    /** Trades in the batches L1 holds from index {@code from} on. */
    private static int tradesPostedAfter(DevnetContext l1, Rollup r, long from) throws Exception {
        RollupLog log = new RollupLog(l1.web3j(), r.getContractAddress());
        int trades = 0;
        for (RollupLog.Posted p : log.batches(l1.manifest().blockNumber(), log.latestBlock())) {
            if (p.batch().header().batchIndex() < from) continue;
            for (byte[] t : ((Calldata.Pieces) Calldata.split(p.batch().calldata())).transitions()) {
                Transition tr = TransitionCodec.decode(t);
                if (tr instanceof Transition.Trade || tr instanceof Transition.TradeAtPrice) trades++;
            }
        }
        return trades;
    }

    /**
     * What {@code ./clearline take-up} reads from L1: every posted batch replayed and judged honest into {@code replay}, the
     * traders and markets their transitions name, the leaves, and where the batches stand.
     */
    static SequencerState.L1Start fromL1(DevnetContext l1, Rollup r, BatchVerifier replay) throws Exception {
        RollupLog log = new RollupLog(l1.web3j(), r.getContractAddress());
        TreeSet<Address> owners = new TreeSet<>(Comparator.comparing(Address::toString));
        TreeSet<Integer> markets = new TreeSet<>(Comparator.comparingLong(Integer::toUnsignedLong));
        BatchHeader last = null;
        long n = 0;
        List<Long> withdrawalsAfter = new ArrayList<>(List.of(0L)); // the count before batch 0, then after each
        FillsOnL1 fills = new FillsOnL1(StackKillTest.genesisOf(l1).domain()::orderDigest);
        for (RollupLog.Posted p : log.batches(l1.manifest().blockNumber(), log.latestBlock())) {
            long index = p.batch().header().batchIndex();
            assertThat(index).as("each batch once, in order").isEqualTo(n++);
            assertThat(replay.verify(p.batch(), (t, state) -> fills.applied(index, t, state))).isInstanceOf(Verdict.Honest.class);
            FinalizedState.namedIn(p.batch().calldata(), owners, markets);
            last = p.batch().header();
            withdrawalsAfter.add(replay.withdrawalCount());
        }
        assertThat(n).isEqualTo(r.nextBatchIndex().send().longValueExact());
        long finalized = r.finalizedCount().send().longValueExact();
        long[] postedAt = new long[(int) (n - finalized)];
        for (int i = 0; i < postedAt.length; i++) postedAt[i] = r.batch(BigInteger.valueOf(finalized + i)).send().submittedAt.longValueExact();
        List<LeafStore.Write> leaves = new ArrayList<>();
        replay.forEachLeaf((k, v) -> leaves.add(new LeafStore.Write(k.clone(), v.clone())));
        long[] withdrawalCounts = withdrawalsAfter.subList((int) finalized, (int) n + 1).stream().mapToLong(Long::longValue).toArray();
        return new SequencerState.L1Start(leaves, List.copyOf(owners), List.copyOf(markets), n, finalized, replay.verifiedRoot(), last, postedAt,
                withdrawalCounts,
                r.challengePeriod().send().longValueExact(), fills.fillsFrom(finalized));
    }
}
