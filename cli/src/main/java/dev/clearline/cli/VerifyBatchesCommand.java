package dev.clearline.cli;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.order.Eip712;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.UnreadableBatchException;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.SignaturesAhead;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Replays every batch the rollup holds from L1 data alone and prints a verdict per batch, and where
 * each stands on L1 (final, in its challenge window, rejected, or never final after a freeze). Exit
 * code 0 when every batch is honest, 3 when at least one is fraud (a watcher challenges it).
 */
@Command(name = "verify-batches", mixinStandardHelpOptions = true,
        description = {"Rebuild the L2 state from L1 alone (the rollup's events and batch calldata) and judge every posted batch.",
                "Each line also says where the batch stands on L1: final, in-window (its challenge window or a dispute still open),"
                        + " rejected (a challenge won; the index was posted again) or never-final (the rollup froze before it finalized).",
                "Exit code 0: every batch honest; 3: at least one batch is fraud (its verdict says where)."})
final class VerifyBatchesCommand implements Callable<Integer> {
    static final int FRAUD_FOUND = 3;

    private final PrintWriter out;

    @Mixin
    L1Options l1;

    VerifyBatchesCommand(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        try (L1Options.Connection c = l1.connect()) {
            RollupLog log = new RollupLog(c.web3j(), c.rollup().toString());
            long head = log.latestBlock();
            List<RollupLog.Posted> posted = log.batches(l1.fromBlock, head);
            Rollup rollup = Rollup.load(c.rollup().toString(), c.web3j(), new ReadonlyTransactionManager(c.web3j(), c.rollup().toString()),
                    new DefaultGasProvider());
            Standing standing = Standing.read(rollup, posted);
            BatchVerifier verifier = new BatchVerifier(SignaturesAhead.stf(new Eip712(c.chainId(), c.rollup())), new MemoryNodeStore());
            int fraud = 0;
            for (int i = 0; i < posted.size(); i++) {
                RollupLog.Posted p = posted.get(i);
                Verdict v = verifier.verify(p.batch());
                verifier.forgetHistory(); // verdicts only: one state in memory, however long the chain
                if (!v.honest()) fraud++;
                out.println("batch=" + v.batchIndex() + " block=" + p.blockNumber() + " tx=" + p.transactionHash() + " verdict=" + describe(v)
                        + " l1=" + standing.of(i));
            }
            out.println("batches=" + posted.size() + " fraud=" + fraud + " verifiedRoot=" + verifier.verifiedRoot() + " final=" + standing.finalized
                    + (standing.frozen ? " frozen=true (batches from " + standing.finalized + " on never finalize; escapes prove against "
                            + (standing.finalized == 0 ? "the genesis root" : "batch " + (standing.finalized - 1) + "'s root") + ")" : ""));
            return fraud == 0 ? 0 : FRAUD_FOUND;
        } catch (UnreadableBatchException e) {
            throw new UserError(e.getMessage() + "; inspect that transaction, it cannot be judged from L1 data");
        } catch (IOException e) {
            throw L1Options.unreachable(l1.rpcUrl, e);
        }
    }

    /**
     * Where each posting stands on L1, from three reads of the rollup: a posting is live while its
     * index is below the next index and no later posting reused that index (a won challenge rewinds
     * the chain to the rejected batch); a live one is final below the finalized count.
     */
    private record Standing(long next, long finalized, boolean frozen, List<RollupLog.Posted> posted, Map<Long, Integer> lastPosting) {
        static Standing read(Rollup rollup, List<RollupLog.Posted> posted) throws IOException {
            try {
                long next = rollup.nextBatchIndex().send().longValueExact();
                long fin = rollup.finalizedCount().send().longValueExact();
                boolean frozen = rollup.frozenAt().send().signum() != 0;
                Map<Long, Integer> last = new HashMap<>();
                for (int i = 0; i < posted.size(); i++) last.put(posted.get(i).batch().header().batchIndex(), i);
                return new Standing(next, fin, frozen, posted, last);
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        String of(int posting) {
            long index = posted.get(posting).batch().header().batchIndex();
            if (index >= next || lastPosting.get(index) != posting) return "rejected";
            if (index < finalized) return "final";
            return frozen ? "never-final" : "in-window";
        }
    }

    private static String describe(Verdict v) {
        return switch (v) {
            case Verdict.Honest h -> "honest postRoot=" + h.postRoot();
            case Verdict.WrongPrevRoot w -> "fraud:wrong-prev-root claimed=" + w.claimed() + " actual=" + w.actual();
            case Verdict.Undecodable u -> "fraud:undecodable step=" + u.step() + " offset=" + u.offset() + " reason=\"" + u.reason() + "\"";
            case Verdict.HeaderMismatch m -> "fraud:header-mismatch field=" + m.field() + " claimed=" + m.claimed() + " actual=" + m.actual();
            case Verdict.RejectedStep r -> "fraud:refused-step step=" + r.step() + " reject=" + r.reason();
            case Verdict.WrongPostRoot w -> "fraud:wrong-post-root claimed=" + w.claimed() + " actual=" + w.actual();
        };
    }
}
