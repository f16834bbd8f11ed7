package dev.clearline.cli;

import dev.clearline.prover.trace.StepCase;
import dev.clearline.prover.trace.StepCases;
import dev.clearline.prover.trace.StepTrace;
import dev.clearline.prover.trace.StepVm;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes the one-step trace of transition STEP of batch N (docs/trace-format.md). */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Trace one transition's one-step proof in the embedded EVM, as JSON.",
                "Replays batch N from L1, builds the one-step witness of its transition STEP (0-based), runs it through the Solidity StepVerifier in the embedded EVM, and writes the opcode steps and call tree as JSON (docs/trace-format.md)."})
final class TraceCommand implements Callable<Integer> {
    private final PrintWriter out;
    private final PrintWriter err;

    @Mixin
    L1Options l1;

    @Parameters(index = "0", paramLabel = "N", description = "The batch index.")
    long batch;

    @Parameters(index = "1", paramLabel = "STEP", description = "The transition's index in the batch, from 0.")
    int step;

    @Option(names = "--out", description = "Where to write the trace. Default: trace-N-STEP.json in the working directory.")
    Path outFile;

    TraceCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (batch < 0) throw UserError.usage("batch index must be 0 or more, got " + batch);
        if (step < 0) throw UserError.usage("STEP must be 0 or more, got " + step);
        Path file = outFile != null ? outFile : Path.of("trace-" + batch + "-" + step + ".json");
        try (L1Options.Connection c = l1.connect()) {
            ReplayToBatch.Found f = ReplayToBatch.upTo(c, l1.fromBlock, batch, err, System::nanoTime);
            int count = f.posted().batch().header().transitionCount();
            if (step >= count) {
                throw new UserError("batch " + batch + " has " + count + " transitions (STEP 0 to " + (count - 1) + "), not a step " + step);
            }
            StepCase sc = new StepCases(f.stf()).of(f.nodes(), f.preVersion(), f.posted().batch(), step);
            StepTrace trace;
            try (StepVm vm = new StepVm(c.chainId())) {
                trace = StepTrace.of(vm, c.chainId(), f.domain().domainSeparator().bytes(), sc);
            }
            Files.writeString(file, trace.toJson(), StandardCharsets.UTF_8);
            out.println("batch=" + batch + " step=" + step + " transition=" + StepTrace.describeTransition(sc.transition()).path("name").asText()
                    + " java=" + StepTrace.codeName(trace.javaCode())
                    + " solidity=" + trace.solidityCode().map(StepTrace::codeName).orElse("reverted")
                    + " agree=" + trace.agree() + " gas=" + trace.run().gasUsed() + " steps=" + trace.run().steps().structLogs().size()
                    + " trace=" + file);
            return 0;
        } catch (IOException e) {
            throw new UserError("cannot write the trace to " + file + " (" + IoProblem.describe(e) + "); pass --out with a path you can write to", e);
        }
    }
}
