package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.evm.Address;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** EIP-170: every deployed step contract stays under 24,576 bytes (the families exist for this). */
class StepContractSizeTest {
    private static final int EIP170_LIMIT = 24_576;

    @Test
    void everyDeployedStepContractIsUnderTheEip170Limit() {
        try (StepHarness evm = new StepHarness()) {
            Map<String, Address> deployed = evm.deployed();
            assertThat(deployed.keySet()).containsExactly(StepHarness.CONTRACTS);
            deployed.forEach((name, address) -> assertThat(evm.code(address).length)
                    .as(name + " runtime bytecode").isPositive().isLessThan(EIP170_LIMIT));
        }
    }
}
