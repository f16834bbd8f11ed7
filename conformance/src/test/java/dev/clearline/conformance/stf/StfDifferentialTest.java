package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The backbone: random and adversarial transitions against random pre-states, each run through the
 * Java STF and the Solidity step in the embedded EVM, must give the same reject code and the same
 * post-root. A divergence prints its seed and is written, minimised, to test-vectors/stf-steps/.
 */
class StfDifferentialTest {
    private static StepHarness evm;
    private static CaseGenerator generator;
    private static Differential differential;

    @BeforeAll
    static void deploy() {
        evm = new StepHarness();
        generator = new CaseGenerator(Differential.DOMAIN);
        differential = new Differential(evm::step);
    }

    @AfterAll
    static void close() {
        evm.close();
    }

    @Test
    void noDivergenceIsKnownSoEveryDisagreementFails() {
        assertThat(KnownDivergences.entries()).isEmpty();
    }

    @Test
    void javaStfAndSolidityStepAgreeOnEveryRandomTransition() {
        CodeTally tally = new CodeTally();
        Property.forAll(Gens.seeds()).tries(10_000).check(seed -> {
            Differential.Comparison c = differential.run(generator.generate(seed));
            tally.count(c);
            if (!c.agree()) {
                String vector = DivergenceVectors.keep(differential, c);
                throw new AssertionError("Java and Solidity disagree: " + c.describe() + "\nkept as " + vector);
            }
        });
        System.out.println("stf-differential cases=" + tally.cases() + "\n" + tally.table());
        assertThat(tally.missing()).as("reject codes never reached:\n" + tally.table()).isEmpty();
    }
}
