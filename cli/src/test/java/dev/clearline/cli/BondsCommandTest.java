package dev.clearline.cli;

import static dev.clearline.cli.CensorshipFreezeTest.cli;
import static dev.clearline.cli.CensorshipFreezeTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.contracts.generated.DisputeGame;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.TimeTravel;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.TransitionsRoot;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.prover.dispute.DisputeL1;
import dev.clearline.prover.dispute.GameView;
import dev.clearline.prover.l1.TxSender;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

/**
 * {@code clearline bonds}: what the rollup and its dispute game hold for a key, and taking it back.
 * A proposer posts a wrong batch; its bond is refused back while the batch can be challenged; a
 * challenger wins the game on time and collects both its credits (its bond back from the game, its
 * share of the slashed bond from the rollup) to the wei; the proposer then leaves and gets back
 * what the slash left of its bond.
 */
@WithDevnet(http = true, parameters = "rollup.sequencer=0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266") // the deployer, the first dev key
class BondsCommandTest {
    private static final int CHALLENGER = 8;

    @Test
    void aWonChallengesCreditsAndALeavingProposersBondComeBackToTheWei(DevnetContext l1) throws Exception {
        Credentials proposer = l1.deployer(); // the rollup's sequencer: it may post at any time
        Credentials challenger = l1.key(CHALLENGER);
        Rollup rollup = Rollup.load(l1.address("Rollup"), l1.web3j(), proposer,
                new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(3_000_000)));
        BigInteger bond = rollup.proposerBond().send();
        List<String> asProposer = common(l1, proposer);
        List<String> asChallenger = common(l1, challenger);

        CensorshipFreezeTest.Run none = cli(asChallenger, "bonds");
        assertThat(none.code()).as(none.err()).isZero();
        assertThat(json(none).path("proposer").path("active").asBoolean()).isFalse();
        assertThat(json(none).path("creditsWei").path("disputeGame").asText()).isEqualTo("0");
        CensorshipFreezeTest.Run nothing = cli(asChallenger, "bonds", "--withdraw");
        assertThat(nothing.code()).as(nothing.err()).isZero();
        assertThat(json(nothing).path("withdrawnWei").size()).isZero();
        CensorshipFreezeTest.Run leaveAlone = cli(asChallenger, "bonds", "--leave");
        assertThat(leaveAlone.code()).isEqualTo(2);
        assertThat(leaveAlone.err()).contains("give both (bonds --withdraw --leave)").doesNotContain("\tat ");

        // twice the bond: the slash takes one bond's worth, the rest comes back when the proposer leaves
        assertThat(rollup.joinProposers(bond.shiftLeft(1)).send().isStatusOK()).isTrue();
        CensorshipFreezeTest.Run bonded = cli(asProposer, "bonds");
        assertThat(json(bonded).path("proposer").path("bondWei").asText()).isEqualTo(bond.shiftLeft(1).toString());
        assertThat(cli(text(asProposer), "bonds").out()).contains("no batch posted: free to leave");

        BatchHeader wrong = postWrongBatch(rollup);
        BigInteger nonce = nonce(l1, proposer);
        CensorshipFreezeTest.Run locked = cli(asProposer, "bonds", "--withdraw", "--leave");
        assertThat(locked.code()).isEqualTo(1);
        assertThat(locked.err()).contains("stays locked while your last batch 0 can still be challenged")
                .contains("its challenge window ends in").contains("nothing was sent").contains("Your key is the rollup's sequencer").doesNotContain("\tat ");
        assertThat(nonce(l1, proposer)).as("a refused leave sends nothing").isEqualTo(nonce);
        assertThat(json(cli(asProposer, "bonds")).path("proposer").path("lockedUntilBatchFinal").asLong(-1)).isZero();

        DisputeL1 game = new DisputeL1(l1.web3j(), l1.address("Rollup"), l1.address("DisputeGame"),
                new TxSender(l1.web3j(), challenger, l1.devnet().chainId(), TxSender.FeePolicy.defaults(), TxSender.Time.SYSTEM));
        long gameId = game.challenge(wrong).gameId();
        assertThat(cli(text(asProposer), "bonds").out()).contains("it is disputed (1 open game(s))");
        // the proposer moves first on a batch of two transitions, and never does: its clock runs out
        long budget = DisputeGame.load(l1.address("DisputeGame"), l1.web3j(), challenger, new StaticGasProvider(BigInteger.ONE, BigInteger.ONE))
                .clockBudget().send().longValueExact();
        new TimeTravel(l1.service()).advance(Duration.ofSeconds(budget + 1));
        game.timeout(gameId);
        assertThat(game.game(gameId).status()).isEqualTo(GameView.CHALLENGER_WON);

        BigInteger challengeBond = game.challengeBond();
        BigInteger slashShare = bond.multiply(BigInteger.valueOf(100 - rollup.slashBurnPercent().send().longValueExact())).divide(BigInteger.valueOf(100));
        JsonNode owed = json(cli(asChallenger, "bonds")).path("creditsWei");
        assertThat(owed.path("disputeGame").asText()).isEqualTo(challengeBond.toString());
        assertThat(owed.path("rollup").asText()).isEqualTo(slashShare.toString());
        BigInteger before = balance(l1, challenger);
        CensorshipFreezeTest.Run collected = cli(asChallenger, "bonds", "--withdraw");
        assertThat(collected.code()).as(collected.err()).isZero();
        JsonNode c = json(collected);
        BigInteger fees = fee(l1, c.path("disputeGameTx").asText()).add(fee(l1, c.path("rollupTx").asText()));
        assertThat(balance(l1, challenger)).as("both credits, less the two withdrawals' gas").isEqualTo(before.add(challengeBond).add(slashShare).subtract(fees));
        JsonNode after = json(cli(asChallenger, "bonds")).path("creditsWei");
        assertThat(after.path("disputeGame").asText()).isEqualTo("0");
        assertThat(after.path("rollup").asText()).isEqualTo("0");

        // the wrong batch is rejected: the proposer's last batch is no longer live, so it may leave with what is left
        BigInteger proposerBefore = balance(l1, proposer);
        CensorshipFreezeTest.Run left = cli(asProposer, "bonds", "--withdraw", "--leave");
        assertThat(left.code()).as(left.err()).isZero();
        JsonNode l = json(left);
        assertThat(l.path("withdrawnWei").path("rollup").asText()).as("two bonds less one slashed").isEqualTo(bond.toString());
        BigInteger proposerFees = fee(l1, l.path("leaveTx").asText()).add(fee(l1, l.path("rollupTx").asText()));
        assertThat(balance(l1, proposer)).isEqualTo(proposerBefore.add(bond).subtract(proposerFees));
        assertThat(rollup.proposers(proposer.getAddress()).send().component3()).as("no longer a proposer").isFalse();
        assertThat(cli(text(asProposer), "bonds").out()).contains("none (not a proposer)");
    }

    /** Two transitions the STF refuses (nobody to liquidate) under a made-up post root: L1 checks neither. */
    static BatchHeader postWrongBatch(Rollup rollup) throws Exception {
        List<byte[]> encoded = List.of(
                TransitionCodec.encode(new Transition.Liquidate(Address.fromHex("0x" + "11".repeat(20)), 1)),
                TransitionCodec.encode(new Transition.Liquidate(Address.fromHex("0x" + "22".repeat(20)), 1)));
        ByteArrayOutputStream calldata = new ByteArrayOutputStream();
        for (byte[] e : encoded) calldata.write(e);
        var tip = rollup.tip().send();
        BatchHeader h = new BatchHeader(rollup.nextBatchIndex().send().longValueExact(), new Hash32(tip.component1()),
                Hash32.fromHex("0x" + "ab".repeat(32)),
                encoded.size(), TransitionsRoot.of(encoded), tip.component2().longValueExact());
        Rollup.BatchHeader header = new Rollup.BatchHeader(BigInteger.valueOf(h.batchIndex()), h.prevStateRoot().bytes(), h.postStateRoot().bytes(),
                BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(), BigInteger.valueOf(h.priorityOpsConsumed()));
        assertThat(rollup.submitBatch(header, calldata.toByteArray()).send().isStatusOK()).isTrue();
        return h;
    }

    private static List<String> common(DevnetContext l1, Credentials key) {
        return List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--api", "http://127.0.0.1:1",
                "--key", Numeric.toHexStringWithPrefixZeroPadded(key.getEcKeyPair().getPrivateKey(), 64), "--json");
    }

    private static List<String> text(List<String> common) {
        return common.subList(0, common.size() - 1);
    }

    private static BigInteger balance(DevnetContext l1, Credentials key) throws Exception {
        return l1.web3j().ethGetBalance(key.getAddress(), DefaultBlockParameterName.LATEST).send().getBalance();
    }

    private static BigInteger nonce(DevnetContext l1, Credentials key) throws Exception {
        return l1.web3j().ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount();
    }

    private static BigInteger fee(DevnetContext l1, String tx) throws Exception {
        TransactionReceipt r = l1.web3j().ethGetTransactionReceipt(tx).send().getTransactionReceipt().orElseThrow();
        return r.getGasUsed().multiply(Numeric.decodeQuantity(r.getEffectiveGasPrice()));
    }
}
