package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * `deploy` with a key of the test mnemonic (its default) hands governance and the token's mint to
 * a key everyone knows: allowed on development nodes, refused on any other chain.
 */
class PublicKeyDeployTest {
    private static final String DEV_0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    private static final String DEV_19 = "0x8626f6940e2eb28930efb4cef49b2d1f2c9c1199";
    private static final String MINE = "0x1234567890123456789012345678901234567890";

    @Test
    void developmentNodesTakeTheDevKeysWhateverTheirChainId() {
        assertThat(DeployCommand.publicKeyProblem(31337, "Geth/v1.14", DEV_0, Map.of("rollup.governance", DEV_0))).isEmpty();
        assertThat(DeployCommand.publicKeyProblem(1337, "", DEV_0, Map.of())).isEmpty();
        assertThat(DeployCommand.publicKeyProblem(11155111, "Clearline-Devnet/0.1.0", DEV_0, Map.of())).isEmpty();
        assertThat(DeployCommand.publicKeyProblem(10, "HardhatNetwork/2.29.1/@nomicfoundation/edr/0.12", DEV_0, Map.of())).isEmpty();
        assertThat(DeployCommand.publicKeyProblem(1, "anvil/v1.0.0", DEV_0, Map.of())).isEmpty();
    }

    @Test
    void anotherChainRefusesADevDeployerAndADevGovernanceOrMinter() {
        assertThat(DeployCommand.publicKeyProblem(11155111, "Geth/v1.14.11", DEV_0, Map.of("rollup.governance", DEV_0)))
                .hasValueSatisfying(p -> assertThat(p).contains("the deployer " + DEV_0, "publicly known", "chain 11155111", "--key"));
        assertThat(DeployCommand.publicKeyProblem(1, "Geth/v1.14.11", MINE, Map.of("rollup.governance", DEV_19.toUpperCase().replace("0X", "0x"))))
                .hasValueSatisfying(p -> assertThat(p).contains("rollup.governance", "--param rollup.governance="));
        assertThat(DeployCommand.publicKeyProblem(1, "Geth/v1.14.11", MINE, Map.of("rollup.governance", MINE, "collateral.minter", DEV_19)))
                .hasValueSatisfying(p -> assertThat(p).contains("collateral.minter"));
        assertThat(DeployCommand.publicKeyProblem(1, "Geth/v1.14.11", MINE, Map.of("rollup.governance", MINE, "collateral.minter", MINE))).isEmpty();
    }
}
