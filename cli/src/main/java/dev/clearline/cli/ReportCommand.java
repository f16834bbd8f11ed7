package dev.clearline.cli;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.UnreadableBatchException;
import dev.clearline.prover.replay.SignaturesAhead;
import dev.clearline.prover.report.DisputeLog;
import dev.clearline.prover.report.DisputeRecord;
import dev.clearline.prover.report.DisputeRecords;
import dev.clearline.prover.report.HtmlReport;
import dev.clearline.prover.report.TextReport;
import dev.clearline.prover.trace.StepVm;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes the report of one dispute: a self-contained HTML page and a text version. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write a dispute's report: one self-contained HTML page and a text file.",
                "Reads dispute DISPUTE from the DisputeGame's events, replays the disputed batch from L1 and its one-step proof in the embedded EVM, and writes dispute-DISPUTE.html and dispute-DISPUTE.txt."})
final class ReportCommand implements Callable<Integer> {
    private final PrintWriter out;

    @Mixin
    L1Options l1;

    @Option(names = "--dispute-game", description = "Address of the DisputeGame contract. Default: the manifest's DisputeGame.")
    String disputeGame;

    @Option(names = "--out-dir", defaultValue = ".", description = "Directory for the report files. Default: the working directory.")
    Path outDir;

    @Parameters(index = "0", paramLabel = "DISPUTE", description = "The game id (1, 2, ...), as the Challenged event names it.")
    long gameId;

    ReportCommand(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        if (gameId < 1) throw new UserError("DISPUTE is a game id, 1 or more; got " + gameId);
        try (L1Options.Connection c = l1.connect()) {
            String game = c.contract("DisputeGame", disputeGame, "--dispute-game");
            DisputeLog.Game g;
            List<RollupLog.Posted> posted;
            try {
                g = DisputeLog.read(c.web3j(), game, gameId, l1.fromBlock);
                RollupLog log = new RollupLog(c.web3j(), c.rollup().toString());
                posted = log.batches(l1.fromBlock, log.latestBlock());
            } catch (DisputeLog.NoSuchGameException e) {
                throw new UserError(e.getMessage() + " at " + game);
            } catch (UnreadableBatchException e) {
                throw new UserError(e.getMessage() + "; inspect that transaction, it cannot be judged from L1 data");
            } catch (IOException e) {
                throw L1Options.unreachable(c.rpcUrl(), e);
            }
            Eip712 domain = new Eip712(c.chainId(), c.rollup());
            Stf stf = SignaturesAhead.stf(domain);
            DisputeRecord record;
            try (StepVm vm = new StepVm(c.chainId())) {
                record = DisputeRecords.fromL1(g, posted, stf, vm, c.chainId(), domain.domainSeparator().bytes());
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            Path html = outDir.resolve("dispute-" + gameId + ".html");
            Path text = outDir.resolve("dispute-" + gameId + ".txt");
            try {
                Files.createDirectories(outDir);
                Files.writeString(html, HtmlReport.render(record), StandardCharsets.UTF_8);
                Files.writeString(text, TextReport.render(record), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UserError("cannot write the report to " + outDir + " (" + IoProblem.describe(e) + "); pass --out-dir with a directory you can write to", e);
            }
            out.println("dispute=" + gameId + " batch=" + record.batchIndex() + " step=" + record.disputedStep() + " verdict=\"" + record.verdict()
                    + "\" html=" + html + " text=" + text);
            return 0;
        }
    }
}
