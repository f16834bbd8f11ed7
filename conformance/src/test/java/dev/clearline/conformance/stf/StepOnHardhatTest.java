package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.compat.HardhatNode;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A second EVM: differential cases also run on Hardhat's node through eth_call must give exactly
 * what the embedded EVM gives (reject code, post-root, priority result, or the same named revert);
 * a divergence here is a bug in one of the EVMs or in our use of them.
 */
class StepOnHardhatTest {
    private static HardhatNode node;
    private static StepHarness evm;
    private static HardhatStepRunner hardhat;

    @BeforeAll
    static void start() throws Exception {
        node = HardhatNode.start();
        evm = new StepHarness();
        hardhat = new HardhatStepRunner(node.url(), evm);
    }

    @AfterAll
    static void stop() {
        if (evm != null) evm.close();
        if (node != null) node.close();
    }

    @Test
    void hardhatsEvmGivesTheEmbeddedEvmsResultOnEveryDifferentialCase() {
        CaseGenerator generator = new CaseGenerator(Differential.DOMAIN);
        Differential embedded = new Differential(evm::step);
        AtomicInteger applied = new AtomicInteger();
        Property.forAll(Gens.seeds()).tries(600).check(seed -> {
            Differential.Comparison c = embedded.run(generator.generate(seed));
            StepHarness.Outcome there = hardhat.step(c.preRoot(), c.c().transition(), c.witness(), c.c().batchIndex(),
                    Differential.DOMAIN.domainSeparator().bytes());
            StepHarness.Outcome here = c.solidity();
            if (here.reverted()) {
                assertThat(there.revert()).as(c.describe()).isEqualTo(here.revert());
            } else {
                assertThat(there.reverted()).as(c.describe() + " hardhat: " + there.revert()).isFalse();
                assertThat(there.result().reject()).as(c.describe()).isEqualTo(here.result().reject());
                assertThat(there.result().postRoot()).as(c.describe()).isEqualTo(here.result().postRoot());
                assertThat(there.result().priorityConsumed()).isEqualTo(here.result().priorityConsumed());
                assertThat(there.result().priorityIndex()).isEqualTo(here.result().priorityIndex());
                assertThat(there.result().priorityHash()).isEqualTo(here.result().priorityHash());
                if (here.result().reject() == 0) applied.incrementAndGet();
            }
        });
        assertThat(applied.get()).as("applied cases among the sample").isGreaterThan(100);
    }
}
