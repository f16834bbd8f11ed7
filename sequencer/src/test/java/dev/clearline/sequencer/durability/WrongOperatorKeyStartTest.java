package dev.clearline.sequencer.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.utils.Numeric;

/**
 * A node whose L1 settings cannot work is refused before its log and its trader API start: a key the
 * rollup does not take batches from (before, the refusal came after the API listened, and in a
 * cluster every leader retried it while its API took orders no batch could ever carry), or batches
 * sealing too slowly for the rollup's force delay.
 */
@WithDevnet(http = true, parameters = "rollup.sequencer=" + WrongOperatorKeyStartTest.SEQUENCER)
class WrongOperatorKeyStartTest {
    /** Dev key 5 of the test mnemonic. */
    static final String SEQUENCER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

    @TempDir
    Path dir;

    @Test
    void aKeyThatIsNotTheSequencerEndsTheStartBeforeTheLogOrTheApi(DevnetContext l1) throws Exception {
        Path manifest = dir.resolve("deployment.json");
        l1.manifest().write(manifest);
        String other = Numeric.toHexStringNoPrefixZeroPadded(l1.key(6).getEcKeyPair().getPrivateKey(), 64);
        assertThatThrownBy(() -> ChildSequencer.start(dir, 0, "--l1-rpc", l1.devnet().rpcUrl(), "--manifest", manifest.toString(),
                "--operator-key", other))
                .hasMessageContaining("exited with 2")
                .hasMessageContaining("takes batches from its sequencer " + SEQUENCER.toLowerCase())
                .hasMessageContaining("set-sequencer " + l1.key(6).getAddress())
                .hasMessageContaining("and start the node again")
                .hasMessageNotContaining("SEQUENCER_READY")
                .hasMessageNotContaining("Exception");
        assertThat(Files.exists(dir.resolve("node"))).as("no log directory: the node never started").isFalse();
        assertThat(l1.web3j().ethGetTransactionCount(l1.key(6).getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount())
                .as("nothing sent, no bond").isZero();
    }

    @Test
    void batchesThatSealTooSlowlyForTheForceDelayEndTheStartWithTheLongestThatFits(DevnetContext l1) throws Exception {
        Path manifest = dir.resolve("deployment.json");
        l1.manifest().write(manifest);
        String sequencer = Numeric.toHexStringNoPrefixZeroPadded(l1.key(5).getEcKeyPair().getPrivateKey(), 64);
        // the deployment's force delay is 1800 s: a batch open for 1000 s lets another proposer post ahead of the node
        assertThatThrownBy(() -> ChildSequencer.start(dir, 1, "--l1-rpc", l1.devnet().rpcUrl(), "--manifest", manifest.toString(),
                "--operator-key", sequencer, "--batch-seconds", "1000"))
                .hasMessageContaining("exited with 2")
                .hasMessageContaining("force delay is 1800 s")
                .hasMessageContaining("pass --batch-seconds 898 or less (448 or less keeps a margin)")
                .hasMessageNotContaining("SEQUENCER_READY");
        assertThat(Files.exists(dir.resolve("node"))).as("no log directory: the node never started").isFalse();
    }
}
