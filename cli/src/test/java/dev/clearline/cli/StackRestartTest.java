package dev.clearline.cli;

import static dev.clearline.cli.HonestRunTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.deploy.Manifest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack stopped and started again on the same chain and directory: its watcher keeps its
 * replay in RocksDB under the stack's directory, so the restarted one resumes after the last batch
 * it judged (nothing is judged twice) and judges the batches posted since. A stack started on a new
 * chain does not take the old chain's judgements for its own.
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
        assertThat(DeployCommand.deploy(devnet.web3jService(), devnet.accounts().first(), manifestFile, true, 1, Duration.ofSeconds(60), Map.of(),
                new PrintWriter(log, true), new PrintWriter(log, true))).as(log.toString()).isZero();
        return Manifest.read(manifestFile).orElseThrow();
    }
}
