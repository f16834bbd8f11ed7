package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The devnet's durability promise: the state is written every {@link DevnetNode#COMMIT_EVERY_BLOCKS}
 * blocks and on a clean stop, the chain file every block, so a devnet killed mid-run reopens at
 * its last block by re-executing the blocks its state database had not yet seen.
 */
class KilledNodeReopensTest {
    @TempDir
    Path dir;

    @Test
    void aKilledDevnetReopensAtItsLastBlockWithTheSameState() throws Exception {
        int transfers = DevnetNode.COMMIT_EVERY_BLOCKS + 10; // one state write, then ten blocks only in the chain file
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), NodeToKill.class.getName(),
                dir.toString(), Integer.toString(transfers))).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        // a child that hangs would block readLine forever: after two minutes it is killed, which ends its output
        java.util.concurrent.CompletableFuture.delayedExecutor(120, TimeUnit.SECONDS).execute(child::destroyForcibly);
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("mined "));
        } finally {
            child.destroyForcibly(); // SIGKILL: no close, no shutdown hook
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(line).as("the child devnet's report (none within 120 s, or it died first)").isNotNull();
        String[] mined = line.split(" ");
        long height = Long.parseLong(mined[1]);
        assertThat(height).isEqualTo(transfers);

        NodeConfig config = NodeConfig.defaults(() -> 1_700_000_000L).withDataDir(dir);
        try (Devnet again = Devnet.inProcess(config)) {
            DevnetNode node = again.node();
            assertThat(node.blockNumber()).isEqualTo(height);
            assertThat(node.head().hash()).isEqualTo(mined[2]);
            assertThat(node.balance(NodeToKill.BOB, height)).isEqualTo(new BigInteger(mined[3]));
            assertThat(node.balance(NodeToKill.BOB, 3)).isEqualTo(BigInteger.valueOf(3)); // an old block's state, replayed
            // the state edits re-applied where they were made: after block n - 2 (the state at a block includes the
            // edits made while it was the head) and after the last block
            assertThat(node.balance(NodeToKill.CAROL, height)).isEqualTo(BigInteger.valueOf(7));
            assertThat(node.balance(NodeToKill.CAROL, height - 1)).isEqualTo(BigInteger.valueOf(5));
            assertThat(node.balance(NodeToKill.CAROL, height - 2)).isEqualTo(BigInteger.valueOf(5));
            assertThat(node.balance(NodeToKill.CAROL, height - 3)).isZero();
            assertThat(node.repair()).hasValueSatisfying(note -> assertThat(note).contains("re-executed"));
            assertThat(node.sendRawTransaction(NodeToKill.oneWei(again.accounts().first(), transfers))).isInstanceOf(Outcome.Done.class);
        }
        try (Devnet third = Devnet.inProcess(config)) {
            assertThat(third.node().blockNumber()).isEqualTo(height + 1);
            assertThat(third.node().repair()).as("a clean close wrote the state").isEmpty();
            assertThat(third.node().balance(NodeToKill.BOB, height + 1)).isEqualTo(new BigInteger(mined[3]).add(BigInteger.ONE));
        }
    }
}
