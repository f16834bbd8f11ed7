package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.stf.RiskOverflowCases;
import dev.clearline.engine.transition.TransitionCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The int64 exits of Liquidate and Deleverage ({@link RiskOverflowCases}: states made for each, since
 * random cases seldom come near 2^63): the Solidity step refuses with OVERFLOW where the Java STF
 * does, leaves the root, and applies the same steps with room to spare to the same root.
 */
class RiskOverflowTest {
    private static StepHarness evm;
    private static Differential differential;

    @BeforeAll
    static void deploy() {
        evm = new StepHarness();
        differential = new Differential(evm::step);
    }

    @AfterAll
    static void close() {
        evm.close();
    }

    @Test
    void javaAndSolidityAgreeAtEveryExit() {
        for (RiskOverflowCases.Case k : RiskOverflowCases.all()) {
            Differential.Comparison c = differential.run(new StepCase(1, k.leaves(), TransitionCodec.encode(k.transition()), 0));
            assertThat(c.agree()).as("%s: %s", k.name(), c.describe()).isTrue();
            assertThat(c.javaCode()).as(k.name()).isEqualTo(k.expected() == null ? 0 : k.expected().code());
            if (k.expected() != null) assertThat(c.javaRoot()).as("%s leaves the root", k.name()).isEqualTo(c.preRoot());
        }
    }
}
