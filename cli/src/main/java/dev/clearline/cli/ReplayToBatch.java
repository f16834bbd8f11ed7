package dev.clearline.cli;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.UnreadableBatchException;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.SignaturesAhead;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Replays the rollup's batches from L1 in memory up to the last posting of one batch index, showing
 * progress on stderr (at most one line a second) when that takes a while.
 */
final class ReplayToBatch {
    /** The replayed batch: its posting, its verdict and the state before it. */
    record Found(RollupLog.Posted posted, Verdict verdict, MemoryNodeStore nodes, long preVersion, Stf stf, Eip712 domain) {}

    private ReplayToBatch() {}

    static Found upTo(L1Options.Connection l1, long fromBlock, long batchIndex, PrintWriter err, LongSupplier nanos) {
        Eip712 domain = new Eip712(l1.chainId(), l1.rollup());
        Stf stf = SignaturesAhead.stf(domain);
        List<RollupLog.Posted> posted;
        try {
            RollupLog log = new RollupLog(l1.web3j(), l1.rollup().toString());
            posted = log.batches(fromBlock, log.latestBlock());
        } catch (UnreadableBatchException e) {
            throw new UserError(e.getMessage() + "; inspect that transaction, it cannot be judged from L1 data");
        } catch (IOException e) {
            throw L1Options.unreachable(l1.rpcUrl(), e);
        }
        int last = -1;
        for (int i = 0; i < posted.size(); i++) if (posted.get(i).batch().header().batchIndex() == batchIndex) last = i;
        if (last < 0) {
            long highest = posted.stream().mapToLong(p -> p.batch().header().batchIndex()).max().orElse(-1);
            throw new UserError("batch " + batchIndex + " does not exist: " + (highest < 0 ? "the rollup at " + l1.rollup() + " has no batches yet"
                    : "the rollup at " + l1.rollup() + " holds batches 0 to " + highest) + " (read from block " + fromBlock + ")");
        }
        MemoryNodeStore nodes = new MemoryNodeStore();
        BatchVerifier verifier = new BatchVerifier(stf, nodes);
        long lastReport = nanos.getAsLong();
        for (int i = 0; i < last; i++) {
            verifier.verify(posted.get(i).batch());
            // only the state before the last posting is asked for afterwards: one version in memory, however long the chain
            verifier.forgetHistory();
            long now = nanos.getAsLong();
            if (now - lastReport >= 1_000_000_000L) {
                err.println("replay: batch " + posted.get(i).batch().header().batchIndex() + " (" + (i + 1) + " of " + (last + 1) + " postings, "
                        + (100 * (i + 1) / (last + 1)) + "%)");
                err.flush();
                lastReport = now;
            }
        }
        long pre = nodes.latestVersion();
        Verdict v = verifier.verify(posted.get(last).batch());
        return new Found(posted.get(last), v, nodes, pre, stf, domain);
    }
}
