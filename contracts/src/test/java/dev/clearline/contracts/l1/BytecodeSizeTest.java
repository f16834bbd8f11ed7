package dev.clearline.contracts.l1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.Artifacts;
import java.util.List;
import org.junit.jupiter.api.Test;

/** EIP-170: every deployed contract of the L1 set stays under 24,576 bytes of runtime code. */
class BytecodeSizeTest {
    static final int LIMIT = 24_576;

    @Test
    void test_everyL1Contract_isUnderTheCodeSizeLimit() {
        Artifacts artifacts = Artifacts.onClasspath();
        for (String name : List.of("Rollup", "DisputeGame", "EscapeHatch", "TestCollateral")) {
            assertThat(artifacts.load(name).deployedBytecode().length).as(name + " runtime bytes").isLessThan(LIMIT);
        }
    }
}
