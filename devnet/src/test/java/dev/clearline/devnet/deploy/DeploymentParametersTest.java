package dev.clearline.devnet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Address parameters are checked before anything is deployed: a typo in one would be on chain for good. */
class DeploymentParametersTest {
    static final String DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    @Test
    void anAddressParameterThatIsNoneOrMistypedIsRefusedByName() {
        assertThatThrownBy(() -> DeploymentParameters.defaults(DEPLOYER, Map.of("rollup.sequencer", "0x1234")))
                .hasMessageContaining("rollup.sequencer=0x1234 is not an address").hasMessageContaining("0x0 opens posting");
        assertThatThrownBy(() -> DeploymentParameters.defaults(DEPLOYER, Map.of("rollup.governance", "hello")))
                .hasMessageContaining("rollup.governance=hello is not an address").hasMessageNotContaining("radix");
        // the checksum's capitals with one letter's case flipped: a mistyped address, caught as wallets catch it
        assertThatThrownBy(() -> DeploymentParameters.defaults(DEPLOYER, Map.of("rollup.sequencer", "0x70997970C51812dc3A010C7d01b50e0d17dc79c8")))
                .hasMessageContaining("wrong EIP-55 checksum");
        assertThatThrownBy(() -> DeploymentParameters.defaults(DEPLOYER, Map.of("rollup.governance", "0x" + "0".repeat(40))))
                .hasMessageContaining("rollup.governance cannot be the zero address");
    }

    @Test
    void wellFormedAddressesAreKeptInLowerCase_andTheSequencerMayBeZero() {
        DeploymentParameters p = DeploymentParameters.defaults(DEPLOYER, Map.of("rollup.sequencer", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));
        assertThat(p.get("rollup.sequencer")).isEqualTo("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
        assertThat(p.get("rollup.governance")).isEqualTo(DEPLOYER.toLowerCase());
        assertThat(DeploymentParameters.defaults(DEPLOYER, Map.of("rollup.sequencer", "0x0")).get("rollup.sequencer")).isEqualTo("0x" + "0".repeat(40));
        assertThat(DeploymentParameters.defaults(DEPLOYER, Map.of()).get("rollup.sequencer")).as("the deployer by default").isEqualTo(DEPLOYER.toLowerCase());
    }
}
