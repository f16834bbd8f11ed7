package dev.clearline.prover.escape;

import dev.clearline.contracts.generated.EscapeHatch;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.dispute.DisputeL1;
import dev.clearline.prover.l1.L1Clock;
import dev.clearline.prover.l1.RollupLog;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

/**
 * The watcher's part in an escape (docs/protocol.md section 7.5, step 1): once the rollup is
 * frozen and while the claim window is open, it reports every underwater position (bad debt) and
 * the insurance fund's balance and positions (fund credit) of the frozen state, rebuilt from L1
 * alone, so the escape rate counts them without anyone running {@code escape report} by hand.
 *
 * <p>Idempotent: a leaf the hatch has already taken (reported by anyone, this watcher before a
 * restart included) is skipped and logged as such; a report that fails (L1 down, someone else's
 * report of the same leaf landing first) is tried again on the next {@link #poll()}. Before the
 * freeze a poll costs one {@code eth_call}.
 *
 * <p>Not thread-safe: the watcher's thread polls.
 */
public final class FreezeReporter {
    private static final Logger LOG = LoggerFactory.getLogger(FreezeReporter.class);

    /** Sends one report to the hatch as the watcher's account and waits until it is mined. */
    @FunctionalInterface
    public interface Sender {
        TransactionReceipt send(String action, String to, String data) throws IOException;
    }

    /** What one poll of a frozen rollup did. */
    public record Outcome(int sent, int alreadyReported, int failed) {}

    /**
     * The freeze as this reporter last saw it, for a status line: when it froze, how many batches
     * its state holds, the claim window's end, and the reports sent by this reporter (all polls) and
     * found already on L1 (the last poll that looked).
     */
    public record Frozen(long frozenAt, long finalizedBatches, long claimWindowEnd, int reportsSent, int alreadyReported, boolean done) {}

    private final Web3j web3j;
    private final String rollupAddress;
    private final Rollup rollup;
    private final Stf stf;
    private final Sender sender;
    private final long firstBlock;
    /** True once every report is on L1 (or the window closed): nothing is left to do. */
    private boolean done;
    /** The frozen state, rebuilt once (it never changes after the freeze). */
    private FinalizedState state;
    /** Null until a poll saw the rollup frozen; written by the polling thread, read by a status thread. */
    private volatile Frozen frozen;
    private int sentTotal;

    /**
     * @param stf        the STF of this rollup's domain, to replay the finalized batches
     * @param firstBlock no log of the rollup is older (its deployment block, or 0)
     */
    public FreezeReporter(Web3j web3j, String rollupAddress, Stf stf, Sender sender, long firstBlock) {
        this.firstBlock = firstBlock;
        this.web3j = web3j;
        this.rollupAddress = rollupAddress;
        this.rollup = Rollup.load(rollupAddress, web3j, new ReadonlyTransactionManager(web3j, rollupAddress), new DefaultGasProvider());
        this.stf = stf;
        this.sender = sender;
    }

    /** The freeze as last seen, or null while the rollup was never seen frozen. */
    public Frozen frozen() {
        return frozen;
    }

    /** True once the reports are all on L1, or the claim window closed before they could be. */
    public boolean done() {
        return done;
    }

    /**
     * Looks whether the rollup is frozen and, if so and the window is open, reports what is not
     * reported yet; returns what it did, or an outcome of zeros when there was nothing to do.
     */
    public Outcome poll() throws IOException {
        if (done) return new Outcome(0, 0, 0);
        long frozenAt = DisputeL1.call(() -> rollup.frozenAt().send()).longValueExact();
        if (frozenAt == 0) return new Outcome(0, 0, 0);
        EscapeHatch hatch = EscapeHatch.load(DisputeL1.call(() -> rollup.escapeHatch().send()), web3j,
                new ReadonlyTransactionManager(web3j, rollupAddress), new DefaultGasProvider());
        long windowEnd = DisputeL1.call(() -> hatch.claimWindowEnd().send()).longValueExact();
        long now = DisputeL1.call(() -> L1Clock.now(web3j));
        long finalized = DisputeL1.call(() -> rollup.finalizedCount().send()).longValueExact();
        if (now >= windowEnd) {
            LOG.warn("event=escape-report-too-late frozenAt={} claimWindowEnd={} now={} action=none", frozenAt, windowEnd, now);
            done = true;
            frozen = new Frozen(frozenAt, finalized, windowEnd, sentTotal, 0, true);
            return new Outcome(0, 0, 0);
        }
        if (state == null) {
            RollupLog log = new RollupLog(web3j, rollupAddress);
            FinalizedState rebuilt = FinalizedState.rebuild(finalized == 0 ? List.of() : log.batches(firstBlock, log.latestBlock()), finalized, stf,
                    FinalizedState.Progress.NONE);
            byte[] frozenRoot = DisputeL1.call(() -> rollup.frozenRoot().send());
            if (!Arrays.equals(frozenRoot, rebuilt.root().bytes())) {
                LOG.error("event=escape-report-impossible rebuiltRoot={} frozenRoot={} reason=\"the state rebuilt from L1 is not the frozen one: no report"
                        + " built from it would verify; is the RPC a full node of this chain?\" action=none", rebuilt.root(), Numeric.toHexString(frozenRoot));
                done = true;
                frozen = new Frozen(frozenAt, finalized, windowEnd, sentTotal, 0, true);
                return new Outcome(0, 0, 0);
            }
            LOG.info("event=rollup-frozen frozenAt={} finalizedBatches={} claimWindowEnd={} action=\"report bad debt and the insurance fund\"", frozenAt,
                    finalized, windowEnd);
            state = rebuilt;
        }
        List<Report> reports = EscapePlan.reports(state);
        int sent = 0, already = 0, failed = 0;
        for (Report r : reports) {
            byte[] key = leafKey(r);
            if (DisputeL1.call(() -> hatch.leafUsed(key).send())) {
                already++;
                continue;
            }
            try {
                TransactionReceipt receipt = sender.send(action(r), hatch.getContractAddress(), call(hatch, r).encodeFunctionCall());
                sent++;
                LOG.info("event=escape-reported kind={} amount={} tx={}", action(r), r.amount(), receipt.getTransactionHash());
            } catch (IOException e) {
                if (DisputeL1.call(() -> hatch.leafUsed(key).send())) {
                    already++; // someone else's report of the same leaf landed first
                } else {
                    failed++;
                    LOG.warn("event=escape-report-failed kind={} reason=\"{}\" action=\"retry on the next poll\"", action(r), e.getMessage());
                }
            }
        }
        done = failed == 0;
        sentTotal += sent;
        frozen = new Frozen(frozenAt, finalized, windowEnd, sentTotal, already, done);
        if (sent == 0 && failed == 0) {
            LOG.info("event=escape-report-nothing-to-do reports={} alreadyReported={} reason=\"{}\"", reports.size(), already,
                    reports.isEmpty() ? "the frozen state has no bad debt and no fund credit" : "every leaf was reported already");
        } else {
            LOG.info("event=escape-report-done frozenAt={} sent={} alreadyReported={} failed={} badDebt={} fundCredit={} claimWindowEnd={}", frozenAt,
                    sent, already, failed, DisputeL1.call(() -> hatch.badDebt().send()), DisputeL1.call(() -> hatch.fundCredit().send()), windowEnd);
        }
        return new Outcome(sent, already, failed);
    }

    /** The state key the hatch marks used once {@code r} is reported. */
    public static byte[] leafKey(Report r) {
        return switch (r) {
            case Report.BadDebt b -> StateKeys.position(b.owner(), Integer.toUnsignedLong(b.market())).toArray();
            case Report.FundBalance f -> StateKeys.balance(Address.INSURANCE_FUND).toArray();
            case Report.FundPosition f -> StateKeys.position(Address.INSURANCE_FUND, Integer.toUnsignedLong(f.market())).toArray();
        };
    }

    /** The hatch's function that takes {@code r}. */
    public static String action(Report r) {
        return switch (r) {
            case Report.BadDebt b -> "reportBadDebt";
            case Report.FundBalance f -> "reportFundBalance";
            case Report.FundPosition f -> "reportFundPosition";
        };
    }

    /** The call that reports {@code r} to {@code hatch}, with its proof. */
    public static RemoteFunctionCall<TransactionReceipt> call(EscapeHatch hatch, Report r) {
        return switch (r) {
            case Report.BadDebt b -> hatch.reportBadDebt(b.owner().toString(), BigInteger.valueOf(Integer.toUnsignedLong(b.market())),
                    position(b.position()), market(b.marketLeaf()), b.proof());
            case Report.FundBalance f -> hatch.reportFundBalance(BigInteger.valueOf(f.free()), BigInteger.valueOf(f.nonce()), f.proof());
            case Report.FundPosition f -> hatch.reportFundPosition(BigInteger.valueOf(Integer.toUnsignedLong(f.market())), position(f.position()),
                    market(f.marketLeaf()), f.proof());
        };
    }

    public static EscapeHatch.PositionLeaf position(PositionLeaf p) {
        return new EscapeHatch.PositionLeaf(BigInteger.valueOf(p.size()), BigInteger.valueOf(p.quote()), BigInteger.valueOf(p.fundingIndex()));
    }

    public static EscapeHatch.MarketLeaf market(MarketLeaf m) {
        return new EscapeHatch.MarketLeaf(BigInteger.valueOf(m.tickSize()), BigInteger.valueOf(m.lotSize()), BigInteger.valueOf(m.imfPpm()),
                BigInteger.valueOf(m.mmfPpm()), BigInteger.valueOf(m.makerFeePpm()), BigInteger.valueOf(m.takerFeePpm()),
                BigInteger.valueOf(m.liquidationFeePpm()), m.oracle().toString(), BigInteger.valueOf(m.markPrice()), BigInteger.valueOf(m.fundingIndex()),
                BigInteger.valueOf(m.lastOracleTs()), BigInteger.valueOf(m.feesAccrued()));
    }

}
