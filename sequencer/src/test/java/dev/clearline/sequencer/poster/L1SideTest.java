package dev.clearline.sequencer.poster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * The node's L1 side from the settings a node starts with: what its checks before a start find
 * and refuse (each refusal names the setting to fix), the manifest it reads, and the loop it
 * starts posting the sequencer's batches until it is closed.
 */
@WithDevnet(http = true)
class L1SideTest {
    @TempDir
    Path dir;

    @Test
    void preflightReadsTheRollupsForceDelayAndTheChainsSpeed(DevnetContext l1) throws Exception {
        L1Side.Found found = L1Side.preflight(settings(l1, new Deployment(chainId(l1), l1.address("Rollup"), l1.manifest().blockNumber())));
        assertThat(found.forceDelaySeconds()).isEqualTo(Long.parseLong(l1.manifest().parameters().get("rollup.forceDelay")));
        assertThat(found.timeSpeed()).as("the devnet of the tests runs at real time").isEqualTo(1);
    }

    @Test
    void aManifestOfAnotherChainOrWithoutItsRollupIsRefusedWithWhatToPass(DevnetContext l1) throws Exception {
        long chain = chainId(l1);
        assertThatThrownBy(() -> L1Side.preflight(settings(l1, new Deployment(chain + 1, l1.address("Rollup"), 0))))
                .isInstanceOf(IOException.class)
                .hasMessage("the L1 RPC at " + l1.devnet().rpcUrl() + " serves chain " + chain + " but the manifest was deployed on chain "
                        + (chain + 1) + "; pass the manifest of this chain");
        String nothing = "0x00000000000000000000000000000000000000aa";
        assertThatThrownBy(() -> L1Side.preflight(settings(l1, new Deployment(chain, nothing, 0))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no contract at the manifest's Rollup " + nothing).hasMessageContaining("deploy again");
    }

    @Test
    void anEndpointThatDoesNotAnswerIsToldApartFromAWrongSetting(DevnetContext l1) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        L1Side.Settings s = new L1Side.Settings(url, new Deployment(chainId(l1), l1.address("Rollup"), 0), l1.key(5), 50, 0);
        assertThatThrownBy(() -> L1Side.preflight(s)).isInstanceOf(L1Side.Unreachable.class)
                .hasMessageStartingWith("the L1 RPC at " + url + " does not answer").hasMessageEndingWith("is the node running?");
    }

    @Test
    void confirmationsUnsetAreNoneOnADevelopmentNodeAndAChoiceElsewhere() throws Exception {
        assertThat(L1Side.confirmations(L1Side.CONFIRMATIONS_UNSET, true, 31337)).isZero();
        assertThat(L1Side.confirmations(12, true, 31337)).isEqualTo(12);
        assertThat(L1Side.confirmations(0, false, 1)).as("an explicit 0 is the operator's call").isZero();
        assertThatThrownBy(() -> L1Side.confirmations(L1Side.CONFIRMATIONS_UNSET, false, 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("chain 1 is not a development node").hasMessageContaining("--confirmations N");
    }

    @Test
    void theManifestGivesTheChainTheRollupAndItsBlock_andEachFaultOfItSaysWhatToDo(DevnetContext l1) throws Exception {
        Path file = dir.resolve("deployment.json");
        l1.manifest().write(file);
        assertThat(Deployment.read(file)).isEqualTo(new Deployment(l1.manifest().chainId(), l1.address("Rollup"), l1.manifest().blockNumber()));

        assertThatThrownBy(() -> Deployment.read(dir.resolve("missing.json"))).hasMessageContaining("no deployment manifest at")
                .hasMessageContaining("./clearline deploy");
        Files.writeString(file, "{not json");
        assertThatThrownBy(() -> Deployment.read(file)).hasMessageContaining("is not valid JSON");
        Files.writeString(file, "{\"chainId\": \"x\", \"blockNumber\": 1}");
        assertThatThrownBy(() -> Deployment.read(file)).hasMessageContaining("has no numeric chainId and blockNumber");
        Files.writeString(file, "{\"chainId\": 1, \"blockNumber\": 1, \"contracts\": [{\"name\": \"Rollup\", \"address\": \"0x12\"},"
                + " {\"name\": \"EscapeHatch\", \"address\": \"0x" + "1".repeat(40) + "\"}]}");
        assertThatThrownBy(() -> Deployment.read(file)).hasMessageContaining("names no Rollup contract");
    }

    @Test
    void aStartedSidePostsTheSequencersBatchesInItsRoundsUntilClosed(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            w.sealFirstBatch();
            Credentials operator = l1.key(5);
            L1Side side = L1Side.start(settings(l1, new Deployment(chainId(l1), w.rollupAddress, w.deployBlock), operator), w.link);
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
            try {
                long deadline = System.nanoTime() + 30_000_000_000L;
                // a round is counted once done: the one that posts ends after the post
                while ((rollup.nextBatchIndex().send().signum() == 0 || side.loop().rounds() == 0) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(rollup.nextBatchIndex().send().longValueExact()).as("the first batch posted by the loop").isEqualTo(1);
                assertThat(side.loop().rounds()).isPositive();
                assertThat(side.loop().poster().sender().address()).isEqualToIgnoringCase(operator.getAddress());
                assertThat(side.loop().stoppedBecause()).isEmpty();
            } finally {
                side.close();
            }
            long rounds = side.loop().rounds();
            Thread.sleep(200); // four of its 50 ms intervals: a loop still running would count rounds
            assertThat(side.loop().rounds()).as("closed: no more rounds").isEqualTo(rounds);
        }
    }

    private static L1Side.Settings settings(DevnetContext l1, Deployment d) {
        return settings(l1, d, l1.key(5));
    }

    private static L1Side.Settings settings(DevnetContext l1, Deployment d, Credentials operator) {
        return new L1Side.Settings(l1.devnet().rpcUrl(), d, operator, 50, 0);
    }

    private static long chainId(DevnetContext l1) throws IOException {
        return l1.web3j().ethChainId().send().getChainId().longValueExact();
    }
}
