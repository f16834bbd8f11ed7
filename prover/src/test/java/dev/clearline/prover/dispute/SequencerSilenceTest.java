package dev.clearline.prover.dispute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.prover.l1.L1Clock;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.SequencerSilence;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.DefaultBlockParameter;

/**
 * The silence the censorship guard stands down on, and {@code propose} and {@code status} read: counted
 * from the rollup's deployment while the sequencer never posted, from its last batch once it has, and
 * "gone" only past the force delay. The rollup names dev key 3 ({@link Rollout}'s proposer) its sequencer.
 */
@WithDevnet(parameters = "rollup.sequencer=0x90f79bf6eb2c4f870365e785982e1f101e93b906") // dev key 3
class SequencerSilenceTest {
    @Test
    void silenceCountsFromTheDeploymentThenFromTheSequencersLastBatch(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Rollup rollup = r.rollupAs(l1.key(4));
        String sequencer = l1.key(3).getAddress();
        SequencerSilence silence = new SequencerSilence(rollup, l1.web3j());
        long deployed = l1.web3j().ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(
                new RollupLog(l1.web3j(), rollup.getContractAddress()).deploymentBlock())), false).send().getBlock().getTimestamp().longValueExact();
        long now = L1Clock.now(l1.web3j());
        assertThat(silence.silentFor(sequencer, now)).as("never posted: since the deployment").isEqualTo(now - deployed);
        assertThat(silence.silentFor(l1.key(5).getAddress(), now + 100)).as("any key that never posted").isEqualTo(now + 100 - deployed);

        l1.time().advance(Duration.ofSeconds(40));
        var batch = r.seal(List.of(r.queued(0))).getFirst();
        r.post(batch.header(), batch.calldata());
        long posted = rollup.batch(BigInteger.ZERO).send().submittedAt.longValueExact();
        assertThat(posted).isGreaterThanOrEqualTo(deployed + 40);
        assertThat(silence.silentFor(sequencer, posted + 7)).as("since its last batch").isEqualTo(7);
        assertThat(silence.silentFor(l1.key(5).getAddress(), posted + 7)).as("another key's silence is its own").isEqualTo(posted + 7 - deployed);

        long delay = rollup.forceDelay().send().longValueExact();
        assertThat(SequencerSilence.gone(delay, delay)).as("silent exactly the force delay: not yet gone").isFalse();
        assertThat(SequencerSilence.gone(delay + 1, delay)).isTrue();
        assertThat(SequencerSilence.gone(silence.silentFor(sequencer, posted + delay), delay)).isFalse();
        assertThat(SequencerSilence.gone(silence.silentFor(sequencer, posted + delay + 1), delay)).isTrue();
    }

    /**
     * An operator that posts but leaves a later op: the guard's batch starts at the first op no batch consumed,
     * on top of the operator's batch, and the silence counts from that batch (not from the deployment).
     */
    @Test
    void aGuardServesTheOpsLeftAfterTheOperatorsLastBatch(DevnetContext l1, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Rollout r = new Rollout(l1);
        Rollup rollup = r.rollupAs(l1.key(4));
        long delay = rollup.forceDelay().send().longValueExact();
        l1.time().advance(Duration.ofSeconds(delay / 2 + 1));
        var first = r.seal(List.of(r.queued(0))).getFirst(); // the operator (dev key 3) consumes what is queued
        r.post(first.header(), first.calldata());
        long consumed = rollup.tip().send().component2().longValueExact();
        assertThat(consumed).isPositive();
        r.deposit(l1.key(7), 1_000_000); // then leaves this one
        try (Watcher guard = r.watcher(l1.key(4), new Watcher.Role(true, true, true, true), dir.resolve("guard"));
             Watcher own = r.watcher(l1.key(3), new Watcher.Role(true, true, true, true), dir.resolve("own"))) {
            assertThat(guard.poll()).as("the new op has not waited half the force delay").isZero();
            l1.time().advance(Duration.ofSeconds(delay / 2 + 1)); // more than the delay since the deployment, half of it since the batch
            assertThat(own.poll()).as("never under the sequencer's own key: its node posts").isZero();
            assertThat(rollup.nextBatchIndex().send()).isEqualTo(BigInteger.ONE);
            assertThat(guard.poll()).as("its bond, then the batch").isEqualTo(2);
            assertThat(rollup.nextBatchIndex().send()).isEqualTo(BigInteger.TWO);
            assertThat(rollup.tip().send().component2().longValueExact()).isEqualTo(consumed + 1);
            assertThat(rollup.batch(BigInteger.ONE).send().proposer).isEqualToIgnoringCase(l1.key(4).getAddress());
            guard.poll();
            assertThat(guard.verdicts()).hasSize(2).allSatisfy(v -> assertThat(v.honest()).isTrue());
        }
    }
}
