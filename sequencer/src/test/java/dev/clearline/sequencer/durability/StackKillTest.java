package dev.clearline.sequencer.durability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.api.OrderJson;
import dev.clearline.sequencer.api.WsClient;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.store.MemoryNodeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sequencer on the stack, as an operator runs it ({@code ./clearline sequencer --l1-rpc ..
 * --manifest .. --operator-key ..}) in a child process against the devnet's deployed rollup: it
 * takes the market and deposits from L1's queue, trades, posts its batches. It is killed with
 * SIGKILL at a random moment mid-stream and restarted: every acknowledged order and fill is in the
 * recovered log at its seq, the root equals a replay of that log, and the batches reach L1 each
 * exactly once and honest (a replay of L1 alone judges them). More kills:
 * {@code -Dclearline.durability.stackKills=N}.
 */
@WithDevnet(http = true)
class StackKillTest {
    static final StaticGasProvider GAS = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(12_000_000));
    static final long DEPOSIT = 100_000_000;

    @TempDir
    Path dir;

    @Test
    void aSequencerKilledMidStreamOnTheStackLosesNothingAcknowledgedAndPostsEachBatchOnce(DevnetContext l1) throws Exception {
        int kills = Integer.getInteger("clearline.durability.stackKills", 1);
        String rollup = l1.address("Rollup");
        Path manifest = dir.resolve("deployment.json");
        l1.manifest().write(manifest);
        Genesis genesis = genesisOf(l1);
        Eip712 domain = genesis.domain();

        Credentials aliceKey = l1.key(1), bobKey = l1.key(2);
        openDevMarketWithDeposits(l1, rollup, aliceKey, bobKey);
        Signer alice = signer(aliceKey), bob = signer(bobKey);

        String[] args = {"--l1-rpc", l1.devnet().rpcUrl(), "--manifest", manifest.toString(),
                "--operator-key", Numeric.toHexStringNoPrefixZeroPadded(l1.key(5).getEcKeyPair().getPrivateKey(), 64),
                "--dev-oracle", "1=10000", "--l1-interval-ms", "300", "--snapshot-every", "1", "--rate-per-key", "1000000"};
        // once at any -Dclearline.tries: the L1 deployment and its deposits, made above, serve one run of the stack
        Property.forAll(Gens.seeds()).once().check(seed -> {
            Random random = new Random(seed);
            long[] nonce = {1};
            Map<Long, JsonNode> acked = new HashMap<>();
            ChildSequencer node = ChildSequencer.start(dir, 0, args);
            try {
                ChildSequencer first = node;
                await(() -> account(first, alice).path("free").asLong() + account(first, bob).path("free").asLong() == 2 * DEPOSIT
                        && state(first).path("marketInfo").path(0).path("markPrice").asLong() > 0, 60, "deposits credited from L1 and a first mark", first::diagnosis);
                // a node that feeds its own prices refuses orders in a market without one for a minute (MarkFreshness), unless told otherwise
                JsonNode venue = get(first, "/venue");
                assertThat(venue.path("maxMarkAge").asLong()).as(venue.toString()).isEqualTo(60);
                assertThat(venue.path("staleMarks").size()).as(venue.toString()).isZero();
                for (int k = 1; k <= kills; k++) {
                    long killAfterMs = 200 + random.nextInt(800);
                    List<CompletableFuture<JsonNode>> sent = new ArrayList<>();
                    try (WsClient ws = new WsClient(node.port)) {
                        long until = Long.MAX_VALUE;
                        long giveUp = System.currentTimeMillis() + 60_000;
                        while (System.currentTimeMillis() < until && System.currentTimeMillis() < giveUp) {
                            // the countdown starts at the first acknowledged fill: under load the first replies may all be resting orders
                            if (until == Long.MAX_VALUE && sent.stream().anyMatch(StackKillTest::ackedAFill)) until = System.currentTimeMillis() + killAfterMs;
                            boolean sell = sent.size() % 2 == 0;
                            Signer s = sell ? alice : bob;
                            Order o = new Order(s.address(), 1, sell ? Side.SELL : Side.BUY, 10_000, 1_000, 0, TimeInForce.GTC, 0, 0, nonce[0]++, 50_000);
                            sent.add(ws.request(OrderJson.op("place", OrderJson.order(s, o, domain))));
                            Thread.sleep(3);
                        }
                        node.kill9();
                    }
                    int fills = 0;
                    for (CompletableFuture<JsonNode> f : sent) {
                        if (f.isDone() && !f.isCompletedExceptionally()) {
                            JsonNode r = f.join();
                            if (r.has("seq")) acked.put(r.get("seq").asLong(), r);
                            for (JsonNode e : r.path("events")) if (e.path("event").asText().equals("Filled")) fills++;
                        }
                    }
                    ChildSequencer killed = node;
                    assertThat(fills).as(() -> "acknowledged fills before the kill, of " + sent.size() + " orders sent in 60 s\n" + killed.diagnosis()).isPositive();
                    node = ChildSequencer.start(dir, k, args);
                    KillNineTest.verify(node, acked, sent.size(), genesis);
                }
                // the restarted node's L1 side posts what it sealed, nothing twice, and a replay of L1 alone finds it honest
                ChildSequencer n = node;
                long sealed = state(n).path("sealedBatches").asLong();
                Rollup reader = Rollup.load(rollup, l1.web3j(), l1.deployer(), GAS);
                await(() -> reader.nextBatchIndex().send().longValueExact() >= sealed, 90, "the sealed batches on L1", n::diagnosis);
                RollupLog log = new RollupLog(l1.web3j(), rollup);
                BatchVerifier watcher = new BatchVerifier(new Stf(domain, new BouncyCastleVerifier()), new MemoryNodeStore());
                long expected = 0;
                for (RollupLog.Posted p : log.batches(l1.manifest().blockNumber(), log.latestBlock())) {
                    assertThat(p.batch().header().batchIndex()).as("each batch once, in order").isEqualTo(expected++);
                    Verdict v = watcher.verify(p.batch());
                    assertThat(v).as("batch %d", p.batch().header().batchIndex()).isInstanceOf(Verdict.Honest.class);
                }
                assertThat(expected).isGreaterThanOrEqualTo(sealed);
                // the L1 loop backs off up to 30 s after failed rounds (a loaded machine's slow RPC), so 30 s could measure only that
                await(() -> state(n).path("l1").path("batchesPosted").asLong() >= sealed, 90, "the posted batches reported into the log", n::diagnosis);
            } finally {
                node.close();
            }
        });
    }

    static boolean ackedAFill(CompletableFuture<JsonNode> reply) {
        if (!reply.isDone() || reply.isCompletedExceptionally()) return false;
        for (JsonNode e : reply.join().path("events")) if (e.path("event").asText().equals("Filled")) return true;
        return false;
    }

    /** The genesis of a node on this devnet's rollup: the devnet's chain id, the build's book sizes and batch policy. */
    static Genesis genesisOf(DevnetContext l1) throws java.io.IOException {
        String rollup = l1.address("Rollup");
        long chainId = l1.web3j().ethChainId().send().getChainId().longValueExact();
        Genesis dev = Genesis.devnet(Address.fromHex(rollup));
        return new Genesis(chainId, Address.fromHex(rollup), dev.books(), dev.batches());
    }

    /** Market 1 configured as the dev stack has it (priced by the dev oracle), and a deposit for each user. */
    static void openDevMarketWithDeposits(DevnetContext l1, String rollup, Credentials... users) throws Exception {
        ok(Rollup.load(rollup, l1.web3j(), l1.deployer(), GAS).configureMarket(BigInteger.ONE, BigInteger.valueOf(100), BigInteger.valueOf(1_000),
                BigInteger.valueOf(100_000), BigInteger.valueOf(50_000), BigInteger.valueOf(200), BigInteger.valueOf(500), BigInteger.valueOf(10_000),
                DevAccounts.oracle().address().toString()).send());
        for (Credentials user : users) deposit(l1, rollup, user);
    }

    static Signer signer(Credentials c) {
        return Signer.ofHex(c.getEcKeyPair().getPrivateKey().toString(16));
    }

    static void deposit(DevnetContext l1, String rollup, Credentials user) throws Exception {
        String token = l1.address("TestCollateral");
        ok(TestCollateral.load(token, l1.web3j(), l1.deployer(), GAS).mint(user.getAddress(), BigInteger.valueOf(DEPOSIT)).send());
        ok(TestCollateral.load(token, l1.web3j(), user, GAS).approve(rollup, BigInteger.valueOf(DEPOSIT)).send());
        ok(Rollup.load(rollup, l1.web3j(), user, GAS).deposit(BigInteger.valueOf(DEPOSIT)).send());
    }

    static void ok(TransactionReceipt r) {
        assertThat(r.isStatusOK()).as("transaction %s: %s", r.getTransactionHash(), r.getRevertReason()).isTrue();
    }

    /** One client for every read: a fresh HttpClient per call would leave a selector thread behind each time. */
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * A read of the child's API. It times out instead of waiting forever: a child that stops
     * answering must fail the test with its log and stacks ({@link #await}), not hang the build.
     */
    static JsonNode get(ChildSequencer node, String path) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port + path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return WsClient.JSON.readTree(body);
    }

    static JsonNode account(ChildSequencer node, Signer s) throws Exception {
        return get(node, "/accounts/" + s.address()).path("account");
    }

    static JsonNode state(ChildSequencer node) throws Exception {
        return get(node, "/state");
    }

    interface Check {
        boolean get() throws Exception;
    }

    static void await(Check done, int seconds, String what) throws Exception {
        await(done, seconds, what, () -> "");
    }

    /**
     * Polls {@code done} until it holds. A read that fails or times out (the child busy, a
     * connection refused while it starts) is tried again; after {@code seconds} the test fails
     * saying what it waited for, the last error, and {@code context} (the child's log and stacks).
     */
    static void await(Check done, int seconds, String what, java.util.function.Supplier<String> context) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1_000L;
        Exception last = null;
        while (true) {
            try {
                if (done.get()) return;
            } catch (java.io.IOException e) {
                last = e;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what
                        + (last == null ? "" : " (last read failed: " + last + ")") + "\n" + context.get(), last);
            }
            Thread.sleep(300);
        }
    }
}
