package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.conformance.DeployedOnce;
import dev.clearline.contracts.mutation.MutantArtifacts;
import dev.clearline.testkit.property.Gens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.LongFunction;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The backbone: random and adversarial transitions against random pre-states, each run through the
 * Java STF and the Solidity step in the embedded EVM, must give the same reject code and the same
 * post-root. A divergence prints its seed and is written, minimised, to test-vectors/stf-steps/.
 */
@ExtendWith(DeployedOnce.class)
class StfDifferentialTest {
    private final CaseGenerator generator = new CaseGenerator(Differential.DOMAIN);
    private final Differential differential;

    StfDifferentialTest(Differential differential) {
        this.differential = differential;
    }

    /** The table as bench-results/stf-outcomes.md, which the README's table is taken from. */
    private static void writeOutcomes(CodeTally tally) {
        try {
            Path dir = DivergenceVectors.DIR.getParent().getParent().resolve("bench-results");
            if (!Files.isDirectory(dir) || System.getProperty(MutantArtifacts.PROPERTY) != null) return;
            Path file = dir.resolve("stf-outcomes.md");
            String report = tally.report("STF outcomes per transition type (CI differential run)",
                    "./mvnw -B -q -pl conformance verify -Dtest=StfDifferentialTest",
                    "date: " + Instant.now() + ", cases: " + tally.cases() + " (part of `./clearline test`; testkit harness, seeds from"
                            + " the property's name, so every run counts the same cases)");
            // the seeds are fixed, so a run usually counts what the checked-in file says: rewriting it only
            // for a new date would leave every full run's checkout modified
            if (Files.exists(file) && withoutDate(Files.readString(file)).equals(withoutDate(report))) return;
            Files.writeString(file, report);
        } catch (IOException e) {
            System.out.println("stf-outcomes not written: " + e.getMessage());
        }
    }

    private static String withoutDate(String report) {
        return report.replaceAll("date: [^,]*,", "date: -,");
    }

    @Test
    void noDivergenceIsKnownSoEveryDisagreementFails() {
        assertThat(KnownDivergences.entries()).isEmpty();
    }

    @Test
    void javaStfAndSolidityStepAgreeOnEveryRandomTransition() {
        CodeTally tally = agreeOn(Property.forAll(Gens.seeds()).tries(10_000), generator::generate, "");
        writeOutcomes(tally);
        assertThat(tally.missing()).as("reject codes never reached:\n" + tally.table()).isEmpty();
        assertThat(tally.unexpected()).as("codes a type should never end in:\n" + tally.table()).isEmpty();
    }

    /**
     * Fills that reach the margin checks (CaseGenerator.generateFill): both sides agree on each, and
     * the run holds applied fills, margin refusals and reduce-only refusals, so the edges it puts
     * quotes on are really met.
     */
    @Test
    void javaStfAndSolidityStepAgreeOnFillsAtTheMarginEdges() {
        CodeTally tally = agreeOn(Property.forAll(Gens.seeds()).tries(1_500), generator::generateFill, "fills");
        assertThat(tally.table()).contains("APPLIED", "INSUFFICIENT_MARGIN", "REDUCE_ONLY_WOULD_INCREASE", "OVERFLOW");
    }

    /**
     * Releases and allocations at the edge of what the Java STF allows, or one past it
     * (CaseGenerator.generateMarginMove): both sides agree on each, and the run holds applied moves,
     * margin, balance and overflow refusals, so the edges are really met.
     */
    @Test
    void javaStfAndSolidityStepAgreeOnMarginMovesAtTheirEdges() {
        CodeTally tally = agreeOn(Property.forAll(Gens.seeds()).tries(600), generator::generateMarginMove, "margin moves");
        assertThat(tally.table()).contains("APPLIED", "INSUFFICIENT_MARGIN", "INSUFFICIENT_BALANCE", "OVERFLOW", "NO_MARK_PRICE");
    }

    /**
     * Runs the cases of {@code seeds} (made in the test method, so that the seeds and the replay
     * command are that method's) through both sides; the first disagreement fails, printed with its
     * seed and kept, minimised, as a vector. Returns the outcomes by type, printed under {@code kind}.
     */
    private CodeTally agreeOn(Property<Long> seeds, LongFunction<StepCase> cases, String kind) {
        CodeTally tally = new CodeTally();
        seeds.check(seed -> {
            Differential.Comparison c = differential.run(cases.apply(seed));
            tally.count(c);
            if (!c.agree()) {
                String vector = DivergenceVectors.keep(differential, c);
                throw new AssertionError("Java and Solidity disagree" + (kind.isEmpty() ? "" : " (" + kind + ")") + ": " + c.describe()
                        + "\nkept as " + vector);
            }
        });
        System.out.println("stf-differential " + (kind.isEmpty() ? "" : kind + " ") + "cases=" + tally.cases() + "\n" + tally.table());
        return tally;
    }
}
