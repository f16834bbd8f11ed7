package dev.clearline.cli;

import static dev.clearline.cli.HonestRunTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.exchange.MarketBooks;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.Genesis;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack stopped and started again on the same chain and directory: its watcher keeps its
 * replay in RocksDB under the stack's directory, so the restarted one resumes after the last batch
 * it judged (nothing is judged twice) and judges the batches posted since. A stack whose sequencer log
 * was written with other settings (an earlier build's) refuses to start and says what differs. A
 * stack started on a new chain does not take the old chain's judgements for its own.
 */
class StackRestartTest {
    @TempDir
    Path tmp;

    @Test
    void aRestartedStackResumesItsWatcherWhereItStopped() throws Exception {
        NodeOptions n = FastDevnet.options();
        LocalStack.Settings settings = new LocalStack.Settings(tmp.resolve("stack"), "127.0.0.1", 0, false, 1_000);
        long judgedFirst;
        try (Devnet devnet = n.start()) {
            Manifest manifest = deploy(devnet, tmp.resolve("deployment.json"));
            LocalStack first = LocalStack.start(devnet, manifest, settings);
            try {
                await(() -> first.verifiedHonest() >= 2, 90, "two batches judged");
                assertThat(first.resumed()).isFalse();
                assertThat(first.yourL1Collateral()).as("key 2's collateral, minted on a new chain").isEqualTo(LocalStack.YOUR_COLLATERAL);
            } finally {
                first.close();
            }
            judgedFirst = first.verifiedHonest();
            assertThat(first.judgedThisRun()).isEqualTo(judgedFirst);
            assertThat(Files.isDirectory(settings.dir().resolve("watcher"))).as("the watcher's store under the stack's directory").isTrue();

            LocalStack again = LocalStack.start(devnet, manifest, settings);
            try {
                await(() -> again.judgedThisRun() >= 1, 90, "a batch posted after the restart judged");
                assertThat(again.resumed()).as("the chain continues: nothing seeded again").isTrue();
                assertThat(again.yourL1Collateral()).as("not minted twice").isEqualTo(LocalStack.YOUR_COLLATERAL);
                assertThat(again.batchesOnL1()).as("L1's count holds the earlier run's batches, the poster's only its own")
                        .isGreaterThan(again.batchesPosted());
            } finally {
                again.close();
            }
            assertThat(again.verifiedFraud()).isZero();
            assertThat(again.verifiedHonest()).as("the earlier run's batches counted from the store, not judged again")
                    .isEqualTo(judgedFirst + again.judgedThisRun());
            assertThat(again.judgedThisRun()).isLessThan(again.verifiedHonest());

            // The same chain, its sequencer's log written with other book settings (as by an earlier build): the
            // stack refuses at start with what differs and what to do, instead of saying it is up and answering nothing.
            Path seqDir = settings.dir().resolve("sequencer");
            LocalStack.deleteTree(seqDir);
            Genesis ours = Genesis.devnet(Address.fromHex(manifest.address("Rollup")));
            Genesis earlier = new Genesis(devnet.chainId(), ours.verifyingContract(),
                    new MarketBooks(1 << 16, ours.books().maxSizeLots(), ours.books().capacity()), new BatchPolicy(BatchPolicy.POOLED_TRANSITIONS, 2));
            try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(seqDir, earlier), new NativeSecp256k1Verifier());
                 Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), earlier.domain(), new NativeSecp256k1Verifier(), 1)) {
                gateway.query(Command.QueryKind.STATE, 0, null, null).get(60, TimeUnit.SECONDS); // its log holds its settings
            }
            assertThatThrownBy(() -> LocalStack.start(devnet, manifest, settings).close())
                    .isInstanceOf(UserError.class)
                    .hasMessageContaining("cannot continue this chain")
                    .hasMessageContaining("books.maxPriceTicks: the cluster's log has 65536")
                    .hasMessageContaining("start a fresh local stack");
        }

        // A new chain, the same directory: the store of the old chain is not resumed.
        try (Devnet devnet = n.start()) {
            Manifest manifest = deploy(devnet, tmp.resolve("deployment.json"));
            LocalStack fresh = LocalStack.start(devnet, manifest, settings);
            try {
                await(() -> fresh.verifiedHonest() >= 1, 90, "a batch of the new chain judged");
                assertThat(fresh.resumed()).isFalse();
            } finally {
                fresh.close();
            }
            assertThat(fresh.verifiedHonest()).as("only the new chain's batches").isEqualTo(fresh.judgedThisRun());
            assertThat(fresh.verifiedFraud()).isZero();
        }
    }

    private static Manifest deploy(Devnet devnet, Path manifestFile) throws Exception {
        StringWriter log = new StringWriter();
        assertThat(DeployCommand.deploy(devnet.web3jService(), devnet.accounts().first(), manifestFile, true, 1, Duration.ofSeconds(60), LocalStack.deploymentParameters(devnet, Map.of()),
                new PrintWriter(log, true), new PrintWriter(log, true))).as(log.toString()).isZero();
        return Manifest.read(manifestFile).orElseThrow();
    }
}
