package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.prover.l1.RollupLog;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every member of a cluster runs so that all of them stop on a freeze, not only the one that
 * leads: silent while the rollup is live, the freeze handed over once when it comes, and an L1 that
 * does not answer tried again rather than read as either.
 */
@WithDevnet(http = true)
class FreezeWatchTest {
    @Test
    void aFreezeIsHandedOverOnceAndALiveRollupSaysNothing(DevnetContext l1) throws Exception {
        String rollupAddress = l1.address("Rollup");
        CompletableFuture<BatchPoster.Frozen> handed = new CompletableFuture<>();
        try (FreezeWatch watch = FreezeWatch.start(l1.devnet().rpcUrl(), rollupAddress, Duration.ofMillis(20), handed::complete)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (watch.rounds() < 3 && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(watch.rounds()).isGreaterThanOrEqualTo(3);
            assertThat(watch.unanswered()).isZero();
            assertThat(handed).as("the rollup is live").isNotDone();

            // a deposit no batch consumes, past the force delay: anyone freezes the rollup over it
            Credentials user = l1.key(3);
            TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(), L1World.GAS).mint(user.getAddress(), BigInteger.TEN).send();
            TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), user, L1World.GAS).approve(rollupAddress, BigInteger.TEN).send();
            Rollup asUser = Rollup.load(rollupAddress, l1.web3j(), user, L1World.GAS);
            L1World.ok(asUser.deposit(BigInteger.TEN).send());
            l1.time().advance(Duration.ofSeconds(asUser.forceDelay().send().longValueExact() + 1));
            byte[] overdue = new RollupLog(l1.web3j(), rollupAddress).priorityOpEncoding(0, l1.manifest().blockNumber()).orElseThrow();
            L1World.ok(asUser.freeze(overdue).send());

            BatchPoster.Frozen why = handed.get(30, TimeUnit.SECONDS);
            assertThat(why.getMessage()).contains("froze at L1 time", "the genesis root", "could never settle");
            long after = watch.rounds();
            Thread.sleep(100);
            assertThat(watch.rounds()).as("handed over once, then the watch ends").isEqualTo(after);
        }
    }

    @Test
    void anL1ThatDoesNotAnswerIsTriedAgainNotReadAsAFreeze() throws Exception {
        CompletableFuture<BatchPoster.Frozen> handed = new CompletableFuture<>();
        try (FreezeWatch watch = FreezeWatch.start("http://127.0.0.1:1", "0x5fc8d32690cc91d4c39d9d3abcbd16989f875707", Duration.ofMillis(20),
                handed::complete)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (watch.unanswered() < 3 && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(watch.unanswered()).isGreaterThanOrEqualTo(3);
            assertThat(handed).isNotDone();
        }
    }
}
