package dev.clearline.cli;

import dev.clearline.prover.replay.VerdictText;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    VerifyBatchCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (batch < 0) throw new UserError("batch index must be 0 or more, got " + batch);
        try (L1Options.Connection c = l1.connect()) {
            BatchReplay.Found f = BatchReplay.upTo(c, l1.fromBlock, batch, err, System::nanoTime);
            out.println("batch=" + batch + " block=" + f.posted().blockNumber() + " tx=" + f.posted().transactionHash()
                    + " transitions=" + f.posted().batch().header().transitionCount() + " verdict=" + VerdictText.of(f.verdict()));
            return f.verdict().honest() ? 0 : VerifyBatchesCommand.FRAUD_FOUND;
        }
    }
}
