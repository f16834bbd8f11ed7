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
 * What every member of a cluster runs so that all of them stop on a freeze and halt while another key
 * holds the sequencer role, not only the one that leads: silent while the rollup is live and the role
 * is the operator's, the role's loss and return each told once, the freeze handed over once when it
 * comes, and an L1 that does not answer tried again rather than read as either.
 */
@WithDevnet(http = true)
class RollupWatchTest {
    /** Collects what the watch tells, in order. */
    private static class Heard implements RollupWatch.Listener {
        final CompletableFuture<BatchPoster.Frozen> frozen = new CompletableFuture<>();
        final java.util.List<String> roles = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void frozen(BatchPoster.Frozen why) {
            frozen.complete(why);
        }

        @Override
        public void roleLost(String why) {
            roles.add("lost: " + why);
        }

        @Override
        public void roleBack() {
            roles.add("back");
        }
    }

    private static void awaitRounds(RollupWatch watch, long atLeast) throws InterruptedException {
        // up to 3,000 waits of 10 ms (30 s at least): counted, not clocked, so a slow machine only lengthens the wait
        for (int waits = 0; waits < 3_000 && watch.rounds() < atLeast; waits++) Thread.sleep(10);
        assertThat(watch.rounds()).isGreaterThanOrEqualTo(atLeast);
    }

    @Test
    void theRolesLossAndReturnAreEachToldOnce(DevnetContext l1) throws Exception {
        String rollupAddress = l1.address("Rollup");
        Rollup governance = Rollup.load(rollupAddress, l1.web3j(), l1.deployer(), L1World.GAS);
        String operator = governance.sequencer().send();
        Heard heard = new Heard();
        try (RollupWatch watch = RollupWatch.start(l1.devnet().rpcUrl(), rollupAddress, operator, Duration.ofMillis(20), heard)) {
            awaitRounds(watch, 3);
            assertThat(heard.roles).as("the operator holds the role").isEmpty();

            String other = l1.key(4).getAddress();
            L1World.ok(governance.setSequencer(other).send());
            awaitRounds(watch, watch.rounds() + 3);
            assertThat(heard.roles).hasSize(1);
            assertThat(heard.roles.get(0)).contains("lost: ", other, operator, "set-sequencer " + operator);

            L1World.ok(governance.setSequencer(operator).send());
            awaitRounds(watch, watch.rounds() + 3);
            assertThat(heard.roles).hasSize(2).last().isEqualTo("back");
            assertThat(heard.frozen).isNotDone();
            assertThat(watch.unanswered()).isZero();
        }
    }

    /**
     * A node that closes its watch and then acts on what the watch told (stops, or starts a new one) must not have the
     * old watch's thread still calling the listener: close returns once the thread has ended, a listener call in
     * progress included.
     */
    @Test
    void closeReturnsOnceTheWatchsThreadHasEndedEvenMidCall(DevnetContext l1) throws Exception {
        String rollupAddress = l1.address("Rollup");
        Rollup governance = Rollup.load(rollupAddress, l1.web3j(), l1.deployer(), L1World.GAS);
        String operator = governance.sequencer().send();
        CompletableFuture<Thread> inCall = new CompletableFuture<>();
        Heard lingering = new Heard() {
            @Override
            public void roleLost(String why) {
                inCall.complete(Thread.currentThread());
                try {
                    Thread.sleep(300); // still in the call when close begins
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        RollupWatch watch = RollupWatch.start(l1.devnet().rpcUrl(), rollupAddress, operator, Duration.ofMillis(20), lingering);
        try {
            L1World.ok(governance.setSequencer(l1.key(4).getAddress()).send());
            Thread thread = inCall.get(30, TimeUnit.SECONDS);
            assertThat(thread.getName()).isEqualTo("rollup-watch");
            assertThat(thread.isDaemon()).isTrue();
            watch.close();
            assertThat(thread.isAlive()).as("the watch's thread, once close returned").isFalse();
        } finally {
            watch.close();
            L1World.ok(governance.setSequencer(operator).send());
        }
    }

    @Test
    void aFreezeIsHandedOverOnceAndALiveRollupSaysNothing(DevnetContext l1) throws Exception {
        String rollupAddress = l1.address("Rollup");
        Heard heard = new Heard();
        CompletableFuture<BatchPoster.Frozen> handed = heard.frozen;
        String operator = Rollup.load(rollupAddress, l1.web3j(), l1.deployer(), L1World.GAS).sequencer().send();
        try (RollupWatch watch = RollupWatch.start(l1.devnet().rpcUrl(), rollupAddress, operator, Duration.ofMillis(20), heard)) {
            awaitRounds(watch, 3);
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
    void anL1ThatDoesNotAnswerIsTriedAgainNotReadAsAFreezeOrALostRole() throws Exception {
        Heard heard = new Heard();
        try (RollupWatch watch = RollupWatch.start("http://127.0.0.1:1", "0x5fc8d32690cc91d4c39d9d3abcbd16989f875707",
                "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", Duration.ofMillis(20), heard)) {
            for (int waits = 0; waits < 3_000 && watch.unanswered() < 3; waits++) Thread.sleep(10);
            long unanswered = watch.unanswered();
            assertThat(unanswered).isGreaterThanOrEqualTo(3);
            assertThat(watch.rounds()).as("an unanswered round is counted as a round too").isGreaterThanOrEqualTo(unanswered);
            assertThat(heard.frozen).isNotDone();
            assertThat(heard.roles).as("an unanswered read is not a lost role").isEmpty();
        }
    }
}
