package dev.clearline.prover.dispute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.EscapeHatch;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.escape.EscapePlan;
import dev.clearline.prover.escape.FinalizedState;
import dev.clearline.prover.escape.FreezeReporter;
import dev.clearline.prover.escape.Report;
import dev.clearline.prover.l1.RollupLog;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher's escape reports on the devnet (docs/protocol.md 7.5, step 1). Before a freeze a poll does nothing. Once
 * the operator ignored a deposit past its force delay and someone froze the rollup, one poll reports every underwater
 * position and the insurance fund's holdings of the frozen state, rebuilt from L1 alone: the hatch, which checks each
 * proof and values each leaf in Solidity, then holds the bad debt and fund credit the Java plan computed; the watcher's
 * poll counts them among its transactions and its status shows the freeze. Another reporter finds every leaf reported
 * and sends nothing; one that comes after the claim window closed sends nothing and says it is done. A report that fails
 * (L1 down) is sent by the next poll; one another reporter lands first counts as reported, not as a failure.
 */
@WithDevnet
class FreezeReporterOnDevnetTest {
    @TempDir
    Path dir;

    @Test
    void aFrozenRollupIsReportedOnceWhileTheWindowIsOpenAndNeverAfter(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> batches = finalizedWithAShortUnderWater(l1, r);

        Stf stf = new Stf(r.domain, new BouncyCastleVerifier());
        L1Reads reads = new L1Reads(l1.service());
        DisputeL1 watcherSide = r.dispute(l1.key(4), org.web3j.protocol.Web3j.build(reads));
        FreezeReporter reporter = new FreezeReporter(l1.web3j(), r.rollupAddress, stf, watcherSide::sendCall, r.fromBlock);
        assertThat(reporter.poll()).as("live: nothing to do").isEqualTo(new FreezeReporter.Outcome(0, 0, 0));
        assertThat(reporter.frozen()).isNull();
        assertThat(reporter.done()).isFalse();

        frozenOverAnIgnoredDeposit(l1, r);

        // what the frozen state owes the escape rate, by the Java plan
        List<Report> plan = plan(l1, r, batches.size(), stf);
        BigInteger badDebt = BigInteger.ZERO, fundCredit = BigInteger.ZERO;
        for (Report p : plan) {
            if (p instanceof Report.BadDebt) badDebt = badDebt.add(p.amount());
            else fundCredit = fundCredit.add(p.amount());
        }
        assertThat(badDebt).as("Alice's short under water").isPositive();

        // a watcher that neither challenges nor defends, only reports: its poll sends every report, once
        EscapeHatch hatch = EscapeHatch.load(r.proposer.escapeHatch().send(), l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
        long frozenAt = r.proposer.frozenAt().send().longValueExact();
        long windowEnd = hatch.claimWindowEnd().send().longValueExact();
        try (Watcher watcher = r.watcher(l1.key(4), new Watcher.Role(false, false, true), dir)) {
            assertThat(watcher.poll()).as("the reports are the poll's transactions").isEqualTo(plan.size());
            assertThat(watcher.frozen()).isEqualTo(new FreezeReporter.Frozen(frozenAt, batches.size(), windowEnd, plan.size(), 0, true));
            assertThat(watcher.gameCounts().transactionsSent()).isEqualTo(plan.size());
            // each report in the ledger under the hatch function it called, and its gas as L1's receipt has it
            assertThat(watcher.ledger().entries()).extracting(GasLedger.Entry::action)
                    .containsExactlyElementsOf(plan.stream().map(p -> switch (p) {
                        case Report.BadDebt b -> "reportBadDebt";
                        case Report.FundBalance f -> "reportFundBalance";
                        case Report.FundPosition f -> "reportFundPosition";
                    }).toList());
            Rollout.accountsForEveryTransaction(watcher, l1.web3j());
            assertThat(watcher.poll()).as("reported: nothing more").isZero();
        }
        assertThat(hatch.badDebt().send()).as("the hatch's own valuation of the reported leaves").isEqualTo(badDebt);
        assertThat(hatch.fundCredit().send()).isEqualTo(fundCredit);
        for (Report p : plan) assertThat(hatch.leafUsed(FreezeReporter.leafKey(p)).send()).as("%s taken", p).isTrue();

        // the reporter made before the freeze (a watcher restarted) finds each leaf taken and sends nothing, not even an estimate
        int estimates = reads.requests("eth_estimateGas");
        assertThat(reporter.poll()).isEqualTo(new FreezeReporter.Outcome(0, plan.size(), 0));
        assertThat(reads.requests("eth_estimateGas")).as("estimates asked for leaves already taken").isEqualTo(estimates);
        assertThat(reporter.done()).isTrue();
        assertThat(reporter.frozen()).isEqualTo(new FreezeReporter.Frozen(frozenAt, batches.size(), windowEnd, 0, plan.size(), true));
        assertThat(reporter.poll()).as("done: not even a look").isEqualTo(new FreezeReporter.Outcome(0, 0, 0));
        assertThat(hatch.badDebt().send()).as("nothing counted twice").isEqualTo(badDebt);

        // one that comes after the window closed: too late, done, nothing sent
        l1.time().advance(Duration.ofSeconds(windowEnd - frozenAt + 1));
        FreezeReporter late = new FreezeReporter(l1.web3j(), r.rollupAddress, stf, watcherSide::sendCall, r.fromBlock);
        assertThat(late.poll()).isEqualTo(new FreezeReporter.Outcome(0, 0, 0));
        assertThat(late.done()).isTrue();
        assertThat(late.frozen()).isEqualTo(new FreezeReporter.Frozen(frozenAt, batches.size(), windowEnd, 0, 0, true));
    }

    @Test
    void aReportThatFailsIsSentAgainByTheNextPoll_andTheWindowsLastSecondIsAlreadyTooLate(DevnetContext l1) throws Exception {
        FrozenScene f = frozen(l1);
        Rollout r = f.rollout();
        Stf stf = f.stf();
        int reports = f.reports();
        DisputeL1 side = r.dispute(l1.key(4));
        int[] calls = {0};
        // L1 down for the first report only
        FreezeReporter reporter = new FreezeReporter(l1.web3j(), r.rollupAddress, stf, (action, to, data) -> {
            if (calls[0]++ == 0) throw new java.io.IOException("connection refused");
            return side.sendCall(action, to, data);
        }, r.fromBlock);
        assertThat(reporter.poll()).isEqualTo(new FreezeReporter.Outcome(reports - 1, 0, 1));
        assertThat(reporter.done()).as("one left to send").isFalse();
        assertThat(reporter.frozen().done()).isFalse();
        assertThat(reporter.poll()).as("the failed one, and the others found on L1").isEqualTo(new FreezeReporter.Outcome(1, reports - 1, 0));
        assertThat(reporter.done()).isTrue();
        assertThat(reporter.frozen().reportsSent()).as("over both polls").isEqualTo(reports);

        // the claim window's last second is past it (the hatch takes reports while now < claimWindowEnd)
        long windowEnd = EscapeHatch.load(r.proposer.escapeHatch().send(), l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS)
                .claimWindowEnd().send().longValueExact();
        l1.time().setNextBlockTimestamp(windowEnd);
        FreezeReporter atTheEnd = new FreezeReporter(l1.web3j(), r.rollupAddress, stf, side::sendCall, r.fromBlock);
        assertThat(atTheEnd.poll()).as("too late: not even a look at the leaves").isEqualTo(new FreezeReporter.Outcome(0, 0, 0));
        assertThat(atTheEnd.done()).isTrue();
    }

    @Test
    void aReportAnotherReporterLandsFirstCountsAsReportedNotFailed(DevnetContext l1) throws Exception {
        FrozenScene f = frozen(l1);
        Rollout r = f.rollout();
        Stf stf = f.stf();
        int reports = f.reports();
        DisputeL1 ours = r.dispute(l1.key(4));
        DisputeL1 theirs = r.dispute(l1.key(6));
        int[] calls = {0};
        // the first report: another watcher's copy is mined first, ours then fails (the hatch refuses a leaf twice)
        FreezeReporter reporter = new FreezeReporter(l1.web3j(), r.rollupAddress, stf, (action, to, data) -> {
            if (calls[0]++ == 0) {
                theirs.sendCall(action, to, data);
                throw new java.io.IOException("execution reverted: LeafAlreadyUsed");
            }
            return ours.sendCall(action, to, data);
        }, r.fromBlock);
        assertThat(reporter.poll()).isEqualTo(new FreezeReporter.Outcome(reports - 1, 1, 0));
        assertThat(reporter.done()).isTrue();
    }

    /** A rollup frozen with Alice's short under water, the STF to rebuild it and how many reports its state calls for. */
    private record FrozenScene(Rollout rollout, Stf stf, int reports) {}

    private static FrozenScene frozen(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> batches = finalizedWithAShortUnderWater(l1, r);
        frozenOverAnIgnoredDeposit(l1, r);
        Stf stf = new Stf(r.domain, new BouncyCastleVerifier());
        return new FrozenScene(r, stf, plan(l1, r, batches.size(), stf).size());
    }

    /**
     * The honest trading, then the mark far above Alice's short (5 lots, 5 collateral units of margin): her equity goes
     * below zero; every batch posted and final.
     */
    private static List<Batch> finalizedWithAShortUnderWater(DevnetContext l1, Rollout r) throws Exception {
        List<List<Transition>> groups = new ArrayList<>(r.honestGroups());
        groups.add(List.of(r.price(2_000_000)));
        List<Batch> batches = r.seal(groups);
        for (Batch b : batches) r.post(b.header(), b.calldata());
        l1.time().advance(Duration.ofSeconds(r.proposer.challengePeriod().send().longValueExact() + 1));
        Rollout.ok(r.proposer.finalizeBatches(BigInteger.TEN).send());
        assertThat(r.proposer.finalizedCount().send().longValueExact()).isEqualTo(batches.size());
        return batches;
    }

    /** A deposit the operator never consumes: past the force delay anyone freezes the rollup over it. */
    private static void frozenOverAnIgnoredDeposit(DevnetContext l1, Rollout r) throws Exception {
        r.deposit(l1.key(2), 1_000_000);
        l1.time().advance(Duration.ofSeconds(r.proposer.forceDelay().send().longValueExact() + 1));
        long consumed = r.proposer.tip().send().component2().longValueExact();
        byte[] overdue = new RollupLog(l1.web3j(), r.rollupAddress).priorityOpEncoding(consumed, r.fromBlock).orElseThrow();
        Rollout.ok(r.rollupAs(l1.key(5)).freeze(overdue).send());
    }

    /** The reports the frozen state calls for, by the Java plan over the state rebuilt from L1. */
    private static List<Report> plan(DevnetContext l1, Rollout r, int finalized, Stf stf) throws Exception {
        RollupLog log = new RollupLog(l1.web3j(), r.rollupAddress);
        FinalizedState state = FinalizedState.rebuild(log.batches(r.fromBlock, log.latestBlock()), finalized, stf, FinalizedState.Progress.NONE);
        // what `escape` and `claim` rebuild: the same state, read from L1 through the RPC postings into an on-disk cache
        java.nio.file.Path cache = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target"), "state-cache");
        try (FinalizedState cached = FinalizedState.rebuild(FinalizedState.Postings.of(log, r.fromBlock), finalized, stf,
                FinalizedState.Progress.NONE, cache)) {
            assertThat(cached.root()).as("the cached rebuild's root").isEqualTo(state.root())
                    .isEqualTo(new dev.clearline.engine.order.Hash32(r.proposer.batch(BigInteger.valueOf(finalized - 1)).send().postStateRoot));
            assertThat(cached.owners()).isEqualTo(state.owners());
            assertThat(FinalizedState.Postings.of(log, r.fromBlock).from(0)).as("postings from before the deployment")
                    .extracting(RollupLog.Posted::transactionHash).hasSize(finalized)
                    .isEqualTo(log.batches(r.fromBlock, log.latestBlock()).stream().map(RollupLog.Posted::transactionHash).toList());
        }
        List<Report> plan = EscapePlan.reports(state);
        assertThat(plan).as("Alice's bad debt at least").isNotEmpty();
        return plan;
    }
}
