package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.contracts.generated.EscapeHatch;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

/**
 * A sequencer that ignores a forced withdrawal (here: an operator that posts only what the test
 * tells it, or none at all): the user queues it on L1 from the CLI, `freeze` refuses while the op
 * may still be consumed, once its deadline has passed `freeze` freezes the rollup, and everyone
 * leaves through the CLI's `escape` (a running watcher reports the bad debt and the insurance fund)
 * with only L1 to go on.
 */
@WithDevnet(http = true)
class CensorshipFreezeTest {
    @TempDir
    Path dir;

    @Test
    void anIgnoredForcedWithdrawalLetsAnyoneFreezeTheRollupAfterItsDeadline(DevnetContext l1) throws Exception {
        Credentials user = l1.key(3);
        TestCollateral minter = minter(l1);
        assertThat(minter.mint(user.getAddress(), BigInteger.valueOf(50_000_000)).send().isStatusOK()).isTrue();
        List<String> common = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--api", "http://127.0.0.1:1",
                "--key", Numeric.toHexStringWithPrefixZeroPadded(user.getEcKeyPair().getPrivateKey(), 64), "--json");

        // no sequencer answers at --api: nothing is deposited unless asked to anyway (it would wait in L1's queue for an operator)
        BigInteger sentBefore = l1.web3j().ethGetTransactionCount(user.getAddress(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST)
                .send().getTransactionCount();
        Run orphan = cli(common, "deposit", "50");
        assertThat(orphan.code()).isEqualTo(1);
        assertThat(orphan.err()).contains("nothing was deposited: the sequencer at http://127.0.0.1:1 does not answer (connection refused)",
                "--anyway").doesNotContain("\tat ");
        assertThat(l1.web3j().ethGetTransactionCount(user.getAddress(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send()
                .getTransactionCount()).as("not even the approval was sent").isEqualTo(sentBefore);
        Run deposit = cli(common.subList(0, common.size() - 1), "deposit", "50", "--anyway");
        assertThat(deposit.code()).as(deposit.err()).isZero();
        assertThat(deposit.out()).as("no promise of a credit within seconds: no sequencer was asked")
                .contains("waits in L1's queue until a sequencer consumes it", "freeze", "escape refunds it").doesNotContain("within seconds");
        Run nothing = cli(common, "freeze");
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).contains("not overdue yet", "queue op 0");

        Run forced = cli(common, "force-withdraw", "20");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(json(forced).path("queueIndex").asLong()).isEqualTo(1);
        assertThat(json(forced).path("balanceNotChecked").asText()).as("sent, and said what could not be checked")
                .contains("the sequencer did not answer", "was not checked", "escape --dry-run");

        long forceDelay = Long.parseLong(l1.manifest().parameters().get("rollup.forceDelay"));
        // status names the op a freeze turns on and how long until it is overdue, then that it is
        JsonNode status0 = json(cli(common, "status"));
        JsonNode waiting = status0.path("l1");
        assertThat(waiting.has("lastBatchPostedSecondsAgo")).as("no batch was ever posted").isFalse();
        assertThat(waiting.path("oldestUnconsumedOp").asLong()).isZero();
        // and what L1 alone says of this user, with no sequencer: the wallet, and both of its ops still waiting
        assertThat(status0.path("you").path("l1Wallet").asText()).isEqualTo("0.000000");
        JsonNode mine = status0.path("you").path("unconsumedOps");
        assertThat(mine).hasSize(2);
        assertThat(mine.get(0).path("what").asText()).isEqualTo("deposit of 50.000000");
        assertThat(mine.get(1).path("index").asLong()).isOne();
        assertThat(mine.get(1).path("what").asText()).isEqualTo("forced withdrawal of 20.000000");
        assertThat(mine.get(1).path("overdueInSeconds").asLong()).isBetween(forceDelay - 60, forceDelay + 1);
        assertThat(waiting.path("overdueInSeconds").asLong()).isBetween(forceDelay - 60, forceDelay + 1);
        // the deadline passes with no block mined, as on an automining chain the operator left: the latest block's
        // time stands still, and status and freeze read the chain's clock from the pending block instead
        long height = l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
        l1.time().moveClock(Duration.ofSeconds(forceDelay + 1));
        assertThat(json(cli(common, "status")).path("l1").path("overdueInSeconds").asLong()).isZero();
        List<String> text = common.subList(0, common.size() - 1);
        assertThat(cli(text, "status").out()).contains("op 0 waits for a batch to consume it: overdue: anyone may ./clearline freeze the rollup now",
                ": L1 wallet 0.000000 of the collateral", "your op 1 (forced withdrawal of 20.000000) waits for a batch to consume it: overdue");
        assertThat(l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact()).as("no block since the clock moved").isEqualTo(height);
        // a deposit now would only go into the escape hatch: refused before anything is sent, before the sequencer is even asked
        BigInteger sentBeforeOverdue = l1.web3j().ethGetTransactionCount(user.getAddress(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST)
                .send().getTransactionCount();
        Run overdueDeposit = cli(text, "deposit", "1");
        assertThat(overdueDeposit.code()).isEqualTo(1);
        assertThat(overdueDeposit.err()).contains("nothing was deposited: queue op 0 has waited past the rollup's force delay", "anyone may freeze the rollup now",
                "escape hatch", "--anyway").doesNotContain("does not answer").doesNotContain("\tat ");
        assertThat(l1.web3j().ethGetTransactionCount(user.getAddress(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send()
                .getTransactionCount()).as("nothing sent").isEqualTo(sentBeforeOverdue);
        Run freeze = cli(common, "freeze");
        assertThat(freeze.code()).as(freeze.err()).isZero();
        assertThat(json(freeze).path("overdueOp").asLong()).as("the oldest op no batch consumed").isZero();

        Run status = cli(common, "status");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(json(status).path("l1").path("frozen").asBoolean()).isTrue();
        assertThat(json(status).path("l1").has("oldestUnconsumedOp")).as("a frozen rollup's queue waits for nothing").isFalse();
        assertThat(json(status).path("l1").path("batchesNeverFinal").asLong()).isZero();
        // what a user who reads FROZEN does next, stage by stage
        assertThat(json(status).path("l1").path("claimWindowEnd").asLong()).isPositive();
        assertThat(cli(text, "status").out()).contains("FROZEN", "escape: the claim window is open until L1 time",
                "./clearline escape --dry-run shows what you would get");
        assertThat(json(status).path("sequencer").asText()).as("a frozen rollup's sequencer has nothing to say").isEqualTo("not asked: the rollup is frozen");
        Run again = cli(common, "freeze");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("already frozen");
        // the local stack on this chain now would take orders that never settle: refused, with what the chain is still for
        assertThatThrownBy(() -> LocalStack.start(l1.devnet(), l1.manifest(), new LocalStack.Settings(dir.resolve("stack"), "127.0.0.1", 0, false, 1_000)))
                .isInstanceOf(UserError.class).hasMessageContaining("froze at L1 time").hasMessageContaining("could never settle")
                .hasMessageContaining("./clearline devnet --data-dir");
        BigInteger sent = l1.web3j().ethGetTransactionCount(user.getAddress(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send()
                .getTransactionCount();
        Run frozenDeposit = cli(common, "deposit", "1", "--anyway");
        assertThat(frozenDeposit.code()).isEqualTo(1);
        assertThat(frozenDeposit.err()).contains("nothing was deposited", "is frozen and takes no deposits", "escape hatch");
        Run late = cli(common, "force-withdraw", "1");
        assertThat(late.code()).isEqualTo(1);
        assertThat(late.err()).contains("L1 would refuse it, so nothing was sent: RollupFrozen(").doesNotContain("\tat ");
        assertThat(l1.web3j().ethGetTransactionCount(user.getAddress(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send()
                .getTransactionCount()).as("a refused call costs the user nothing").isEqualTo(sent);
    }

    @Test
    void afterTheFreezeAndItsClaimWindowAUserEscapesWithTheBalanceTheFinalizedStateHolds(DevnetContext l1) throws Exception {
        Credentials user = l1.key(4);
        StaticGasProvider gas = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(8_000_000));
        TestCollateral minter = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(), gas);
        assertThat(minter.mint(user.getAddress(), BigInteger.valueOf(50_000_000)).send().isStatusOK()).isTrue();
        List<String> common = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--api", "http://127.0.0.1:1",
                "--key", Numeric.toHexStringWithPrefixZeroPadded(user.getEcKeyPair().getPrivateKey(), 64), "--json");
        assertThat(cli(common, "deposit", "50", "--anyway").code()).isZero();
        Run early = cli(common, "escape");
        assertThat(early.code()).isEqualTo(1);
        assertThat(early.err()).contains("not frozen", "force-withdraw");

        // an operator posts one honest batch consuming the deposit, and stops before it finalizes it
        Rollup operator = Rollup.load(l1.address("Rollup"), l1.web3j(), l1.key(1), gas);
        assertThat(operator.joinProposers(operator.proposerBond().send()).send().isStatusOK()).isTrue();
        RollupLog log = new RollupLog(l1.web3j(), l1.address("Rollup"));
        Eip712 domain = new Eip712(l1.devnet().chainId(), Address.fromHex(l1.address("Rollup")));
        BatchBuilder builder = new BatchBuilder(new Stf(domain, new BouncyCastleVerifier()), new MemoryNodeStore(), new BatchPolicy(100, 60));
        for (Transition t : log.priorityOps(0, log.latestBlock())) assertThat(builder.append(t, 0).applied()).isTrue();
        BatchHeader h = post(operator, builder);
        List<String> verify = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"));
        Run judged = cli(verify, "verify-batches");
        assertThat(judged.code()).as(judged.err()).isZero();
        assertThat(judged.out()).containsPattern("batch=0 .* verdict=honest .* l1=in-window\n").contains("batches=1 fraud=0", " final=0")
                .doesNotContain("frozen");
        l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("rollup.challengePeriod")) + 1));
        JsonNode due = json(cli(common, "status")).path("l1");
        assertThat(due.path("batchesFinal").asLong()).isZero();
        assertThat(due.path("nextFinalInSeconds").asLong()).isZero();
        assertThat(due.path("nextFinalDisputed").asBoolean()).isFalse();
        // how a trader tells a quiet operator from a gone one, with no sequencer to ask
        long sincePosted = due.path("lastBatchPostedSecondsAgo").asLong();
        assertThat(sincePosted).isBetween(Long.parseLong(l1.manifest().parameters().get("rollup.challengePeriod")) + 1,
                Long.parseLong(l1.manifest().parameters().get("rollup.challengePeriod")) + 120);
        assertThat(cli(common.subList(0, common.size() - 1), "status").out())
                .contains("batch 0's challenge window has passed: final once anyone finalizes it")
                .containsPattern("last batch posted \\d+ L1 second\\(s\\) ago\n");
        // before any freeze, with no operator to ask: what the last finalized state (still genesis) holds for the user
        Run held = cli(common, "escape", "--dry-run");
        assertThat(held.code()).as(held.err()).isZero();
        assertThat(json(held).path("frozen").asBoolean()).isFalse();
        assertThat(json(held).path("finalizedBatches").asLong()).isZero();
        assertThat(json(held).path("claims")).hasSize(1);
        assertThat(json(held).path("claims").get(0).path("kind").asText()).isEqualTo("refund");
        assertThat(json(held).path("claims").get(0).path("notYetConsumed").asBoolean()).isTrue();
        assertThat(json(held).path("claims").get(0).path("deposited").asText()).isEqualTo("50.000000");
        // batch 0, posted and past its window but not final, credited it: refunded only if that batch never counts
        assertThat(json(held).path("claims").get(0).path("creditedByPostedBatch").asBoolean()).isTrue();
        assertThat(cli(common.subList(0, common.size() - 1), "escape", "--dry-run").out())
                .contains("The rollup is not frozen", "genesis, no batch final yet", "deposit, queue op 0", "credited by a batch posted since, not final yet");

        // then the operator ignores a forced withdrawal: freeze, wait out the claim window, escape. The freeze
        // finalizes the batch first (anyone may, its window passed), so the deposit it consumed is a balance
        // in the frozen state; without that the freeze would discard it and keep the genesis root
        assertThat(cli(common, "force-withdraw", "20").code()).isZero();
        l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("rollup.forceDelay")) + 1));
        Run freeze = cli(common, "freeze");
        assertThat(freeze.code()).as(freeze.err()).isZero();
        assertThat(json(freeze).path("finalizedBeforeFreeze").asLong()).isEqualTo(1);
        assertThat(json(freeze).path("batchesFinal").asLong()).isEqualTo(1);
        assertThat(operator.frozenRoot().send()).isEqualTo(h.postStateRoot().bytes());
        assertThat(cli(verify, "verify-batches").out()).containsPattern("batch=0 .* l1=final\n")
                .contains("final=1 frozen=true (batches from 1 on never finalize; escapes prove against batch 0's root)");
        Run window = cli(common, "escape");
        assertThat(window.code()).isEqualTo(1);
        assertThat(window.err()).contains("claim window is open", "escape report");
        // a state cache left by a longer chain with the same chain id and rollup address (a devnet started again):
        // its record names a block this chain does not have yet, and the cache is dropped, not read from there
        Path cache = dir.resolve("l1-state");
        Path stale = Files.createDirectories(cache.resolve(l1.devnet().chainId() + "-" + l1.address("Rollup").toLowerCase(java.util.Locale.ROOT)));
        Files.writeString(stale.resolve("replayed"), "clearline-finalized-state 1\ncount 1\nblock 1000000\nroot 0x" + "00".repeat(32)
                + "\nowners \nmarkets \n");
        Run preview = cli(common.subList(0, common.size() - 1), "escape", "--dry-run", "--state-cache", cache.toString());
        assertThat(preview.code()).as(preview.err()).isZero();
        assertThat(preview.out()).as("how long the rate may still move").containsPattern("window is open until L1 time \\d+, \\d+ L1 second\\(s\\)");
        // the claim window ends with no block mined: escape reads the chain's clock from the pending block
        l1.time().moveClock(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("escape.claimWindow")) + 1));
        BigInteger before = minter.balanceOf(user.getAddress()).send();
        assertThat(cli(common.subList(0, common.size() - 1), "status").out())
                .contains("escape: the claim window has closed: ./clearline escape pays every claim at the final rate, until L1 time");
        Run escape = cli(common, "escape");
        assertThat(escape.code()).as(escape.err()).isZero();
        assertThat(json(escape).path("paidTotal").asText()).isEqualTo("50.000000");
        assertThat(json(escape).path("claims").get(0).path("kind").asText()).isEqualTo("balance");
        assertThat(minter.balanceOf(user.getAddress()).send()).isEqualTo(before.add(BigInteger.valueOf(50_000_000)));
        Run twice = cli(common, "escape");
        assertThat(twice.code()).isEqualTo(1);
        assertThat(twice.err()).contains("already escaped", "were paid before (free balance)").doesNotContain("\tat ", "by claim");
    }

    /**
     * The operator posts a batch holding the user's withdrawal and goes quiet before it is final: with
     * no sequencer to ask, {@code escape --dry-run} replays the posted batch from L1 and shows the
     * withdrawal on its way, with when its batch becomes final. A later batch posted with a root its
     * calldata does not give is named as one that will not stand, and nothing from it is listed.
     */
    @Test
    void aWithdrawalPostedButNotFinalShowsInTheDryRunWithWhenItIsFinal(DevnetContext l1) throws Exception {
        Credentials user = l1.key(5);
        StaticGasProvider gas = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(8_000_000));
        TestCollateral minter = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(), gas);
        assertThat(minter.mint(user.getAddress(), BigInteger.valueOf(50_000_000)).send().isStatusOK()).isTrue();
        List<String> common = common(l1, user);
        List<String> text = common.subList(0, common.size() - 1);
        assertThat(cli(common, "deposit", "50", "--anyway").code()).isZero();

        Rollup operator = Rollup.load(l1.address("Rollup"), l1.web3j(), l1.key(1), gas);
        assertThat(operator.joinProposers(operator.proposerBond().send()).send().isStatusOK()).isTrue();
        RollupLog log = new RollupLog(l1.web3j(), l1.address("Rollup"));
        Eip712 domain = new Eip712(l1.devnet().chainId(), Address.fromHex(l1.address("Rollup")));
        BatchBuilder builder = new BatchBuilder(new Stf(domain, new BouncyCastleVerifier()), new MemoryNodeStore(), new BatchPolicy(100, 60));
        for (Transition t : log.priorityOps(0, log.latestBlock())) assertThat(builder.append(t, 0).applied()).isTrue();
        Signer me = signer(user);
        Run queued = cli(common, "escape", "--dry-run");
        assertThat(json(queued).path("claims").get(0).path("creditedByPostedBatch").asBoolean()).as("no batch posted yet").isFalse();
        assertThat(json(queued).has("postedNotFinal")).isFalse();
        assertThat(cli(text, "escape", "--dry-run").out()).contains("not consumed by a final batch yet; refunded in full after a freeze if never");
        assertThat(builder.append(new Transition.Withdraw(me.address(), me.address(), 20_000_000, 0,
                me.sign(domain.withdrawDigest(me.address(), me.address(), 20_000_000, 0))), 0).applied()).isTrue();
        post(operator, builder);

        long period = Long.parseLong(l1.manifest().parameters().get("rollup.challengePeriod"));
        Run held = cli(common, "escape", "--dry-run");
        assertThat(held.code()).as(held.err()).isZero();
        JsonNode posted = json(held).path("postedNotFinal");
        assertThat(posted.path("batchesReplayed").asLong()).isOne();
        assertThat(posted.path("withdrawals")).hasSize(1);
        JsonNode w = posted.path("withdrawals").get(0);
        assertThat(w.path("withdrawalId").asLong()).isZero();
        assertThat(w.path("amount").asText()).isEqualTo("20.000000");
        assertThat(w.path("batch").asLong()).isZero();
        assertThat(w.path("finalInSeconds").asLong()).isBetween(period - 60, period);
        assertThat(w.path("disputed").asBoolean()).isFalse();
        assertThat(posted.has("wrongBatch")).isFalse();
        assertThat(json(held).path("claims").get(0).path("creditedByPostedBatch").asBoolean()).as("the deposit batch 0 consumed").isTrue();
        assertThat(cli(text, "escape", "--dry-run").out()).contains("Posted, not final yet (batch 0, replayed from L1 onto the final state):",
                "withdrawal 0 of 20.000000 in batch 0: final in about", "unless disputed; then ./clearline claim pays it");

        // a second batch, its calldata honest but its root not the one that calldata gives
        assertThat(builder.append(new Transition.Withdraw(me.address(), me.address(), 5_000_000, 1,
                me.sign(domain.withdrawDigest(me.address(), me.address(), 5_000_000, 1))), 0).applied()).isTrue();
        builder.seal();
        var sealed = builder.takeSealed().getFirst();
        BatchHeader h = sealed.header();
        byte[] bent = h.postStateRoot().bytes().clone();
        bent[0] ^= 1;
        assertThat(operator.submitBatch(new Rollup.BatchHeader(BigInteger.valueOf(h.batchIndex()), h.prevStateRoot().bytes(), bent,
                BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(), BigInteger.valueOf(h.priorityOpsConsumed())),
                sealed.calldata()).send().isStatusOK()).isTrue();
        JsonNode after = json(cli(common, "escape", "--dry-run")).path("postedNotFinal");
        assertThat(after.path("lastBatch").asLong()).isOne();
        assertThat(after.path("wrongBatch").asLong()).isOne();
        assertThat(after.path("wrongBecause").asText()).contains("replays to root " + h.postStateRoot());
        assertThat(after.path("withdrawals")).as("only the batch before it").hasSize(1);
        assertThat(cli(text, "escape", "--dry-run").out()).contains("(batches 0 to 1, replayed", "batch 1 does not stand as posted",
                "a watcher can dispute it");
    }

    /**
     * Six traders on one market with positions in profit and in loss, one liquidated into the
     * insurance fund, one (and the fund's own position) underwater at the frozen mark; a withdrawal
     * finalized but not claimed, a deposit never consumed. The operator ignores a forced withdrawal,
     * the rollup freezes, a watcher (`clearline watch`) notices it and reports the bad debt and the fund
     * on its own, `escape report` then finds nothing left to report, and every
     * trader escapes through the CLI with exactly their equity times the rate, the unconsumed
     * deposits refunded in full (one during the claim window, two after the remainder was swept: the
     * sweep takes only the pool), all within the pool the rollup holds.
     */
    @Test
    void everyTraderEscapesWithTheirEquityTimesTheRateAndThePoolCoversAllClaims(DevnetContext l1) throws Exception {
        everyTraderEscapes(l1);
    }

    /**
     * The same on a second L1, Hardhat's node, over its JSON-RPC as a user's commands reach it: its clock is moved with
     * evm_increaseTime and read from the pending block, its mining and receipts are Hardhat's own. Walked by hand
     * through the README before (deploy, trade, kill the operator, freeze, escape); this keeps it true.
     */
    @Test
    void everyTraderEscapesOnHardhatsNodeToo() throws Exception {
        try (dev.clearline.devnet.compat.HardhatNode node = dev.clearline.devnet.compat.HardhatNode.start()) {
            org.web3j.protocol.http.HttpService service = new org.web3j.protocol.http.HttpService(node.url());
            org.web3j.protocol.Web3j web3j = org.web3j.protocol.Web3j.build(service);
            dev.clearline.devnet.accounts.DevAccounts accounts = dev.clearline.devnet.accounts.DevAccounts.defaults();
            // as the test devnet's rollup: open to every bonded proposer (the operator here posts from key 1)
            var params = dev.clearline.devnet.deploy.DeploymentParameters.defaults(accounts.first().getAddress(),
                    java.util.Map.of("rollup.sequencer", "0x" + "0".repeat(40)));
            var manifest = switch (new dev.clearline.devnet.deploy.Deployer(service, accounts.first(), dev.clearline.contracts.Artifacts.onClasspath(),
                    dev.clearline.devnet.deploy.Deployer.Settings.defaults(), m -> { }, System::currentTimeMillis)
                    .deploy(dev.clearline.devnet.deploy.ContractSet.standard(), params, dir.resolve("hardhat-deployment.json"), true)) {
                case dev.clearline.devnet.deploy.Deployer.Deployed d -> d.manifest();
                case dev.clearline.devnet.deploy.Deployer.Failed f -> throw new IllegalStateException("deploying on Hardhat failed: " + f.message());
            };
            everyTraderEscapes(new DevnetContext(null, service, web3j, manifest, accounts, new dev.clearline.devnet.junit.TimeTravel(service)));
            web3j.shutdown();
        }
    }

    /** The L1 endpoint a user's commands are given: the embedded devnet's, or the other node's the context was built on. */
    private static String rpcUrl(DevnetContext l1) {
        return l1.devnet() != null ? l1.devnet().rpcUrl() : ((org.web3j.protocol.http.HttpService) l1.service()).getUrl();
    }

    private void everyTraderEscapes(DevnetContext l1) throws Exception {
        StaticGasProvider gas = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(8_000_000));
        TestCollateral minter = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(), gas);
        String rollupAddress = l1.address("Rollup");
        Credentials[] keys = new Credentials[8];
        for (int i = 0; i < keys.length; i++) keys[i] = l1.key(2 + i);
        // A..F trade, G deposits after the last batch, W (a watcher) holds nothing
        Credentials a = keys[0], b = keys[1], c = keys[2], d = keys[3], e = keys[4], f = keys[5], g = keys[6], w = keys[7];
        for (Credentials k : new Credentials[] {a, b, c, d, e, f}) deposit(l1, minter, k, 1_000_000_000L);
        Signer oracle = new Signer(BigInteger.valueOf(0xC0FFEEL));
        Rollup governance = Rollup.load(rollupAddress, l1.web3j(), l1.deployer(), gas);
        // market 1: tick and lot 1, IM 10 %, MM 5 %, no maker fee, taker fee 0.1 %, liquidation fee 2 %
        assertThat(governance.configureMarket(BigInteger.ONE, BigInteger.ONE, BigInteger.ONE, BigInteger.valueOf(100_000), BigInteger.valueOf(50_000),
                BigInteger.ZERO, BigInteger.valueOf(1_000), BigInteger.valueOf(20_000), oracle.address().toString()).send().isStatusOK()).isTrue();

        // the operator's one batch: the queue, then trading at 100, a withdrawal, a liquidation at 94, the mark at 85
        Rollup operator = Rollup.load(rollupAddress, l1.web3j(), l1.key(1), gas);
        assertThat(operator.joinProposers(operator.proposerBond().send()).send().isStatusOK()).isTrue();
        RollupLog log = new RollupLog(l1.web3j(), rollupAddress);
        Eip712 domain = new Eip712(l1.manifest().chainId(), Address.fromHex(rollupAddress));
        BatchBuilder builder = new BatchBuilder(new Stf(domain, new BouncyCastleVerifier()), new MemoryNodeStore(), new BatchPolicy(1_000, 60));
        List<Transition> ops = log.priorityOps(0, log.latestBlock());
        assertThat(ops).hasSize(7);
        List<Transition> batch = new ArrayList<>(ops);
        batch.add(price(domain, oracle, 100_000_000L, 1));
        long[] ids = {0};
        batch.addAll(fill(domain, signer(b), signer(a), 5, 100_000_000L, 100_000_000L, 100_000_000L, ids)); // A long 5 from B
        batch.addAll(fill(domain, signer(d), signer(c), 10, 200_000_000L, 110_000_000L, 100_000_000L, ids)); // C long 10 from D
        batch.addAll(fill(domain, signer(f), signer(e), 10, 200_000_000L, 105_000_000L, 100_000_000L, ids)); // E long 10 from F, thin margin
        batch.add(new Transition.Withdraw(signer(a).address(), signer(a).address(), 100_000_000L, 0,
                signer(a).sign(domain.withdrawDigest(signer(a).address(), signer(a).address(), 100_000_000L, 0))));
        batch.add(price(domain, oracle, 94_000_000L, 2));
        batch.add(new Transition.Liquidate(signer(e).address(), 1));
        batch.add(price(domain, oracle, 85_000_000L, 3));
        for (Transition t : batch) assertThat(builder.append(t, 0).applied()).as("%s", t).isTrue();
        post(operator, builder);
        l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("rollup.challengePeriod")) + 1));
        assertThat(operator.finalizeBatches(BigInteger.ONE).send().isStatusOK()).isTrue();

        // after it: G deposits, A deposits and forces a withdrawal; the operator ignores them, and W freezes the rollup
        deposit(l1, minter, g, 50_000_000L);
        deposit(l1, minter, e, 20_000_000L);
        deposit(l1, minter, a, 10_000_000L);
        assertThat(cli(common(l1, a), "force-withdraw", "10").code()).isZero();
        l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("rollup.forceDelay")) + 1));
        assertThat(cli(common(l1, w), "freeze").code()).isZero();
        Rollup reader = Rollup.load(rollupAddress, l1.web3j(), l1.deployer(), gas);
        BigInteger pool = reader.escapePool().send();
        assertThat(pool).as("the six deposits the frozen state consumed").isEqualTo(BigInteger.valueOf(6_000_000_000L));

        // during the claim window: escapes wait but for deposits never consumed (refunded whole at any time), a dry run
        // shows what A would get, W reports
        BigInteger aBefore = minter.balanceOf(a.getAddress()).send();
        Run early = cli(common(l1, a), "escape");
        assertThat(early.code()).as(early.err()).isZero();
        assertThat(json(early).path("claims")).hasSize(1);
        assertThat(json(early).path("claims").get(0).path("kind").asText()).isEqualTo("refund");
        assertThat(json(early).path("paidTotal").asText()).isEqualTo("10.000000");
        assertThat(json(early).path("notPaidNow").asText()).contains("free balance", "withdrawal 0", "claim window is open", "escape report");
        assertThat(minter.balanceOf(a.getAddress()).send()).isEqualTo(aBefore.add(BigInteger.valueOf(10_000_000L)));
        Run waits = cli(common(l1, a), "escape");
        assertThat(waits.code()).isEqualTo(1);
        assertThat(waits.err()).contains("claim window is open", "escape report", "none of yours is left");
        Run claim = cli(common(l1, a), "claim");
        assertThat(claim.code()).isEqualTo(1);
        assertThat(claim.err()).contains("frozen", "./clearline escape");
        Run preview = cli(common(l1, a), "escape", "--dry-run");
        assertThat(preview.code()).as(preview.err()).isZero();
        assertThat(json(preview).path("claims")).hasSize(3);
        assertThat(json(preview).path("rate").asText()).as("nothing reported yet").isEqualTo("1");
        List<String> text = common(l1, a).stream().filter(arg -> !arg.equals("--json")).toList();
        Run previewText = cli(text, "escape", "--dry-run");
        assertThat(previewText.code()).as(previewText.err()).isZero();
        assertThat(previewText.out()).contains("Would escape 3 claim(s)", "at rate 1 so far", "free balance", "position in market 1 (", " 5 lot(s))",
                "withdrawal 0", "24.500000 -> 24.500000");
        Run dryReport = cli(common(l1, w), "escape", "report", "--dry-run");
        assertThat(dryReport.code()).as(dryReport.err()).isZero();
        assertThat(json(dryReport).path("badDebt").asText()).isEqualTo("105.800000");
        // W runs a watcher: it notices the freeze and reports the bad debt and the fund on its own, with no manual step
        EscapeHatch hatch = EscapeHatch.load(reader.escapeHatch().send(), l1.web3j(), l1.deployer(), gas);
        Path keyFile = dir.resolve("w.key");
        Files.writeString(keyFile, Numeric.toHexStringWithPrefixZeroPadded(w.getEcKeyPair().getPrivateKey(), 64) + "\n");
        String[] watch = {"watch", "--rpc-url", rpcUrl(l1), "--rollup", rollupAddress, "--game", l1.address("DisputeGame"), "--key-file",
                keyFile.toString(), "--poll-ms", "100", "--data-dir", dir.resolve("watch").toString()};
        // C: -891 + 10 x 85 = -41; the fund took E's 10 lots at quote -914.8: -914.8 + 850 = -64.8; its balance is the fee, 18.8
        CliTest.Run watching = CliTest.run(stop -> {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline && !reported(hatch, 105_800_000L, 18_800_000L)) Thread.sleep(100);
            stop.run();
        }, watch);
        assertThat(watching.code()).as(watching.err()).isZero();
        assertThat(hatch.badDebt().send()).isEqualTo(BigInteger.valueOf(105_800_000L));
        assertThat(hatch.fundCredit().send()).isEqualTo(BigInteger.valueOf(18_800_000L));
        assertThat(watching.out()).as("the two bad debts and the fund's balance, and nothing else").contains("batches=1 fraud=0", "transactions=3", "escapeReportsSent=3");
        Run report = cli(common(l1, w), "escape", "report");
        assertThat(report.code()).as(report.err()).isZero();
        JsonNode reported = json(report);
        assertThat(reported.path("reported").asInt()).as("the watcher reported everything already").isZero();
        assertThat(reported.path("alreadyReported").asInt()).isEqualTo(3);
        assertThat(reported.path("badDebt").asText()).isEqualTo("105.800000");
        assertThat(reported.path("fundCredit").asText()).isEqualTo("18.800000");
        assertThat(reported.path("rate").asText()).as("6000 / (6000 + 105.8 - 18.8)").isEqualTo("0.985707");
        CliTest.Run restarted = CliTest.run(stop -> {
            Thread.sleep(1_500);
            stop.run();
        }, watch);
        assertThat(restarted.code()).as(restarted.err()).isZero();
        assertThat(restarted.out()).as("a restarted watcher finds every leaf reported and sends nothing").contains("batches=0", "transactions=0", "frozenAt=", "escapeReportsSent=0");

        l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("escape.claimWindow")) + 1));
        Run late = cli(common(l1, w), "escape", "report");
        assertThat(late.code()).isEqualTo(1);
        assertThat(late.err()).contains("claim window closed", "0.985707");

        // every trader escapes with exactly their equity (and free balance, withdrawal) times 6000 / 6087
        BigInteger rollupHeld = minter.balanceOf(rollupAddress).send();
        assertThat(rollupHeld).as("the pool, and G's 50 and E's 20 never consumed (A's 10 refunded already)").isEqualTo(BigInteger.valueOf(6_070_000_000L));
        long paidFromPool = 0;
        // A: free 1000 - 100 margin - 100 withdrawn; position 5 long: -400.5 + 5 x 85 = 24.5; withdrawal 100
        paidFromPool += escapes(l1, minter, a, List.of("balance", "position", "withdrawal"), scaled(800_000_000L), scaled(24_500_000L), scaled(100_000_000L));
        // B: free 900; 5 short: 600 - 425 = 175
        paidFromPool += escapes(l1, minter, b, List.of("balance", "position"), scaled(900_000_000L), scaled(175_000_000L));
        // C: free 890; the underwater position pays nothing and is not a claim
        paidFromPool += escapes(l1, minter, c, List.of("balance"), scaled(890_000_000L));
        // D and F: free 800; 10 short: 1200 - 850 = 350
        paidFromPool += escapes(l1, minter, d, List.of("balance", "position"), scaled(800_000_000L), scaled(350_000_000L));
        paidFromPool += escapes(l1, minter, f, List.of("balance", "position"), scaled(800_000_000L), scaled(350_000_000L));
        // E (free 895, the liquidated position empty) and G (only a deposit never consumed) wait until after the sweep

        assertThat(paidFromPool).as("users' claims at the rate stay within the pool").isLessThanOrEqualTo(pool.longValueExact());
        assertThat(reader.escapeRemaining().send()).isEqualTo(pool.subtract(BigInteger.valueOf(paidFromPool)));
        assertThat(minter.balanceOf(rollupAddress).send()).as("the token balance covered every claim; what is left is the pool's remainder")
                .isEqualTo(rollupHeld.subtract(BigInteger.valueOf(paidFromPool)))
                .isGreaterThanOrEqualTo(reader.escapeRemaining().send());

        Run twice = cli(common(l1, a), "escape");
        assertThat(twice.code()).isEqualTo(1);
        assertThat(twice.err()).contains("already escaped", "4 claim(s)", "deposit", "by escape or, for a withdrawal, by claim").doesNotContain("\tat ");
        Run nothing = cli(common(l1, w), "escape");
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).contains("nothing to escape");
        Run fund = cli(common(l1, w), "escape", "--owner", Address.INSURANCE_FUND.toString());
        assertThat(fund.code()).isEqualTo(1);
        assertThat(fund.err()).contains("insurance fund", "fund credit");

        // a year of claim windows later the remainder (fees, unneeded credit, dust) goes to governance, and the rollup holds nothing
        l1.time().advance(Duration.ofSeconds(52 * Long.parseLong(l1.manifest().parameters().get("escape.claimWindow"))));
        String governor = l1.deployer().getAddress();
        BigInteger governorBefore = minter.balanceOf(governor).send();
        BigInteger remainder = reader.escapeRemaining().send();
        assertThat(cli(common(l1, b).subList(0, common(l1, b).size() - 1), "status").out())
                .contains("anyone may sweep what is left to governance now; ./clearline escape still pays until someone does");
        assertThat(hatch.sweepRemainder().send().isStatusOK()).isTrue();
        assertThat(minter.balanceOf(governor).send()).isEqualTo(governorBefore.add(remainder));
        assertThat(minter.balanceOf(rollupAddress).send()).as("the deposits never consumed stay: refunds are outside the pool")
                .isEqualTo(BigInteger.valueOf(70_000_000L));
        // after the sweep a deposit never consumed is still refunded in full; E's claims on the frozen state are gone
        escapes(l1, minter, g, List.of("refund"), 50_000_000L);
        List<String> eText = common(l1, e).stream().filter(arg -> !arg.equals("--json")).toList();
        BigInteger eBefore = minter.balanceOf(e.getAddress()).send();
        Run eLate = cli(eText, "escape");
        assertThat(eLate.code()).as(eLate.err()).isZero();
        assertThat(eLate.out()).contains("Escaped 1 claim(s)", "deposit refund (queue op", "20.000000 -> 20.000000", "Not paid now: free balance",
                "escape deadline passed", "pay nothing now").doesNotContain("position");
        assertThat(minter.balanceOf(e.getAddress()).send()).isEqualTo(eBefore.add(BigInteger.valueOf(20_000_000L)));
        assertThat(minter.balanceOf(rollupAddress).send()).isZero();
        Run eAgain = cli(common(l1, e), "escape");
        assertThat(eAgain.code()).isEqualTo(1);
        assertThat(eAgain.err()).contains("escape deadline passed", "none of yours is left");
        Run swept = cli(common(l1, b), "escape");
        assertThat(swept.code()).isEqualTo(1);
        assertThat(swept.err()).contains("escape deadline passed", "pay nothing");
        assertThat(cli(common(l1, b).subList(0, common(l1, b).size() - 1), "status").out()).contains("and the rest of the pool was swept");
    }

    /**
     * The operator posts a batch with a user's withdrawal and stops before it finalizes it: once the
     * window has passed, the user's own `claim` finalizes the batch (anyone may) and is paid, with
     * no operator and no freeze. Then a freeze told not to finalize leaves a later due batch out.
     */
    @Test
    void aWithdrawalInABatchTheStoppedOperatorNeverFinalizedIsClaimedByItsOwner(DevnetContext l1) throws Exception {
        Credentials user = l1.key(5);
        StaticGasProvider gas = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(8_000_000));
        TestCollateral minter = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(), gas);
        deposit(l1, minter, user, 50_000_000L);
        Rollup operator = Rollup.load(l1.address("Rollup"), l1.web3j(), l1.key(1), gas);
        assertThat(operator.joinProposers(operator.proposerBond().send()).send().isStatusOK()).isTrue();
        RollupLog log = new RollupLog(l1.web3j(), l1.address("Rollup"));
        Eip712 domain = new Eip712(l1.devnet().chainId(), Address.fromHex(l1.address("Rollup")));
        BatchBuilder builder = new BatchBuilder(new Stf(domain, new BouncyCastleVerifier()), new MemoryNodeStore(), new BatchPolicy(100, 60));
        List<Transition> batch = new ArrayList<>(log.priorityOps(0, log.latestBlock()));
        Address me = signer(user).address();
        batch.add(new Transition.Withdraw(me, me, 20_000_000L, 0, signer(user).sign(domain.withdrawDigest(me, me, 20_000_000L, 0))));
        for (Transition t : batch) assertThat(builder.append(t, 0).applied()).as("%s", t).isTrue();
        BatchHeader h = post(operator, builder);

        Run early = cli(common(l1, user), "claim", "--finalize");
        assertThat(early.code()).as(early.err()).isZero();
        assertThat(json(early).path("finalizedFirst").asLong()).as("its window is still open").isZero();
        assertThat(json(early).path("claimed")).isEmpty();
        // past the look-ahead's bound, claim says where to look instead of replaying
        Run bounded = cli(common(l1, user).subList(0, common(l1, user).size() - 1), "claim", "--look-ahead", "0");
        assertThat(bounded.code()).as(bounded.err()).isZero();
        assertThat(bounded.out()).contains("1 batch(es) are posted but not final yet (0 to 0): ./clearline escape --dry-run replays them")
                .doesNotContain("withdrawal 0 of");
        // claimed too early: when to claim again, from L1 alone
        JsonNode onItsWay = json(early).path("postedNotFinal").path("withdrawals");
        assertThat(onItsWay).hasSize(1);
        assertThat(onItsWay.get(0).path("amount").asText()).isEqualTo("20.000000");
        assertThat(onItsWay.get(0).path("finalInSeconds").asLong()).isPositive();
        assertThat(cli(common(l1, user).subList(0, common(l1, user).size() - 1), "claim").out()).contains("Nothing to claim",
                "withdrawal 0 of 20.000000 in batch 0: final in about", "then ./clearline claim pays it",
                "(one sent elsewhere with withdraw --to: ./clearline claim --to ADDRESS)");

        long period = Long.parseLong(l1.manifest().parameters().get("rollup.challengePeriod"));
        l1.time().advance(Duration.ofSeconds(period + 1));
        // just past its window a running operator is about to finalize it: no call to do it yourself yet
        Run justDue = cli(common(l1, user).subList(0, common(l1, user).size() - 1), "claim");
        assertThat(justDue.code()).as(justDue.err()).isZero();
        assertThat(justDue.out()).contains("Nothing to claim", "withdrawal 0 of 20.000000 in batch 0: its challenge window has passed")
                .doesNotContain("nobody finalized", "--finalize");
        l1.time().advance(Duration.ofSeconds(period / 10));
        // unasked, claim leaves finalizing to the operator (it costs gas) and says how to do it when the operator has stopped
        Run unasked = cli(common(l1, user).subList(0, common(l1, user).size() - 1), "claim");
        assertThat(unasked.code()).as(unasked.err()).isZero();
        assertThat(unasked.out()).contains("Nothing to claim", "Batch 0 is past its challenge window (by", "but nobody finalized it", "claim --finalize");
        assertThat(operator.finalizedCount().send()).isZero();
        BigInteger before = minter.balanceOf(user.getAddress()).send();
        Run claim = cli(common(l1, user), "claim", "--finalize");
        assertThat(claim.code()).as(claim.err()).isZero();
        assertThat(json(claim).path("finalizedFirst").asLong()).isEqualTo(1);
        assertThat(json(claim).path("claimedTotal").asText()).isEqualTo("20.000000");
        assertThat(minter.balanceOf(user.getAddress()).send()).isEqualTo(before.add(BigInteger.valueOf(20_000_000L)));
        assertThat(operator.finalizedCount().send()).isOne();
        // what the finalized state holds now, asked with no operator: the 30 left, not the withdrawal just claimed
        Run held = cli(common(l1, user), "escape", "--dry-run");
        assertThat(held.code()).as(held.err()).isZero();
        assertThat(json(held).path("finalizedBatches").asLong()).isOne();
        assertThat(json(held).path("claims")).hasSize(1);
        assertThat(json(held).path("claims").get(0).path("kind").asText()).isEqualTo("balance");
        assertThat(json(held).path("total").asText()).isEqualTo("30.000000");

        // a second batch, due too, then the operator ignores a forced withdrawal: freeze --no-finalize keeps batch 0's root
        assertThat(builder.append(new Transition.Withdraw(me, me, 5_000_000L, 1, signer(user).sign(domain.withdrawDigest(me, me, 5_000_000L, 1))), 0)
                .applied()).isTrue();
        post(operator, builder);
        assertThat(cli(common(l1, user), "force-withdraw", "1").code()).isZero();
        l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("rollup.forceDelay")) + 1));
        Run freeze = cli(common(l1, user), "freeze", "--no-finalize");
        assertThat(freeze.code()).as(freeze.err()).isZero();
        assertThat(json(freeze).path("finalizedBeforeFreeze").asLong()).isZero();
        assertThat(json(freeze).path("batchesFinal").asLong()).as("batch 1 was due, and left unfinalized as asked").isOne();
        assertThat(operator.frozenRoot().send()).isEqualTo(h.postStateRoot().bytes());
        // the withdrawal claimed before the freeze is named after the claims, not in their heading
        Run after = cli(common(l1, user).subList(0, common(l1, user).size() - 1), "escape", "--dry-run");
        assertThat(after.code()).as(after.err()).isZero();
        List<String> lines = after.out().strip().lines().toList();
        assertThat(lines.getFirst()).startsWith("Would escape 1 claim(s)").endsWith(":").doesNotContainIgnoringCase("paid before");
        assertThat(lines.getLast()).isEqualTo("Paid before, not counted above: withdrawal 0");
    }

    /** Seals what {@code builder} holds as one batch and the operator posts it to L1; returns its header. */
    static BatchHeader post(Rollup operator, BatchBuilder builder) throws Exception {
        builder.seal();
        var sealed = builder.takeSealed().getFirst();
        BatchHeader h = sealed.header();
        assertThat(operator.submitBatch(new Rollup.BatchHeader(BigInteger.valueOf(h.batchIndex()), h.prevStateRoot().bytes(), h.postStateRoot().bytes(),
                BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(), BigInteger.valueOf(h.priorityOpsConsumed())),
                sealed.calldata()).send().isStatusOK()).isTrue();
        return h;
    }

    private static boolean reported(EscapeHatch hatch, long badDebt, long fundCredit) {
        try {
            return hatch.badDebt().send().longValueExact() == badDebt && hatch.fundCredit().send().longValueExact() == fundCredit;
        } catch (Exception e) {
            return false;
        }
    }

    /** What a claim of {@code amount} pays at 6000 / (6000 + 105.8 - 18.8), rounded down, as the hatch computes it. */
    private static long scaled(long amount) {
        return BigInteger.valueOf(amount).multiply(BigInteger.valueOf(6_000_000_000L)).divide(BigInteger.valueOf(6_087_000_000L)).longValueExact();
    }

    /** Runs `escape` for {@code who}; checks the kinds and amounts of what it paid and the token arriving; returns the total. */
    private static long escapes(DevnetContext l1, TestCollateral token, Credentials who, List<String> kinds, long... paid) throws Exception {
        BigInteger before = token.balanceOf(who.getAddress()).send();
        Run r = cli(common(l1, who), "escape");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode claims = json(r).path("claims");
        assertThat(claims).hasSize(kinds.size());
        long total = 0;
        for (int i = 0; i < kinds.size(); i++) {
            assertThat(claims.get(i).path("kind").asText()).isEqualTo(kinds.get(i));
            assertThat(claims.get(i).path("paid").asText()).as("%s of %s", kinds.get(i), who.getAddress()).isEqualTo(Units.amount(paid[i]));
            total += paid[i];
        }
        assertThat(json(r).path("paidTotal").asText()).isEqualTo(Units.amount(total));
        assertThat(token.balanceOf(who.getAddress()).send()).isEqualTo(before.add(BigInteger.valueOf(total)));
        return total;
    }

    static void deposit(DevnetContext l1, TestCollateral minter, Credentials who, long amount) throws Exception {
        assertThat(minter.mint(who.getAddress(), BigInteger.valueOf(amount)).send().isStatusOK()).isTrue();
        Run r = cli(common(l1, who), "deposit", Units.amount(amount), "--anyway");
        assertThat(r.code()).as(r.err()).isZero();
    }

    private static List<String> common(DevnetContext l1, Credentials who) {
        return List.of("--rpc-url", rpcUrl(l1), "--rollup", l1.address("Rollup"), "--api", "http://127.0.0.1:1",
                "--key", Numeric.toHexStringWithPrefixZeroPadded(who.getEcKeyPair().getPrivateKey(), 64), "--json");
    }

    static Signer signer(Credentials k) {
        return new Signer(k.getEcKeyPair().getPrivateKey());
    }

    static Transition price(Eip712 domain, Signer oracle, long price, long ts) {
        return new Transition.OraclePrice(1, price, 0, ts, oracle.sign(domain.oraclePriceDigest(1, price, 0, ts)));
    }

    /** A maker's resting sell and a taker's buy of {@code lots} at {@code price}, posted with their margins, and the fill. */
    static List<Transition> fill(Eip712 domain, Signer maker, Signer taker, long lots, long makerMargin, long takerMargin, long price,
                                         long[] ids) {
        Order sell = new Order(maker.address(), 1, Side.SELL, price, lots, 0, TimeInForce.GTC, 0, 0, 1, makerMargin);
        Order buy = new Order(taker.address(), 1, Side.BUY, price, lots, 0, TimeInForce.GTC, 0, 0, 1, takerMargin);
        long makerId = ++ids[0];
        long takerId = ++ids[0];
        return List.of(new Transition.PostOrder(sell, maker.sign(domain.orderDigest(sell))), new Transition.PostOrder(buy, taker.sign(domain.orderDigest(buy))),
                new Transition.Trade(makerId, takerId, lots));
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

    /** The test collateral as its minter (the deploying key) sends it: tests fund their users from it. */
    static TestCollateral minter(DevnetContext l1) {
        return TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(),
                new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(3_000_000)));
    }

    static JsonNode json(Run r) throws Exception {
        return UserOptions.JSON.readTree(r.out());
    }
}
