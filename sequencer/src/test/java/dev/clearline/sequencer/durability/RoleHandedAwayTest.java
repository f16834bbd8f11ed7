package dev.clearline.sequencer.durability;

import static dev.clearline.sequencer.durability.StackKillTest.await;
import static dev.clearline.sequencer.durability.StackKillTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.utils.Numeric;

/**
 * Governance hands the sequencer role away from a running node and then back. The node's trader
 * API halts new orders while another key is the sequencer, and once the role is back it takes
 * orders again and its poster, started anew, posts the batches sealed meanwhile, with no restart.
 * Before, the node stayed halted until someone restarted it (and in a cluster only the leader's API
 * halted at all).
 */
@WithDevnet(http = true, parameters = "rollup.sequencer=" + WrongOperatorKeyStartTest.SEQUENCER)
class RoleHandedAwayTest {
    private static final String SEQUENCER = WrongOperatorKeyStartTest.SEQUENCER;

    @TempDir
    Path dir;

    @Test
    void theNodeHaltsWhileAnotherKeyIsTheSequencerAndResumesByItselfWhenTheRoleComesBack(DevnetContext l1) throws Exception {
        Path manifest = dir.resolve("deployment.json");
        l1.manifest().write(manifest);
        String rollupAddress = l1.address("Rollup");
        StackKillTest.openDevMarketWithDeposits(l1, rollupAddress, l1.key(1));
        Rollup governance = Rollup.load(rollupAddress, l1.web3j(), l1.deployer(), StackKillTest.GAS);
        String other = l1.key(6).getAddress();
        ChildSequencer node = ChildSequencer.start(dir, 0, "--l1-rpc", l1.devnet().rpcUrl(), "--manifest", manifest.toString(),
                "--operator-key", Numeric.toHexStringNoPrefixZeroPadded(l1.key(5).getEcKeyPair().getPrivateKey(), 64),
                "--dev-oracle", "1=10000", "--l1-interval-ms", "300", "--snapshot-every", "0");
        try {
            await(() -> posted(governance) >= 1, 60, "the node's first batch on L1");
            assertThat(get(node, "/venue").has("halted")).isFalse();

            StackKillTest.ok(governance.setSequencer(other).send());
            // the role watch says so within its 5 s round, and the poster stops on its next post (a batch seals every 2 s)
            await(() -> get(node, "/venue").path("halted").asText().contains("takes orders again by itself")
                    && get(node, "/venue").path("halted").asText().contains("posting stopped"), 60, "the API halted for the role, the poster stopped");
            assertThat(get(node, "/venue").path("halted").asText()).contains("takes batches from its sequencer " + other.toLowerCase(),
                    "takes orders again by itself");
            long whileAway = posted(governance);

            StackKillTest.ok(governance.setSequencer(SEQUENCER).send());
            await(() -> !get(node, "/venue").has("halted"), 60, "the API taking orders again");
            await(() -> posted(governance) > whileAway, 60, "the batches sealed meanwhile posted by a poster started anew");
            assertThat(node.process.isAlive()).isTrue();
            java.nio.file.Files.readAllLines(node.log).stream().filter(l -> l.contains("role") || l.contains("leader_duties") || l.contains("poster_stopped")
                    || l.contains("l1_attached")).forEach(l -> System.out.println("  " + l));
        } finally {
            node.close();
        }
    }

    private static long posted(Rollup rollup) throws Exception {
        return rollup.nextBatchIndex().send().longValueExact();
    }
}
