package dev.clearline.cli;

import static dev.clearline.cli.CensorshipFreezeTest.cli;
import static dev.clearline.cli.CensorshipFreezeTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.TimeTravel;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.dispute.DisputeL1;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.sequencer.state.Snapshot;
import dev.clearline.tree.store.MemoryNodeStore;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * {@code clearline take-up}: the state a sequencer goes on from, rebuilt from L1 alone. Here the operator named by the
 * rollup (dev key 1) never posts, a trader posts the batch of its ops itself ({@code propose}), and the state after that
 * foreign batch is written: it must load as a node loads it, for this chain and rollup, at L1's tip root, with L1's count
 * of batches, the trader's balance as the batch left it and nothing of a log before it. A wrong batch on L1 refuses it.
 */
@WithDevnet(http = true, parameters = "rollup.sequencer=0x70997970c51812dc3a010c7d01b50e0d17dc79c8") // dev key 1, never running
class TakeUpCommandTest {
    private static final int TRADER = 2;

    @Test
    void theStateAfterAForeignBatchIsWrittenForASequencerToGoOnFrom(DevnetContext l1, @TempDir Path tmp) throws Exception {
        Credentials trader = l1.key(TRADER);
        Rollup rollup = Rollup.load(l1.address("Rollup"), l1.web3j(), trader, gas());
        List<String> asTrader = ProposeCommandTest.queueDepositAndForcedWithdrawal(l1, trader);
        new TimeTravel(l1.service()).advance(Duration.ofSeconds(rollup.forceDelay().send().longValueExact() / 2 + 1));
        CensorshipFreezeTest.Run posted = cli(asTrader, "propose");
        assertThat(posted.code()).as(posted.err()).isZero();
        Hash32 tip = new Hash32(rollup.tip().send().component1());

        Path file = tmp.resolve("out").resolve("take-up.snapshot");
        String cache = tmp.resolve("cache").toString();
        List<String> noKey = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--json"); // it reads L1 only
        CensorshipFreezeTest.Run taken = cli(noKey, "take-up", "--out", file.toString(), "--state-cache", cache);
        assertThat(taken.code()).as(taken.err()).isZero();
        JsonNode j = json(taken);
        assertThat(j.path("batches").asLong()).isEqualTo(1);
        assertThat(j.path("finalBatches").asLong()).isZero();
        assertThat(j.path("stateRoot").asText()).isEqualTo(tip.toString());
        assertThat(j.path("file").asText()).isEqualTo(file.toString());
        assertThat(j.path("traders").asLong()).as("the trader; the insurance fund is no trader").isEqualTo(1);
        assertThat(j.path("withdrawals").asLong()).as("the forced one").isEqualTo(1);
        assertThat(j.path("droppedRestingOrders").asLong()).as("no order rested").isZero();
        assertThat(taken.err()).as("the operator never posted: nothing to warn of").doesNotContain("warning");
        CensorshipFreezeTest.Run said = cli(asTrader.subList(0, asTrader.size() - 1), "take-up", "--out", file.toString(), "--state-cache", cache);
        assertThat(said.out()).contains("Took up the state L1 holds after its 1 batch(es)").contains("./clearline sequencer --take-up " + file);

        long chainId = l1.web3j().ethChainId().send().getChainId().longValueExact();
        Genesis dev = Genesis.devnet(Address.fromHex(l1.address("Rollup")));
        Genesis genesis = new Genesis(chainId, Address.fromHex(l1.address("Rollup")), dev.books(), dev.batches());
        SequencerState s = Snapshot.read(Files.readAllBytes(file), genesis, new NativeSecp256k1Verifier());
        try {
            assertThat(s.stateRoot()).as("the rollup's tip").isEqualTo(tip);
            assertThat(s.seq()).as("a new log").isZero();
            assertThat(s.vitals().sealedBatches()).isEqualTo(1);
            assertThat(s.vitals().batchesPosted()).isEqualTo(1);
            assertThat(s.vitals().priorityOpsConsumed()).isEqualTo(rollup.queueLength().send().longValueExact());
            Map<?, ?> account = (Map<?, ?>) s.read(new Command.Query(9, 0, Command.QueryKind.ACCOUNT, 0, Address.fromHex(trader.getAddress()), null), 0)
                    .body().get("account");
            assertThat(((Number) account.get("free")).longValue()).as("10 deposited, 4 withdrawn by force").isEqualTo(6_000_000);
            List<?> withdrawals = (List<?>) account.get("withdrawals");
            assertThat(withdrawals).as("the forced withdrawal, where it stands on L1").hasSize(1);
            Map<?, ?> w = (Map<?, ?>) withdrawals.get(0);
            assertThat(((Number) w.get("amount")).longValue()).isEqualTo(4_000_000);
            assertThat(((Number) w.get("batch")).longValue()).as("the proposed batch").isZero();
            assertThat(w.get("stage")).as("posted, in its challenge period").isEqualTo("posted");
        } finally {
            s.close();
        }
        CensorshipFreezeTest.Run refused = cli(asTrader, "take-up", "--out", file.toString(), "--batch-seconds", "0");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("--batch-seconds must be 1 to 3600").doesNotContain("\tat ");

        // a last batch a reorganisation could still take away is not taken up: the operator names how deep L1 reorganises
        Path shallow = tmp.resolve("shallow.snapshot");
        long batchBlock = l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact(); // nothing mined since the batch
        new TimeTravel(l1.service()).mineBlocks(2, 1);
        CensorshipFreezeTest.Run tooSoon = cli(noKey, "take-up", "--out", shallow.toString(), "--confirmations", "3", "--state-cache", cache);
        assertThat(tooSoon.code()).as(tooSoon.err()).isEqualTo(1);
        assertThat(tooSoon.err()).contains("(batch 0, block " + batchBlock + ") lies 2 block(s) under L1's head, fewer than --confirmations 3")
                .contains("Take up again once L1's head reaches block " + (batchBlock + 3)).contains("nothing was written").doesNotContain("\tat ");
        assertThat(shallow).doesNotExist();
        new TimeTravel(l1.service()).mineBlocks(1, 1); // exactly 3 deep
        CensorshipFreezeTest.Run deepEnough = cli(noKey, "take-up", "--out", shallow.toString(), "--confirmations", "3", "--state-cache", cache);
        assertThat(deepEnough.code()).as(deepEnough.err()).isZero();
        assertThat(shallow).exists();
        CensorshipFreezeTest.Run negative = cli(noKey, "take-up", "--out", shallow.toString(), "--confirmations", "-1");
        assertThat(negative.code()).isEqualTo(2);
        assertThat(negative.err()).contains("--confirmations must be 0 to 1000 blocks");
    }

    /** The footgun: taking up while the operator's node still posts. The take-up is written, with a warning to stop it first. */
    @Test
    void aTakeUpWhileTheSequencerStillPostsIsWarnedOf(DevnetContext l1, @TempDir Path tmp) throws Exception {
        Credentials trader = l1.key(TRADER);
        TestCollateral token = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(), gas());
        assertThat(token.mint(trader.getAddress(), BigInteger.valueOf(10_000_000)).send().isStatusOK()).isTrue();
        assertThat(cli(common(l1, trader), "deposit", "10", "--anyway").code()).isZero();
        CensorshipFreezeTest.Run posted = cli(common(l1, l1.key(1)), "propose"); // the rollup's sequencer posts, as its node would
        assertThat(posted.code()).as(posted.err()).isZero();

        CensorshipFreezeTest.Run taken = cli(List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--json"), "take-up",
                "--out", tmp.resolve("t.snapshot").toString());

        assertThat(taken.code()).as(taken.err()).isZero();
        assertThat(taken.err()).contains("warning: the rollup's sequencer").contains("If its node still runs, stop it first and take up again");
        assertThat(json(taken).path("sequencerSilentSeconds").asLong()).isLessThan(TakeUpCommand.RECENT_SECONDS);
        assertThat(tmp.resolve("t.snapshot")).exists();
        assertThat(taken.err()).as("no batch is challenged yet").doesNotContain("challenged");
        assertThat(json(taken).path("disputedBatches")).isEmpty();

        // a griefer challenges the operator's honest batch: whoever takes up must keep it defended, or lose it and all after it
        RollupLog.Posted batch0 = new RollupLog(l1.web3j(), l1.address("Rollup")).batches(l1.manifest().blockNumber(),
                l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact()).getFirst();
        new DisputeL1(l1.web3j(), l1.address("Rollup"), l1.address("DisputeGame"),
                new TxSender(l1.web3j(), l1.key(3), l1.devnet().chainId(), TxSender.FeePolicy.defaults(), TxSender.Time.SYSTEM))
                .challenge(batch0.batch().header());
        CensorshipFreezeTest.Run challenged = cli(List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--json"),
                "take-up", "--out", tmp.resolve("t.snapshot").toString());
        assertThat(challenged.code()).as(challenged.err()).isZero();
        assertThat(challenged.err()).contains("warning: batch(es) [0] are challenged on L1").contains("./clearline watch --key-file")
                .contains(l1.key(1).getAddress());
        assertThat(json(challenged).path("disputedBatches").toString()).isEqualTo("[0]");
    }

    @Test
    void aWrongBatchOnL1RefusesTheTakeUpAndWritesNothing(DevnetContext l1, @TempDir Path tmp) throws Exception {
        Credentials operator = l1.key(1);
        Rollup asOperator = Rollup.load(l1.address("Rollup"), l1.web3j(), operator, gas());
        assertThat(asOperator.joinProposers(asOperator.proposerBond().send()).send().isStatusOK()).isTrue();
        BondsCommandTest.postWrongBatch(asOperator);
        Path file = tmp.resolve("take-up.snapshot");

        CensorshipFreezeTest.Run refused = cli(common(l1, l1.key(TRADER)), "take-up", "--out", file.toString());

        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("batch 0 (block").contains("is wrong: ").contains("A watcher must challenge it first")
                .contains("take up again; nothing was written").doesNotContain("\tat ");
        assertThat(file).doesNotExist();
    }

    /**
     * The fills of the batches L1 holds in their challenge period are listed in their traders' accounts on the node that
     * takes up, at their batch, posted: rebuilt by the take-up's replay of L1 (a fill of a final batch is not: it is done).
     * A fill of an order posted in a final batch names that order's hash too: ORDER leaves keep only short ids, and the
     * finalized state's replay (or its cache's record) keeps the digests of the orders still resting there.
     */
    @Test
    void theFillsOfBatchesNotFinalAreListedInTheirTradersAccounts(DevnetContext l1, @TempDir Path tmp) throws Exception {
        String rollupAddress = l1.address("Rollup");
        TestCollateral minter = CensorshipFreezeTest.minter(l1);
        Credentials a = l1.key(2), b = l1.key(3), c = l1.key(4);
        for (Credentials k : List.of(a, b, c)) CensorshipFreezeTest.deposit(l1, minter, k, 1_000_000_000L);
        Signer oracle = new Signer(BigInteger.valueOf(0xC0FFEEL));
        // market 1: tick and lot 1, IM 10 %, MM 5 %, maker fee 0.02 %, taker fee 0.1 %
        assertThat(Rollup.load(rollupAddress, l1.web3j(), l1.deployer(), gas()).configureMarket(BigInteger.ONE, BigInteger.ONE, BigInteger.ONE,
                BigInteger.valueOf(100_000), BigInteger.valueOf(50_000), BigInteger.valueOf(200), BigInteger.valueOf(1_000), BigInteger.valueOf(20_000),
                oracle.address().toString()).send().isStatusOK()).isTrue();
        Rollup operator = Rollup.load(rollupAddress, l1.web3j(), l1.key(1), gas());
        assertThat(operator.joinProposers(operator.proposerBond().send()).send().isStatusOK()).isTrue();
        Eip712 domain = new Eip712(l1.manifest().chainId(), Address.fromHex(rollupAddress));
        BatchBuilder builder = new BatchBuilder(new Stf(domain, new BouncyCastleVerifier()), new MemoryNodeStore(), new BatchPolicy(1_000, 60));
        RollupLog log = new RollupLog(l1.web3j(), rollupAddress);

        // batch 0, final before the take-up: B rests a sell of 10, A buys 4 of it
        Signer sa = CensorshipFreezeTest.signer(a), sb = CensorshipFreezeTest.signer(b), sc = CensorshipFreezeTest.signer(c);
        Order rest = new Order(sb.address(), 1, Side.SELL, 100_000_000L, 10, 0, TimeInForce.GTC, 0, 0, 1, 200_000_000L);
        Order take = new Order(sa.address(), 1, Side.BUY, 100_000_000L, 4, 0, TimeInForce.GTC, 0, 1_000_000, 1, 100_000_000L); // with an expiry
        List<Transition> first = new ArrayList<>(log.priorityOps(0, log.latestBlock()));
        first.add(CensorshipFreezeTest.price(domain, oracle, 100_000_000L, 1));
        first.add(new Transition.PostOrder(rest, sb.sign(domain.orderDigest(rest))));
        first.add(new Transition.PostOrder(take, sa.sign(domain.orderDigest(take))));
        first.add(new Transition.Trade(1, 2, 4));
        for (Transition t : first) assertThat(builder.append(t, 0).applied()).as("%s", t).isTrue();
        CensorshipFreezeTest.post(operator, builder);
        l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("rollup.challengePeriod")) + 1));
        assertThat(operator.finalizeBatches(BigInteger.ONE).send().isStatusOK()).isTrue();

        // batch 1, in its challenge period: C takes 3 more of B's resting sell (posted in batch 0), then A and C trade anew
        Order cTakes = new Order(sc.address(), 1, Side.BUY, 100_000_000L, 3, 0, TimeInForce.GTC, 0, 2_000_000, 1, 100_000_000L); // with an expiry
        List<Transition> second = new ArrayList<>();
        second.add(new Transition.PostOrder(cTakes, sc.sign(domain.orderDigest(cTakes))));
        second.add(new Transition.Trade(1, 3, 3));
        long[] ids = {3};
        second.addAll(CensorshipFreezeTest.fill(domain, sc, sa, 2, 100_000_000L, 100_000_000L, 101_000_000L, ids)); // C sells 2 to A at 101
        for (Transition t : second) assertThat(builder.append(t, 0).applied()).as("%s", t).isTrue();
        CensorshipFreezeTest.post(operator, builder);

        Path file = tmp.resolve("take-up.snapshot");
        CensorshipFreezeTest.Run taken = cli(List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", rollupAddress, "--json"), "take-up",
                "--out", file.toString(), "--state-cache", tmp.resolve("cache").toString());
        assertThat(taken.code()).as(taken.err()).isZero();
        assertThat(json(taken).path("finalBatches").asLong()).isOne();
        assertThat(json(taken).path("fillsNotFinal").asLong()).as("batch 1's two fills").isEqualTo(2);
        // the hash leaves of A's order (final batch: from the state cache's replay) and C's (live batch: its calldata) wait for their expiry
        assertThat(json(taken).path("expiringOrderHashes").asLong()).isEqualTo(2);
        CensorshipFreezeTest.Run again = cli(List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", rollupAddress, "--json"), "take-up",
                "--out", tmp.resolve("again.snapshot").toString(), "--state-cache", tmp.resolve("cache").toString());
        assertThat(json(again).path("expiringOrderHashes").asLong()).as("the final batch's from the cache's record").isEqualTo(2);

        Genesis devGenesis = Genesis.devnet(Address.fromHex(rollupAddress));
        SequencerState s = Snapshot.read(Files.readAllBytes(file), new Genesis(l1.manifest().chainId(), Address.fromHex(rollupAddress),
                devGenesis.books(), devGenesis.batches()), new NativeSecp256k1Verifier());
        try {
            JsonNode bFills = fillsOf(s, sb.address());
            assertThat(bFills).as("B's: the fill of its order posted in the final batch, not the final fill itself").hasSize(1);
            JsonNode f = bFills.get(0);
            assertThat(f.path("maker").asText()).isEqualTo(sb.address().toString());
            assertThat(f.path("taker").asText()).isEqualTo(sc.address().toString());
            assertThat(f.path("makerOrderHash").asText()).as("posted in a final batch: named from the finalized state's resting orders")
                    .isEqualTo(domain.orderDigest(rest).toString());
            assertThat(f.path("takerOrderHash").asText()).isEqualTo(domain.orderDigest(cTakes).toString());
            assertThat(f.path("price").asLong()).isEqualTo(100_000_000L);
            assertThat(f.path("size").asLong()).isEqualTo(3);
            assertThat(f.path("takerSide").asText()).isEqualTo("BUY");
            long notional = Fixed.notional(3, 1, 100_000_000L);
            assertThat(f.path("makerFee").asLong()).as("0.02 %% of %d", notional).isEqualTo(Fixed.mulPpmUp(notional, 200)).isPositive();
            assertThat(f.path("takerFee").asLong()).as("0.1 %% of %d", notional).isEqualTo(Fixed.mulPpmUp(notional, 1_000));
            assertThat(f.path("batch").asLong()).isOne();
            assertThat(f.path("stage").asText()).isEqualTo("posted");
            assertThat(f.has("seq")).as("the new log never numbered it").isFalse();

            JsonNode aFills = fillsOf(s, sa.address());
            assertThat(aFills).as("A's: the one of batch 1").hasSize(1);
            assertThat(aFills.get(0).path("price").asLong()).isEqualTo(101_000_000L);
            assertThat(aFills.get(0).path("makerOrderHash").asText()).as("both orders posted in batch 1").startsWith("0x");
            assertThat(aFills.get(0).path("takerSide").asText()).isEqualTo("BUY");
            assertThat(fillsOf(s, sc.address())).as("C's: both").hasSize(2);
        } finally {
            s.close();
        }
    }

    private static JsonNode fillsOf(SequencerState s, Address trader) {
        Object account = s.read(new Command.Query(9, 0, Command.QueryKind.ACCOUNT, 0, trader, null), 0).body().get("account");
        return UserOptions.JSON.valueToTree(account).path("fills");
    }

    private static StaticGasProvider gas() {
        return ProposeCommandTest.gas();
    }

    private static List<String> common(DevnetContext l1, Credentials key) {
        return ProposeCommandTest.common(l1, key);
    }
}
