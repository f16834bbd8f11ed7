package dev.clearline.prover.dispute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watcher asked to ({@code watch --propose-censored}) posts the batch of the ops an operator leaves
 * waiting half the force delay, built on the state it verified, and judges it honest like any other;
 * one not asked, or before the half delay, posts nothing. The rollup names a sequencer (dev key 6)
 * that never posts; the queue holds a listing and two deposits ({@link Rollout}).
 */
@WithDevnet(parameters = "rollup.sequencer=0x976ea74026e726554db657fa54763abd0c3a0aa9") // dev key 6, never running
class CensoredOpsOnDevnetTest {
    @TempDir
    Path dir;

    @Test
    void aWatcherPostsTheBatchOfTheOpsTheOperatorLeftAndJudgesItHonest(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Rollup rollup = r.rollupAs(l1.key(4));
        long queued = rollup.queueLength().send().longValueExact();
        assertThat(queued).isEqualTo(3);
        try (Watcher guard = r.watcher(l1.key(4), new Watcher.Role(true, true, true, true), dir.resolve("guard"));
             Watcher plain = r.watcher(l1.key(5), new Watcher.Role(true, true), dir.resolve("plain"))) {
            assertThat(guard.poll()).as("the operator still has half the force delay").isZero();
            l1.time().advance(Duration.ofSeconds(rollup.forceDelay().send().longValueExact() / 2 + 1));
            assertThat(plain.poll()).as("a watcher not asked to").isZero();

            assertThat(guard.poll()).as("its bond, then the batch").isEqualTo(2);

            assertThat(rollup.nextBatchIndex().send()).isEqualTo(BigInteger.ONE);
            assertThat(rollup.tip().send().component2().longValueExact()).as("every queued op consumed").isEqualTo(queued);
            assertThat(rollup.batch(BigInteger.ZERO).send().proposer).isEqualToIgnoringCase(l1.key(4).getAddress());
            assertThat(guard.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("joinProposers", "submitBatch");
            assertThat(guard.poll()).as("nothing waits any more").isZero();
            assertThat(guard.verdicts()).singleElement().satisfies(v -> assertThat(v.honest()).as("its own batch, replayed").isTrue());
            plain.poll();
            assertThat(plain.verdicts()).singleElement().satisfies(v -> assertThat(v.honest()).as("judged by another watcher").isTrue());
            assertThat(plain.activeGames()).isZero();

            // the operator has now posted nothing for more than the force delay since the deployment: gone, not censoring.
            // The guard stands down so that a new op can age into a freeze (which pays open positions, no op closes them).
            l1.time().advance(Duration.ofSeconds(rollup.forceDelay().send().longValueExact()));
            r.deposit(l1.key(7), 1_000_000);
            l1.time().advance(Duration.ofSeconds(rollup.forceDelay().send().longValueExact() / 2 + 1));
            assertThat(guard.poll()).as("standing down").isZero();
            assertThat(rollup.nextBatchIndex().send()).isEqualTo(BigInteger.ONE);
        }
    }

    @Test
    void noBatchIsPostedOnTopOfALieTheWatcherChallengesInstead(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Rollup rollup = r.rollupAs(l1.key(4));
        r.deposit(l1.key(7), 1_000_000); // op 3
        l1.time().advance(Duration.ofSeconds(rollup.forceDelay().send().longValueExact() / 2 + 1));
        // another proposer consumes ops 0 to 2 under a wrong post-root and leaves op 3, waiting half the delay too
        var lie = r.seal(java.util.List.of(r.queued(0).subList(0, 3))).getFirst();
        r.post(Rollout.withPostRoot(lie.header(), dev.clearline.engine.order.Hash32.fromHex("0x" + "5e".repeat(32))), lie.calldata());
        try (Watcher guard = r.watcher(l1.key(4), new Watcher.Role(true, true, true, true), dir)) {
            assertThat(guard.poll()).as("the challenge of the lie, no batch on top of it").isEqualTo(1);
            assertThat(guard.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("challenge");
            assertThat(rollup.nextBatchIndex().send()).isEqualTo(BigInteger.ONE);
        }
    }
}
