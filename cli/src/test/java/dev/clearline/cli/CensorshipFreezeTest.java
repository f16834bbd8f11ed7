package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

/**
 * A sequencer that ignores a forced withdrawal (here: none runs at all): the user queues it on L1
 * from the CLI, `freeze` refuses while the op may still be consumed, and once its deadline has
 * passed `freeze` freezes the rollup, which `status` then reports.
 */
@WithDevnet(http = true)
class CensorshipFreezeTest {
    @Test
    void anIgnoredForcedWithdrawalLetsAnyoneFreezeTheRollupAfterItsDeadline(DevnetContext l1) throws Exception {
        Credentials user = l1.key(3);
        TestCollateral minter = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(),
                new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(3_000_000)));
        assertThat(minter.mint(user.getAddress(), BigInteger.valueOf(50_000_000)).send().isStatusOK()).isTrue();
        List<String> common = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--api", "http://127.0.0.1:1",
                "--key", Numeric.toHexStringWithPrefixZeroPadded(user.getEcKeyPair().getPrivateKey(), 64), "--json");

        Run deposit = cli(common, "deposit", "50");
        assertThat(deposit.code()).as(deposit.err()).isZero();
        Run nothing = cli(common, "freeze");
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).contains("not overdue yet", "queue op 0");

        Run forced = cli(common, "force-withdraw", "20");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(json(forced).path("queueIndex").asLong()).isEqualTo(1);

        long forceDelay = Long.parseLong(l1.manifest().parameters().get("rollup.forceDelay"));
        l1.time().advance(Duration.ofSeconds(forceDelay + 1));
        Run freeze = cli(common, "freeze");
        assertThat(freeze.code()).as(freeze.err()).isZero();
        assertThat(json(freeze).path("overdueOp").asLong()).as("the oldest op no batch consumed").isZero();

        Run status = cli(common, "status");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(json(status).path("l1").path("frozen").asBoolean()).isTrue();
        assertThat(json(status).path("sequencer").asText()).contains("cannot reach the sequencer");
        Run again = cli(common, "freeze");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("already frozen");
        Run late = cli(common, "force-withdraw", "1");
        assertThat(late.code()).isEqualTo(1);
        assertThat(late.err()).doesNotContain("\tat ");
    }

    @Test
    void afterTheFreezeAndItsClaimWindowAUserEscapesWithTheBalanceTheFinalizedStateHolds(DevnetContext l1) throws Exception {
        Credentials user = l1.key(4);
        StaticGasProvider gas = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(8_000_000));
        TestCollateral minter = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(), gas);
        assertThat(minter.mint(user.getAddress(), BigInteger.valueOf(50_000_000)).send().isStatusOK()).isTrue();
        List<String> common = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--api", "http://127.0.0.1:1",
                "--key", Numeric.toHexStringWithPrefixZeroPadded(user.getEcKeyPair().getPrivateKey(), 64), "--json");
        assertThat(cli(common, "deposit", "50").code()).isZero();
        Run early = cli(common, "escape");
        assertThat(early.code()).isEqualTo(1);
        assertThat(early.err()).contains("not frozen", "force-withdraw");

        // an operator posts one honest batch consuming the deposit, and it finalizes
        Rollup operator = Rollup.load(l1.address("Rollup"), l1.web3j(), l1.key(1), gas);
        assertThat(operator.joinProposers(operator.proposerBond().send()).send().isStatusOK()).isTrue();
        RollupLog log = new RollupLog(l1.web3j(), l1.address("Rollup"));
        Eip712 domain = new Eip712(l1.devnet().chainId(), Address.fromHex(l1.address("Rollup")));
        BatchBuilder builder = new BatchBuilder(new Stf(domain, new BouncyCastleVerifier()), new MemoryNodeStore(), new BatchPolicy(100, 60));
        for (Transition t : log.priorityOps(0, log.latestBlock())) assertThat(builder.append(t, 0).applied()).isTrue();
        builder.seal();
        BatchHeader h = builder.takeSealed().getFirst().header();
        assertThat(operator.submitBatch(new Rollup.BatchHeader(BigInteger.valueOf(h.batchIndex()), h.prevStateRoot().bytes(), h.postStateRoot().bytes(),
                BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(), BigInteger.valueOf(h.priorityOpsConsumed())),
                TransitionCodec.encode(log.priorityOps(0, log.latestBlock()).getFirst())).send().isStatusOK()).isTrue();
        l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("rollup.challengePeriod")) + 1));
        assertThat(operator.finalizeBatches(BigInteger.ONE).send().isStatusOK()).isTrue();

        // then the operator ignores a forced withdrawal: freeze, wait out the claim window, escape
        assertThat(cli(common, "force-withdraw", "20").code()).isZero();
        l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("rollup.forceDelay")) + 1));
        assertThat(cli(common, "freeze").code()).isZero();
        Run window = cli(common, "escape");
        assertThat(window.code()).isEqualTo(1);
        assertThat(window.err()).contains("after the claim window");
        l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("escape.claimWindow")) + 1));
        BigInteger before = minter.balanceOf(user.getAddress()).send();
        Run escape = cli(common, "escape");
        assertThat(escape.code()).as(escape.err()).isZero();
        assertThat(json(escape).path("paid").asText()).isEqualTo("50.000000");
        assertThat(minter.balanceOf(user.getAddress()).send()).isEqualTo(before.add(BigInteger.valueOf(50_000_000)));
        Run twice = cli(common, "escape");
        assertThat(twice.code()).isEqualTo(1);
        assertThat(twice.err()).doesNotContain("\tat ");
    }

    record Run(int code, String out, String err) {}

    static Run cli(List<String> common, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(common);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true), stop -> { });
        return new Run(code, out.toString(), err.toString());
    }

    static JsonNode json(Run r) throws Exception {
        return UserOptions.JSON.readTree(r.out());
    }
}
