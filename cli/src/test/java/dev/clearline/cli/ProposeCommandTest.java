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
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

/**
 * {@code clearline propose}: a trader whose operator ignores their deposit and forced withdrawal
 * posts the batch that consumes them, from L1 alone, once the ops have waited half the force delay,
 * and is paid on L1 after the challenge period, with no freeze and no operator. The rollup names a
 * sequencer (dev key 1) that never posts.
 */
@WithDevnet(http = true, parameters = "rollup.sequencer=0x70997970c51812dc3a010c7d01b50e0d17dc79c8") // dev key 1, never running
class ProposeCommandTest {
    private static final int TRADER = 2;
    private static final int OPERATOR = 1;

    @Test
    void aCensoredTraderPostsTheBatchOfTheirOpsAndIsPaidWithoutTheOperator(DevnetContext l1, @TempDir java.nio.file.Path cache) throws Exception {
        Credentials trader = l1.key(TRADER);
        Rollup rollup = Rollup.load(l1.address("Rollup"), l1.web3j(), trader, gas());
        List<String> asTrader = queueDepositAndForcedWithdrawal(l1, trader);
        TestCollateral token = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(), gas());
        long queued = rollup.queueLength().send().longValueExact();
        BigInteger nonce = nonce(l1, trader);

        CensorshipFreezeTest.Run waiting = cli(asTrader.subList(0, asTrader.size() - 1), "status");
        assertThat(waiting.out()).as(waiting.err()).contains("op 0 waits for a batch to consume it").contains("anyone bonded may post that batch first: ./clearline propose");
        assertThat(json(cli(asTrader, "status")).path("l1").path("proposableInSeconds").asLong()).isPositive();
        assertThat(json(cli(asTrader, "status")).path("l1").path("operatorGone").asBoolean()).isFalse();
        CensorshipFreezeTest.Run early = cli(asTrader, "propose");
        assertThat(early.code()).isEqualTo(1);
        assertThat(early.err()).contains("may still consume queue op 0").contains("nothing was sent").doesNotContain("\tat ");
        assertThat(nonce(l1, trader)).isEqualTo(nonce);

        long delay = rollup.forceDelay().send().longValueExact();
        new TimeTravel(l1.service()).advance(Duration.ofSeconds(delay / 2 + 1));
        assertThat(cli(asTrader.subList(0, asTrader.size() - 1), "status").out()).contains("until then anyone bonded may post that batch: ./clearline propose");
        assertThat(json(cli(asTrader, "status")).path("l1").path("proposableInSeconds").asLong()).isZero();
        CensorshipFreezeTest.Run dry = cli(asTrader, "propose", "--dry-run");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(json(dry).path("sent").asBoolean()).isFalse();
        assertThat(json(dry).path("ops").asLong()).isEqualTo(queued);
        assertThat(json(dry).path("kinds").path("Deposit").asInt()).isEqualTo(1);
        assertThat(json(dry).path("kinds").path("ForcedWithdrawal").asInt()).isEqualTo(1);
        assertThat(nonce(l1, trader)).as("a dry run sends nothing").isEqualTo(nonce);

        CensorshipFreezeTest.Run posted = cli(asTrader, "propose");
        assertThat(posted.code()).as(posted.err()).isZero();
        JsonNode p = json(posted);
        assertThat(p.path("sent").asBoolean()).isTrue();
        assertThat(p.path("bondTx").asText()).startsWith("0x");
        assertThat(rollup.nextBatchIndex().send().longValueExact()).isEqualTo(1);
        assertThat(rollup.tip().send().component2().longValueExact()).as("every queued op consumed").isEqualTo(queued);
        assertThat(rollup.batch(BigInteger.ZERO).send().proposer).isEqualToIgnoringCase(trader.getAddress());
        assertThat(Numeric.toHexString(rollup.tip().send().component1())).isEqualTo(p.path("postStateRoot").asText());

        CensorshipFreezeTest.Run judged = cli(List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup")), "verify-batches");
        assertThat(judged.code()).as(judged.out() + judged.err()).isZero();
        assertThat(judged.out()).contains("batch=0 ").contains("verdict=honest");
        CensorshipFreezeTest.Run again = cli(asTrader, "propose");
        assertThat(again.code()).isZero();
        assertThat(json(again).path("waiting").asLong()).isZero();

        new TimeTravel(l1.service()).advance(Duration.ofSeconds(rollup.challengePeriod().send().longValueExact() + 1));
        CensorshipFreezeTest.Run claim = cli(asTrader, "claim", "--finalize");
        assertThat(claim.code()).as(claim.out() + claim.err()).isZero();
        assertThat(token.balanceOf(trader.getAddress()).send()).as("the forced withdrawal, paid on L1").isEqualTo(BigInteger.valueOf(4_000_000));
        CensorshipFreezeTest.Run bond = cli(asTrader, "bonds", "--withdraw", "--leave");
        assertThat(bond.code()).as(bond.err()).isZero();
        assertThat(json(bond).path("withdrawnWei").path("rollup").asText()).isEqualTo(rollup.proposerBond().send().toString());

        // later ops, with batch 0 final: the state starts from the finalized one kept in --state-cache (as claim keeps it),
        // then only the batches posted since are judged; each proposal is judged honest
        List<String> cached = new java.util.ArrayList<>(asTrader);
        cached.addAll(List.of("--state-cache", cache.toString()));
        assertThat(cli(asTrader, "force-withdraw", "1", "--anyway").code()).isZero();
        new TimeTravel(l1.service()).advance(Duration.ofSeconds(delay / 2 + 1));
        // the operator (never posting since the deployment) has now been silent past the force delay: gone, not censoring
        BigInteger before = nonce(l1, trader);
        CensorshipFreezeTest.Run gone = cli(cached, "propose");
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).contains("has posted no batch for").contains("it is gone, not censoring").contains("postpone the freeze")
                .contains("lets anyone freeze the rollup from L1 time").contains("--anyway posts the batch").doesNotContain("\tat ");
        assertThat(nonce(l1, trader)).as("nothing sent").isEqualTo(before);
        assertThat(cli(asTrader.subList(0, asTrader.size() - 1), "status").out()).contains("the operator has posted no batch for")
                .contains("it is gone, and a batch of the ops (./clearline propose --anyway) would only postpone the freeze");
        JsonNode goneStatus = json(cli(asTrader, "status")).path("l1");
        assertThat(goneStatus.path("operatorGone").asBoolean()).isTrue();
        assertThat(goneStatus.path("operatorSilentSeconds").asLong()).isGreaterThan(delay);
        cached.add("--anyway");
        JsonNode second = json(cli(cached, "propose"));
        assertThat(second.path("batchIndex").asLong()).isEqualTo(1);
        assertThat(second.path("finalBatches").asLong()).isEqualTo(1);
        assertThat(second.path("batchesJudged").asLong()).isZero();
        assertThat(second.path("bondTx").asText()).as("bonded again after leaving").startsWith("0x");
        try (var kept = java.nio.file.Files.list(cache)) {
            assertThat(kept.toList()).as("the finalized state is kept for the next run").hasSize(1);
        }
        assertThat(cli(asTrader, "force-withdraw", "2", "--anyway").code()).isZero();
        new TimeTravel(l1.service()).advance(Duration.ofSeconds(delay / 2 + 1));
        CensorshipFreezeTest.Run third = cli(cached, "propose");
        assertThat(third.code()).as(third.err()).isZero();
        assertThat(json(third).path("batchIndex").asLong()).isEqualTo(2);
        assertThat(json(third).path("finalBatches").asLong()).isEqualTo(1);
        assertThat(json(third).path("batchesJudged").asLong()).as("batch 1, posted and not final").isEqualTo(1);
        assertThat(json(third).path("prevStateRoot").asText()).isEqualTo(second.path("postStateRoot").asText());
        assertThat(rollup.tip().send().component2().longValueExact()).isEqualTo(rollup.queueLength().send().longValueExact());
        CensorshipFreezeTest.Run all = cli(List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup")), "verify-batches");
        assertThat(all.code()).as(all.out() + all.err()).isZero();
        assertThat(all.out()).contains("batch=1 ").contains("batch=2 ").contains("fraud=0").doesNotContain("verdict=fraud");
    }

    @Test
    void noBatchIsProposedOnTopOfAWrongOne(DevnetContext l1) throws Exception {
        Credentials operator = l1.key(OPERATOR);
        Rollup asOperator = Rollup.load(l1.address("Rollup"), l1.web3j(), operator, gas());
        assertThat(asOperator.joinProposers(asOperator.proposerBond().send()).send().isStatusOK()).isTrue();
        BondsCommandTest.postWrongBatch(asOperator);
        Credentials trader = l1.key(TRADER);
        assertThat(cli(common(l1, trader), "force-withdraw", "1", "--anyway").code()).isZero();
        new TimeTravel(l1.service()).advance(Duration.ofSeconds(asOperator.forceDelay().send().longValueExact() / 2 + 1));
        BigInteger nonce = nonce(l1, trader);

        CensorshipFreezeTest.Run refused = cli(common(l1, trader), "propose");

        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("batch 0 (block").contains("is wrong: ").contains("A watcher must challenge it first")
                .contains("nothing was sent").doesNotContain("\tat ");
        assertThat(nonce(l1, trader)).isEqualTo(nonce);
    }

    /**
     * A trader's ops that no operator consumes: 10 minted and deposited, 4 of them asked back by force (both queued on L1).
     * Returns the trader's CLI options (no sequencer: {@code --api} answers nothing).
     */
    static List<String> queueDepositAndForcedWithdrawal(DevnetContext l1, Credentials trader) throws Exception {
        TestCollateral token = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(), gas());
        assertThat(token.mint(trader.getAddress(), BigInteger.valueOf(10_000_000)).send().isStatusOK()).isTrue();
        List<String> asTrader = common(l1, trader);
        assertThat(cli(asTrader, "deposit", "10", "--anyway").code()).isZero();
        assertThat(cli(asTrader, "force-withdraw", "4", "--anyway").code()).isZero();
        return asTrader;
    }

    static StaticGasProvider gas() {
        return new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(3_000_000));
    }

    static List<String> common(DevnetContext l1, Credentials key) {
        return List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--api", "http://127.0.0.1:1",
                "--key", Numeric.toHexStringWithPrefixZeroPadded(key.getEcKeyPair().getPrivateKey(), 64), "--json");
    }

    private static BigInteger nonce(DevnetContext l1, Credentials key) throws Exception {
        return l1.web3j().ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount();
    }
}
