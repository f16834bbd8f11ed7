package dev.clearline.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RefusalsTest {
    private final Refusals rollup = new Refusals(Artifacts.onClasspath(), List.of("Rollup"));

    @Test
    void aRevertOfTheRollupsOwnErrorIsNamedWithItsArgumentInFrontOfTheNodesWords() {
        // what the devnet answered the batch poster on a frozen rollup: RollupFrozen(uint64 frozenAt = 1796376391)
        String node = "execution reverted (data \"0xb5ca3037" + "0".repeat(56) + "6b128747\")";
        assertThat(rollup.named(node)).isEqualTo("RollupFrozen(1796376391) (the node: " + node + ")");
    }

    @Test
    void wordsWithoutRevertDataOrWithAnUnknownSelectorAreLeftAsTheyAre() {
        assertThat(rollup.named("nonce too low")).isEqualTo("nonce too low");
        String unknown = "execution reverted (data \"0xdeadbeef\")";
        assertThat(rollup.named(unknown)).isEqualTo(unknown);
        assertThat(rollup.named(null)).isEmpty();
    }

    @Test
    void aKnownSelectorWhoseArgumentsDoNotDecodeIsStillNamed() {
        String cut = "execution reverted (data \"0xb5ca3037\")";
        assertThat(rollup.named(cut)).startsWith("RollupFrozen(uint64) (the node: ");
    }
}
