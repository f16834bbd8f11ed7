package dev.clearline.cli;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.l1.UnreadableBatchException;
import dev.clearline.prover.replay.LoggingReplayListener;
import dev.clearline.prover.replay.ReplayListener;
import dev.clearline.prover.replay.Replayer;
import dev.clearline.prover.replay.RpcL1Source;
import dev.clearline.prover.replay.SignaturesAhead;
import dev.clearline.prover.replay.VerdictText;
import dev.clearline.prover.store.BatchRecord;
import dev.clearline.prover.store.ReplayStore;
import dev.clearline.prover.store.StoreMismatchException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The verdict of one batch, rebuilt from L1 alone. Exit code 0 honest, 3 fraud. */
@Command(name = "verify-batch", mixinStandardHelpOptions = true,
        description = {"Replay the rollup's batches from L1 up to batch N and print its verdict (the last posting of N, if it was posted again).",
                "Exit code 0: honest; 3: fraud (the verdict says where)."})
final class VerifyBatchCommand implements Callable<Integer> {
    private final PrintWriter out;
    private final PrintWriter err;

    @Mixin
    L1Options l1;

    @Parameters(index = "0", paramLabel = "N", description = "The batch index.")
    long batch;

    @Option(names = "--data-dir", description = "Keep the replayed state and progress in RocksDB here: a later run resumes "
            + "where this one stopped instead of replaying from genesis, and follows L1 reorgs. Default: replay in memory.")
    Path dataDir;

    VerifyBatchCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (batch < 0) throw new UserError("batch index must be 0 or more, got " + batch);
        try (L1Options.Connection c = l1.connect()) {
            if (dataDir != null) return persistent(c);
            ReplayToBatch.Found f = ReplayToBatch.upTo(c, l1.fromBlock, batch, err, System::nanoTime);
            out.println("batch=" + batch + " block=" + f.posted().blockNumber() + " tx=" + f.posted().transactionHash()
                    + " transitions=" + f.posted().batch().header().transitionCount() + " verdict=" + VerdictText.of(f.verdict()));
            return f.verdict().honest() ? 0 : VerifyBatchesCommand.FRAUD_FOUND;
        }
    }

    /** Replays what is new on L1 into the store at --data-dir, then reads the batch's verdict from it. */
    private int persistent(L1Options.Connection c) {
        Stf stf = SignaturesAhead.stf(new Eip712(c.chainId(), c.rollup()));
        String deployment = "chain=" + c.chainId() + " rollup=" + c.rollup();
        try (ReplayStore store = ReplayStore.open(dataDir, deployment)) {
            long[] lastReport = {System.nanoTime()};
            ReplayListener progress = new ReplayListener() {
                private final LoggingReplayListener log = new LoggingReplayListener();

                @Override
                public void judged(BatchRecord b) {
                    log.judged(b);
                }

                @Override
                public void reorg(long lostBlock, long forkBlock) {
                    log.reorg(lostBlock, forkBlock);
                }

                @Override
                public void progress(long block, long head, long batches) {
                    long now = System.nanoTime();
                    if (now - lastReport[0] >= 1_000_000_000L && block < head) {
                        err.println("replay: block " + block + " of " + head + ", " + batches + " batches judged");
                        err.flush();
                        lastReport[0] = now;
                    }
                }
            };
            Replayer replayer = new Replayer(new RpcL1Source(c.web3j(), c.rollup().toString()), store, stf,
                    new Replayer.Settings(l1.fromBlock, 2_000, 128), progress);
            Replayer.Poll poll = replayer.poll();
            BatchRecord r = store.batch(batch).orElseThrow(() -> {
                long highest = store.batches().stream().mapToLong(BatchRecord::batchIndex).max().orElse(-1);
                return new UserError("batch " + batch + " does not exist: " + (highest < 0 ? "the rollup at " + c.rollup() + " has no batches yet"
                        : "the rollup at " + c.rollup() + " holds batches 0 to " + highest));
            });
            out.println("batch=" + batch + " block=" + r.block() + " tx=" + r.transactionHash() + " verdict=" + r.verdict()
                    + " replayed=" + poll.batchesJudged() + " store=" + dataDir);
            return r.honest() ? 0 : VerifyBatchesCommand.FRAUD_FOUND;
        } catch (StoreMismatchException e) {
            throw new UserError(e.getMessage());
        } catch (UnreadableBatchException e) {
            throw new UserError(e.getMessage() + "; inspect that transaction, it cannot be judged from L1 data");
        } catch (IOException e) {
            throw L1Options.unreachable(c.rpcUrl(), e);
        }
    }
}
