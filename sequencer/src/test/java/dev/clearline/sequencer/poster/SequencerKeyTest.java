package dev.clearline.sequencer.poster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.prover.l1.TxSender;
import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * A rollup that names its sequencer takes that key's batches; a node run with another key is
 * stopped before it bonds (its ether would be locked for batches L1 refuses) with what to do.
 */
@WithDevnet(http = true, parameters = "rollup.sequencer=" + SequencerKeyTest.SEQUENCER)
class SequencerKeyTest {
    /** Dev key 5 of the test mnemonic. */
    static final String SEQUENCER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

    @TempDir
    Path dir;

    @Test
    void aPosterUnderAnotherKeyStopsBeforeBonding_andTheSequencersKeyPosts(DevnetContext l1) throws Exception {
        assertThat(l1.key(5).getAddress()).isEqualToIgnoringCase(SEQUENCER);
        try (L1World w = new L1World(l1, dir)) {
            w.feed().poll();
            w.price(10_000);
            w.cross(1);
            w.seal();

            Credentials other = l1.key(6);
            BatchPoster wrong = w.poster(l1.web3j(), other, TxSender.FeePolicy.defaults());
            assertThatThrownBy(wrong::postAvailable).isInstanceOf(BatchPoster.NotSequencer.class)
                    .hasMessageContaining(SEQUENCER.toLowerCase()).hasMessageContaining(other.getAddress()).hasMessageContaining("set-sequencer");
            assertThat(l1.web3j().ethGetTransactionCount(other.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount())
                    .as("no bond locked, nothing sent").isZero();

            // a node started with that key is refused before it takes an order, in one line
            long chainId = l1.web3j().ethChainId().send().getChainId().longValueExact();
            L1Side.Settings settings = new L1Side.Settings(l1.devnet().rpcUrl(), new dev.clearline.sequencer.poster.Deployment(chainId,
                    w.rollupAddress, w.deployBlock), other, 50, 0);
            assertThatThrownBy(() -> L1Side.start(settings, w.link)).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("takes batches from its sequencer").hasMessageContaining("set-sequencer").hasMessageNotContaining("posting stopped");

            BatchPoster right = w.poster(l1.web3j(), l1.key(5), TxSender.FeePolicy.defaults());
            assertThat(right.postAvailable()).isPositive();
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), other, L1World.GAS);
            assertThat(rollup.nextBatchIndex().send()).isPositive();
            assertThat(rollup.sequencer().send()).isEqualToIgnoringCase(SEQUENCER);
            assertThat(rollup.proposers(other.getAddress()).send().component1()).isEqualTo(BigInteger.ZERO);

            // governance hands the role to another key while this poster runs: it stops as at start, instead of retrying for ever
            L1World.ok(Rollup.load(w.rollupAddress, l1.web3j(), l1.deployer(), L1World.GAS).setSequencer(other.getAddress()).send());
            w.cross(1);
            w.seal();
            assertThatThrownBy(right::postAvailable).isInstanceOf(BatchPoster.NotSequencer.class).hasMessageContaining(other.getAddress());
        }
    }
}
