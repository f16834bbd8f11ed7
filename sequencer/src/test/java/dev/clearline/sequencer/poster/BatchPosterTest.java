package dev.clearline.sequencer.poster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.BlockBehind;
import dev.clearline.devnet.junit.CallWatch;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.RefusingTransport;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.tree.store.MemoryNodeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.transaction.type.Transaction1559;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch poster against the devnet's deployed rollup: the sequencer consumes L1's priority
 * queue, trades, seals; the poster bonds, posts every sealed batch once, finalizes after the
 * challenge period; a watcher replaying L1 alone finds every batch honest. A restarted poster
 * posts nothing twice, and a lost or underpriced transaction is sent again until it lands.
 */
@WithDevnet
class BatchPosterTest {
    @TempDir
    Path dir;

    @Test
    void postedBatchesAreTheSequencersAndAWatcherReplayingL1FindsThemHonest(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            PriorityOpFeed feed = w.feed();
            assertThat(feed.poll()).isEqualTo(3); // market + two deposits
            w.price(10_000);
            w.cross(3);
            w.seal();
            w.cross(2);
            w.price(10_100);
            w.seal();
            ObjectNode state = w.state();
            long sealed = state.path("sealedBatches").asLong();
            assertThat(sealed).isGreaterThanOrEqualTo(2);

            Credentials operator = l1.key(5);
            CallWatch calls = new CallWatch(l1.service());
            BatchPoster poster = w.poster(Web3j.build(calls), operator, TxSender.FeePolicy.defaults());
            assertThat(poster.postAvailable()).isEqualTo((int) sealed);
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
            assertThat(rollup.nextBatchIndex().send().longValueExact()).isEqualTo(sealed);
            assertThat(Hash32.fromHex("0x" + org.web3j.utils.Numeric.toHexStringNoPrefix(rollup.tip().send().component1())).toString())
                    .isEqualTo(state.path("stateRoot").asText());
            assertThat(rollup.tip().send().component2().longValueExact()).isEqualTo(3);

            // a watcher with only the RPC and the rollup's address
            BatchVerifier watcher = new BatchVerifier(new Stf(w.domain, new BouncyCastleVerifier()), new MemoryNodeStore());
            List<Verdict> verdicts = new ArrayList<>();
            RollupLog log = new RollupLog(l1.web3j(), w.rollupAddress);
            for (RollupLog.Posted p : log.batches(0, log.latestBlock())) verdicts.add(watcher.verify(p.batch()));
            assertThat(verdicts).hasSize((int) sealed).allMatch(v -> v instanceof Verdict.Honest);
            assertThat(watcher.verifiedRoot().toString()).isEqualTo(state.path("stateRoot").asText());

            // nothing is final before the challenge period, everything after it; the poster does not even try before
            long sent = nonce(l1.web3j(), operator);
            assertThat(poster.finalizeDue()).isZero();
            poster.ensureBond();
            assertThat(nonce(l1.web3j(), operator)).as("no finalize tried before the period, no bond added to a whole one").isEqualTo(sent);
            assertThat(w.state().path("l1").path("batchesPosted").asLong()).as("each batch in the log as soon as it is mined").isEqualTo(sealed);
            assertThat(poster.reportProgress()).as("nothing left for the round's report").isZero();
            assertThat(w.state().path("l1").path("nextFinalAt").asLong()).isEqualTo(
                    rollup.batch(java.math.BigInteger.ZERO).send().submittedAt.longValueExact() + rollup.challengePeriod().send().longValueExact());
            assertThat(poster.reportProgress()).as("nothing new to report").isZero();
            l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("rollup.challengePeriod")) + 1));
            assertThat(poster.finalizeDue()).isEqualTo((int) sealed);
            assertThat(rollup.finalizedCount().send().longValueExact()).isEqualTo(sealed);
            assertThat(nonce(l1.web3j(), operator)).as("one finalize for all of them").isEqualTo(sent + 1);
            long estimates = calls.callsOf("eth_estimateGas");
            assertThat(poster.finalizeDue()).as("nothing left to finalize").isZero();
            assertThat(nonce(l1.web3j(), operator)).as("and nothing tried").isEqualTo(sent + 1);
            // not even estimated: a finalize of nothing is refused at its estimate anyway, but each round would pay the call
            assertThat(calls.callsOf("eth_estimateGas")).as("no finalize estimated with nothing posted past the final ones").isEqualTo(estimates);
            assertThat(poster.reportProgress()).isEqualTo(1);
            assertThat(w.state().path("l1").path("batchesFinal").asLong()).isEqualTo(sealed);
            assertThat(w.state().path("batchesInMemory").asLong()).as("final batches leave the sequencer's memory").isZero();
        }
    }

    @Test
    void aBatchIsFinalizedInTheVerySecondItsChallengePeriodEndsAndNotTheSecondBefore(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            w.sealFirstBatch();
            Credentials operator = l1.key(8);
            CallWatch calls = new CallWatch(l1.service());
            BatchPoster poster = w.poster(Web3j.build(calls), operator, TxSender.FeePolicy.defaults());
            assertThat(poster.postAvailable()).isEqualTo(1);
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
            long finalAt = rollup.batch(BigInteger.ZERO).send().submittedAt.longValueExact() + rollup.challengePeriod().send().longValueExact();
            long sent = nonce(l1.web3j(), operator);

            // the chain's time now (the pending block's) one second short of the end: nothing is tried
            l1.time().setNextBlockTimestamp(finalAt - 1);
            long estimates = calls.callsOf("eth_estimateGas");
            assertThat(poster.finalizeDue()).isZero();
            assertThat(nonce(l1.web3j(), operator)).as("no finalize sent").isEqualTo(sent);
            // nor estimated: the rollup would refuse it there, but a round each interval would pay the call until the end
            assertThat(calls.callsOf("eth_estimateGas")).as("no finalize estimated before the period ends").isEqualTo(estimates);

            // at the end itself the rollup takes the finalize (its block carries that second)
            l1.time().setNextBlockTimestamp(finalAt);
            assertThat(poster.finalizeDue()).isEqualTo(1);
            assertThat(rollup.finalizedCount().send().longValueExact()).isEqualTo(1);
            assertThat(l1.time().latestTimestamp()).isEqualTo(finalAt);
        }
    }

    @Test
    void aRestartedPosterStartsFromTheRollupsTipAndNeverPostsABatchTwice(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            w.sealFirstBatch();
            Credentials operator = l1.key(6);
            BatchPoster first = w.poster(l1.web3j(), operator, TxSender.FeePolicy.defaults());
            int posted = first.postAvailable();
            assertThat(posted).isPositive();
            long txsAfterFirst = nonce(l1.web3j(), operator);

            // a new process: new sender, new poster, same key; the sequencer is where it was
            BatchPoster second = w.poster(l1.web3j(), operator, TxSender.FeePolicy.defaults());
            assertThat(second.postAvailable()).isZero();
            assertThat(nonce(l1.web3j(), operator)).as("no transaction sent for batches L1 has").isEqualTo(txsAfterFirst);

            // the next sealed batch is posted by the new one, once
            w.cross(2);
            w.seal();
            assertThat(second.postAvailable()).isEqualTo(1);
            assertThat(first.postAvailable()).as("the old poster, still around, finds nothing to post").isZero();
            assertThat(nonce(l1.web3j(), operator)).isEqualTo(txsAfterFirst + 1);
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
            assertThat(rollup.nextBatchIndex().send().longValueExact()).isEqualTo(posted + 1);
            assertThat(rollup.submissions().send().longValueExact()).isEqualTo(posted + 1);
        }
    }

    @Test
    void aDroppedTransactionAndAnUnderpricedOneAreSentAgainUntilTheBatchLands(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            w.sealFirstBatch();
            Credentials operator = l1.key(7);
            // bond first over the clean path, so the faults hit the batch's own transaction
            w.poster(l1.web3j(), operator, TxSender.FeePolicy.defaults()).ensureBond();
            CallWatch node = new CallWatch(l1.service());
            BatchPoster poster = w.poster(Web3j.build(node), operator, TxSender.FeePolicy.defaults().withResendAfter(300));
            long before = nonce(l1.web3j(), operator);
            List<Boolean> drops = new ArrayList<>();
            // the pool evicts the batch while the poster waits for it, and the next block's base fee rises above it:
            // the same bytes sent again are refused as underpriced
            node.beforeCall("eth_getTransactionReceipt", 1, () -> {
                String first = node.accepted().get(0);
                drops.add(l1.time().dropTransaction(Hash.sha3(first)));
                l1.time().setAutomine(true);
                l1.time().setNextBlockBaseFee(fees(first).getMaxFeePerGas().add(BigInteger.ONE));
            });
            l1.time().setAutomine(false);
            try {
                assertThat(poster.postAvailable()).isEqualTo(1);
            } finally {
                l1.time().setAutomine(true);
            }
            assertThat(drops).as("the batch waited in the pool when dropped").containsExactly(true);
            assertThat(poster.sender().resends()).as("one resend after the drop, one after the refusal").isEqualTo(2);
            assertThat(node.accepted()).as("the first attempt and the raised one; the unchanged resend was refused").hasSize(2);
            assertThat(fees(node.accepted().get(1)).getMaxFeePerGas()).isGreaterThan(fees(node.accepted().get(0)).getMaxFeePerGas());
            assertThat(nonce(l1.web3j(), operator)).as("all three attempts shared one nonce").isEqualTo(before + 1);
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
            assertThat(rollup.nextBatchIndex().send().longValueExact()).isEqualTo(1);
        }
    }

    private static Transaction1559 fees(String raw) {
        return (Transaction1559) TransactionDecoder.decode(raw).getTransaction();
    }

    @Test
    void aNodeABlockBehindItsOwnPostNeverMakesThePosterSendThatBatchAgain(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            w.sealFirstBatch();
            Credentials operator = l1.key(6);
            BlockBehind balancer = new BlockBehind(l1.service());
            BatchPoster poster = w.poster(Web3j.build(balancer), operator, TxSender.FeePolicy.defaults());
            int posted = poster.postAvailable();
            assertThat(posted).isPositive();
            long txs = nonce(l1.web3j(), operator);

            // every read reaches the node a block behind: the rollup there still lacks the last batch,
            // and a gas estimate there passes, so only the poster's own memory keeps it from sending
            balancer.lag(20, true);
            assertThat(poster.postAvailable()).isZero();
            assertThat(nonce(l1.web3j(), operator)).as("no transaction for a batch L1 has").isEqualTo(txs);

            // the head comes from an up-to-date node, the call from the one behind: it is refused, not answered from the past
            balancer.lag(20, false);
            org.assertj.core.api.Assertions.assertThatThrownBy(poster::postAvailable).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("header not found");
            assertThat(nonce(l1.web3j(), operator)).isEqualTo(txs);

            balancer.lag(0, false);
            assertThat(poster.postAvailable()).as("nothing new once the node caught up").isZero();
            w.cross(2);
            w.seal();
            assertThat(poster.postAvailable()).isEqualTo(1);
            assertThat(nonce(l1.web3j(), operator)).isEqualTo(txs + 1);
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
            assertThat(rollup.submissions().send().longValueExact()).as("each batch posted once").isEqualTo(posted + 1);
        }
    }

    @Test
    void aRestartedPosterBehindANodeABlockBehindItsPredecessorsLastPostSendsNothing(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            w.sealFirstBatch();
            Credentials operator = l1.key(6);
            BatchPoster first = w.poster(l1.web3j(), operator, TxSender.FeePolicy.defaults());
            int posted = first.postAvailable();
            assertThat(posted).isPositive();
            long txs = nonce(l1.web3j(), operator);

            // the process dies right after the post, before its round's report; a new one has no memory of that post,
            // and every read reaches the node a block behind it: only the log's record of the post, made as soon as it
            // was mined, keeps it from sending the batch again
            BlockBehind balancer = new BlockBehind(l1.service()).lag(50, true);
            BatchPoster second = w.poster(Web3j.build(balancer), operator, TxSender.FeePolicy.defaults());
            assertThat(second.postAvailable()).isZero();
            assertThat(nonce(l1.web3j(), operator)).as("no transaction for a batch L1 has").isEqualTo(txs);

            balancer.lag(0, false);
            w.cross(2);
            w.seal();
            assertThat(second.postAvailable()).as("once the node caught up, the next batch goes").isEqualTo(1);
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
            assertThat(rollup.submissions().send().longValueExact()).as("each batch posted once").isEqualTo(posted + 1);
        }
    }

    @Test
    void anOperatorWithoutTheBondIsToldWhichAddressToFundAndWithHowMuch(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            Credentials empty = Credentials.create("0x1111111111111111111111111111111111111111111111111111111111111111");
            BatchPoster poster = w.poster(l1.web3j(), empty, TxSender.FeePolicy.defaults());
            assertToldToFundBeforeSending(l1, poster, empty, "the operator " + empty.getAddress() + " holds 0 ETH and must lock 1 ETH as its proposer bond",
                    "send it ETH");
        }
    }

    /**
     * A post whose block the answering node does not show yet cannot be told to the sequencer's log at once; the round's
     * report reads the rollup and tells it then, each batch once, with the time the oldest becomes final.
     */
    @Test
    void aPostWhoseBlockTheNodeDoesNotShowYetIsToldByTheRoundsReport(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            w.sealFirstBatch();
            w.cross(2);
            w.seal();
            long sealed = w.state().path("sealedBatches").asLong();
            assertThat(sealed).isGreaterThanOrEqualTo(2);
            dev.clearline.devnet.junit.ForwardingTransport noBlocks = new dev.clearline.devnet.junit.ForwardingTransport(l1.service()) {
                @Override
                @SuppressWarnings({"rawtypes", "unchecked"})
                public <T extends org.web3j.protocol.core.Response> T send(org.web3j.protocol.core.Request request, Class<T> type)
                        throws java.io.IOException {
                    if (!"eth_getBlockByHash".equals(request.getMethod())) return super.send(request, type);
                    try {
                        return type.getDeclaredConstructor().newInstance(); // "result": null, as a node that lacks the block answers
                    } catch (ReflectiveOperationException e) {
                        throw new java.io.IOException(e);
                    }
                }

                @Override
                public void close() {
                    // the node is the test's
                }
            };
            Credentials operator = l1.key(6);
            BatchPoster poster = w.poster(Web3j.build(noBlocks), operator, TxSender.FeePolicy.defaults());
            assertThat(poster.postAvailable()).isEqualTo((int) sealed);
            assertThat(poster.posted()).isEqualTo(sealed);
            assertThat(w.state().path("l1").path("batchesPosted").asLong()).as("not told at the post").isZero();
            assertThat(poster.reportProgress()).as("one report per batch").isEqualTo((int) sealed);
            assertThat(w.state().path("l1").path("batchesPosted").asLong()).isEqualTo(sealed);
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
            assertThat(w.state().path("l1").path("nextFinalAt").asLong()).isEqualTo(
                    rollup.batch(BigInteger.ZERO).send().submittedAt.longValueExact() + rollup.challengePeriod().send().longValueExact());
            assertThat(poster.reportProgress()).as("each batch told once").isZero();
        }
    }

    /** A key holding exactly the bond cannot also pay the gas of locking it: told so before anything is sent. */
    @Test
    void anOperatorHoldingExactlyTheBondIsToldToAddGas(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            Credentials justTheBond = Credentials.create("0x2222222222222222222222222222222222222222222222222222222222222222");
            BigInteger bond = Rollup.load(w.rollupAddress, l1.web3j(), l1.deployer(), L1World.GAS).proposerBond().send();
            L1World.ok(org.web3j.tx.Transfer.sendFunds(l1.web3j(), l1.key(7), justTheBond.getAddress(), new java.math.BigDecimal(bond),
                    org.web3j.utils.Convert.Unit.WEI).send());
            BatchPoster poster = w.poster(l1.web3j(), justTheBond, TxSender.FeePolicy.defaults());
            assertToldToFundBeforeSending(l1, poster, justTheBond, "holds 1 ETH and must lock 1 ETH as its proposer bond, plus gas");
        }
    }

    /**
     * A key whose bond went between two posts (it left the proposer set from another tool once its batch was final; a slash
     * leaves it the same way, short of the bond) is bonded again and the waiting batch posted in the same round, instead of
     * a refusal retried round after round.
     */
    @Test
    void aBondGoneBetweenTwoPostsIsPutBackAndTheBatchPostedInTheSameRound(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            w.sealFirstBatch();
            Credentials operator = l1.key(6);
            BatchPoster poster = w.poster(l1.web3j(), operator, TxSender.FeePolicy.defaults());
            assertThat(poster.postAvailable()).isEqualTo(1);
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
            BigInteger bond = rollup.proposerBond().send();
            l1.time().advance(Duration.ofSeconds(Long.parseLong(l1.manifest().parameters().get("rollup.challengePeriod")) + 1));
            assertThat(poster.finalizeDue()).isEqualTo(1);
            // through the poster's own sender, which counts the key's nonces
            L1World.ok(poster.sender().send(w.rollupAddress, rollup.leaveProposers().encodeFunctionCall(), BigInteger.ZERO).receipt());
            assertThat(rollup.proposers(operator.getAddress()).send().component3()).as("the key left the proposers").isFalse();

            w.cross(2);
            w.seal();
            long sent = nonce(l1.web3j(), operator);
            assertThat(poster.postAvailable()).as("posted in this round, not refused").isEqualTo(1);
            assertThat(rollup.nextBatchIndex().send().longValueExact()).isEqualTo(2);
            var proposer = rollup.proposers(operator.getAddress()).send();
            assertThat(proposer.component3()).as("a proposer again").isTrue();
            assertThat(proposer.component1()).as("with the whole bond").isEqualTo(bond);
            assertThat(nonce(l1.web3j(), operator)).as("the bond, then the batch").isEqualTo(sent + 2);
        }
    }

    /**
     * A post L1 refuses with the bond whole (here a node behind the priority queue the batch consumes) is an error that
     * names the rollup's reason, with nothing sent and no bond added; once the node answers as the chain does, the
     * batch goes.
     */
    @Test
    void aPostRefusedWithTheBondWholeNamesTheRollupsReasonAndSendsNothing(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            w.sealFirstBatch();
            Credentials operator = l1.key(6);
            w.poster(l1.web3j(), operator, TxSender.FeePolicy.defaults()).ensureBond();
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
            String submitBatch = rollup.submitBatch(new Rollup.BatchHeader(BigInteger.ZERO, new byte[32], new byte[32], BigInteger.ZERO, new byte[32],
                    BigInteger.ZERO), new byte[0]).encodeFunctionCall().substring(0, 10);
            RefusingTransport behind = new RefusingTransport(l1.service())
                    .refuse(submitBatch, 0, RefusingTransport.error("PriorityOpsNotQueued(uint64,uint64)", 3, 2));
            BatchPoster poster = w.poster(Web3j.build(behind), operator, TxSender.FeePolicy.defaults());
            long sent = nonce(l1.web3j(), operator);
            org.assertj.core.api.Assertions.assertThatThrownBy(poster::postAvailable).isInstanceOf(java.io.IOException.class)
                    .hasMessageStartingWith("the rollup would refuse batch 0: PriorityOpsNotQueued(3, 2)");
            assertThat(nonce(l1.web3j(), operator)).as("nothing sent, no bond added").isEqualTo(sent);
            behind.allow();
            assertThat(poster.postAvailable()).isEqualTo(1);
            assertThat(rollup.nextBatchIndex().send().longValueExact()).isEqualTo(1);
        }
    }

    /**
     * Another proposer posts the batch of the queued ops first (as {@code clearline propose} or a guarding watcher does
     * once an operator leaves them): the operator's next batch no longer continues L1's tip, and the poster stops with
     * a divergence naming both roots and sends nothing (its batch would only revert).
     */
    @Test
    void aBatchAnotherProposerPostedFirstStopsThePosterWithADivergenceAndNothingIsSent(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            w.sealFirstBatch();
            Credentials other = l1.key(7);
            Rollup asOther = Rollup.load(w.rollupAddress, l1.web3j(), other, L1World.GAS);
            L1World.ok(asOther.joinProposers(asOther.proposerBond().send()).send());
            RollupLog log = new RollupLog(l1.web3j(), w.rollupAddress);
            var ops = log.priorityOps(0, log.latestBlock());
            var theirs = new BatchVerifier(new Stf(w.domain, new BouncyCastleVerifier()), new MemoryNodeStore()).propose(0, ops);
            var h = theirs.header();
            L1World.ok(asOther.submitBatch(new Rollup.BatchHeader(BigInteger.ZERO, h.prevStateRoot().bytes(), h.postStateRoot().bytes(),
                    BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(), BigInteger.valueOf(h.priorityOpsConsumed())),
                    theirs.calldata()).send());
            Credentials operator = l1.key(5);
            BatchPoster poster = w.poster(l1.web3j(), operator, TxSender.FeePolicy.defaults());
            poster.ensureBond();
            long sent = nonce(l1.web3j(), operator);

            assertThat(poster.postAvailable()).as("the sequencer has no batch 1 to post yet").isZero();
            org.assertj.core.api.Assertions.assertThatThrownBy(poster::reportProgress).isInstanceOf(BatchPoster.Divergence.class)
                    .hasMessageContaining("L1's batch 0 (posted by " + other.getAddress()).hasMessageContaining("(its header differs)")
                    .hasMessageContaining("another proposer posted the queued ops").hasMessageContaining("./clearline take-up --out FILE");
            assertThat(w.state().path("l1").path("batchesPosted").asLong()).as("its batch 0 never reported as on L1").isZero();
            w.cross(1);
            w.seal();
            org.assertj.core.api.Assertions.assertThatThrownBy(poster::postAvailable).as("its batch 1, built on its own batch 0")
                    .isInstanceOf(BatchPoster.Divergence.class).hasMessageContaining("the rollup's tip (batch 1) has root " + h.postStateRoot());

            assertThat(nonce(l1.web3j(), operator)).as("nothing sent").isEqualTo(sent);
            assertThat(asOther.nextBatchIndex().send().longValueExact()).isEqualTo(1);
        }
    }

    /** Bonding {@code key} is refused with a message that tells what to fund, before anything is sent. */
    private static void assertToldToFundBeforeSending(DevnetContext l1, BatchPoster poster, Credentials key, String... told) throws Exception {
        var refusal = org.assertj.core.api.Assertions.assertThatThrownBy(poster::ensureBond).isInstanceOf(java.io.IOException.class);
        for (String t : told) refusal.hasMessageContaining(t);
        assertThat(nonce(l1.web3j(), key)).as("nothing was sent").isZero();
    }

    private static long nonce(Web3j web3j, Credentials key) throws Exception {
        return web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount().longValueExact();
    }

}
