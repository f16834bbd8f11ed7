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
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.prover.dispute.DisputeL1;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.sequencer.state.Snapshot;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    private static StaticGasProvider gas() {
        return ProposeCommandTest.gas();
    }

    private static List<String> common(DevnetContext l1, Credentials key) {
        return ProposeCommandTest.common(l1, key);
    }
}
