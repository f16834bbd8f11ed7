package dev.clearline.cli;

import static dev.clearline.cli.HonestRunTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.DisputeGame;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.devnet.junit.TimeTravel;
import dev.clearline.prover.dispute.DisputeL1;
import dev.clearline.prover.dispute.GameView;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.prover.replay.RpcL1Source;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * The local stack's watcher plays the stack's side of a dispute: a griefer challenges one of the
 * operator's honest batches and never moves again; the stack's watcher (moving with the operator's
 * key through the poster's own sender, while the poster keeps posting) bisects, claims the
 * griefer's timeout and wins its bond. Challenging a wrong batch is the same {@code Watcher} that
 * {@code clearline watch} runs ({@code WatchCommandTest}, prover's {@code DisputeOnDevnetTest} and
 * {@code FraudKindsTest}); the stack itself never posts one.
 */
class StackDefendsTest {
    private static final int GRIEFER = 8;

    @TempDir
    Path tmp;

    static final long CLOCK_SECONDS = 3_600;

    @Test
    void theStacksWatcherDefendsItsOperatorsBatchAndWinsTheGriefersBond() throws Exception {
        NodeOptions n = FastDevnet.options();
        try (Devnet devnet = n.start()) {
            // A one-hour clock is 60 s at 60 L1 seconds per second: the defender's moves must fit in it (a 10-minute clock ran
            // out at load 37: the watcher's bisect then reverted with ClockExpired); once the defender has moved, the test moves
            // L1 time past the griefer's clock instead of waiting for it. A long challenge period keeps the batch live meanwhile.
            Manifest manifest = deploy(devnet, tmp.resolve("deployment.json"),
                    Map.of("dispute.clockBudget", String.valueOf(CLOCK_SECONDS), "rollup.challengePeriod", "60000"));
            LocalStack stack = LocalStack.start(devnet, manifest, new LocalStack.Settings(tmp.resolve("stack"), "127.0.0.1", 0, false, 1_000));
            try {
                await(() -> stack.verifiedHonest() >= 1, 90, "a batch judged honest");
                Web3j web3j = Web3j.build(devnet.web3jService());
                String rollup = manifest.address("Rollup");
                String gameAddress = manifest.address("DisputeGame");
                RpcL1Source source = new RpcL1Source(web3j, rollup);
                List<RollupLog.Posted> posted = source.batches(manifest.blockNumber(), source.head());
                RollupLog.Posted target = posted.stream().filter(p -> p.batch().header().transitionCount() > 1).reduce((a, b) -> b)
                        .orElseThrow(() -> new AssertionError("no batch of more than one transition among " + posted.size()));
                DisputeL1 griefer = new DisputeL1(web3j, rollup, gameAddress,
                        new TxSender(web3j, devnet.accounts().keys().get(GRIEFER), devnet.chainId(), TxSender.FeePolicy.defaults(), TxSender.Time.SYSTEM));
                long gameId = griefer.challenge(target.batch().header()).gameId();
                // the proposer moves first (more than one transition): the stack's watcher bisects, then the griefer stalls
                await(() -> griefer.game(gameId).challengerToMove(), 120, "the stack's watcher's first move in game " + gameId);
                new TimeTravel(devnet.web3jService()).advance(Duration.ofSeconds(CLOCK_SECONDS + 1));

                await(() -> stack.finishedGames().containsKey(gameId), 120, "the stack's watcher to finish game " + gameId);
                assertThat(stack.finishedGames()).containsEntry(gameId, GameView.PROPOSER_WON);
                assertThat(griefer.game(gameId).status()).isEqualTo(GameView.PROPOSER_WON);
                DisputeGame game = DisputeGame.load(gameAddress, web3j, new ReadonlyTransactionManager(web3j, griefer.account()), new DefaultGasProvider());
                assertThat(game.credit(stack.key(LocalStack.OPERATOR).getAddress()).send()).as("the griefer's bond, to the operator")
                        .isEqualTo(game.challengeBond().send());
                assertThat(game.credit(griefer.account()).send()).isZero();
                long posts = stack.batchesPosted();
                await(() -> stack.batchesPosted() > posts, 90, "the poster to keep posting after the dispute"); // the L1 loop backs off up to 30 s
                assertThat(stack.verifiedFraud()).isZero();
                assertThat(stack.activeGames()).isZero();
            } finally {
                stack.close();
            }
        }
    }

    private static Manifest deploy(Devnet devnet, Path manifestFile, Map<String, String> params) throws Exception {
        StringWriter log = new StringWriter();
        assertThat(DeployCommand.deploy(devnet.web3jService(), devnet.accounts().first(), manifestFile, true, 1, Duration.ofSeconds(60), LocalStack.deploymentParameters(devnet, params),
                new PrintWriter(log, true), new PrintWriter(log, true))).as(log.toString()).isZero();
        return Manifest.read(manifestFile).orElseThrow();
    }
}
