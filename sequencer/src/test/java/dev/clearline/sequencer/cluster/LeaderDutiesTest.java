package dev.clearline.sequencer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LeaderDutiesTest {

    @Test
    void aFailedStartIsRetriedAtOnceThenLessAndLessOftenUpToTenSeconds() {
        long ms200 = Duration.ofMillis(200).toNanos();
        assertThat(LeaderDuties.retryAfterChecks(1, ms200)).as("a passing hiccup: the next check").isZero();
        assertThat(LeaderDuties.retryAfterChecks(2, ms200)).isEqualTo(1);
        assertThat(LeaderDuties.retryAfterChecks(3, ms200)).isEqualTo(3);
        assertThat(LeaderDuties.retryAfterChecks(5, ms200)).isEqualTo(15);
        assertThat(LeaderDuties.retryAfterChecks(6, ms200)).isEqualTo(31);
        assertThat(LeaderDuties.retryAfterChecks(7, ms200)).as("49 skipped + the check itself: 10 s").isEqualTo(49);
        assertThat(LeaderDuties.retryAfterChecks(1_000, ms200)).isEqualTo(49);
        assertThat(LeaderDuties.retryAfterChecks(40, Duration.ofMillis(1).toNanos())).isEqualTo(9_999);
        assertThat(LeaderDuties.retryAfterChecks(3, Duration.ofSeconds(20).toNanos())).as("checks slower than the cap: every check").isZero();
    }

    @Test
    void aLeaderWhoseStartKeepsFailingDoesNotRetryOnEveryCheck() throws InterruptedException {
        // before, a key the rollup refused was tried again on every check, with a warning each time, for as long as it led
        AtomicInteger checks = new AtomicInteger();
        AtomicInteger tries = new AtomicInteger();
        CountDownLatch enough = new CountDownLatch(1);
        LeaderDuties duties = new LeaderDuties("test", () -> {
            if (checks.incrementAndGet() == 300) enough.countDown();
            return true;
        }, () -> {
            tries.incrementAndGet();
            throw new IllegalStateException("the rollup takes batches from another key");
        }, Duration.ofMillis(1));
        assertThat(enough.await(60, TimeUnit.SECONDS)).isTrue();
        duties.close();
        // tries at checks 1, 2, 4, 8, 16, 32, 64, 128, 256 (and perhaps one more before close is seen)
        assertThat(tries.get()).as("tries in " + checks.get() + " checks").isBetween(9, 10);
        assertThat(duties.starts()).isZero();
        assertThat(duties.active()).isFalse();
    }

    @Test
    void aNewTermStartsAtOnceWhateverTheLastOneFailed() throws InterruptedException {
        AtomicInteger checks = new AtomicInteger();
        AtomicInteger tries = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger startedAt = new AtomicInteger();
        // leads for 40 checks (failing each try), loses the lead for one, then leads again: the first try of the new term works
        LeaderDuties duties = new LeaderDuties("test", () -> checks.incrementAndGet() != 41, () -> {
            if (checks.get() <= 41) {
                tries.incrementAndGet();
                throw new IllegalStateException("L1 is away");
            }
            startedAt.set(checks.get());
            started.countDown();
            return () -> { };
        }, Duration.ofMillis(1));
        assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
        duties.close();
        assertThat(tries.get()).as("tries in the first term: checks 1, 2, 4, 8, 16, 32").isEqualTo(6);
        assertThat(startedAt.get()).as("started on the first check of the new term").isEqualTo(42);
        assertThat(duties.starts()).isEqualTo(1);
    }

    /** Ends by itself once told; closing it counts. */
    private static final class EndingDuty implements LeaderDuties.Restartable, AutoCloseable {
        volatile boolean ended;
        volatile boolean closed;

        @Override
        public boolean endedForRestart() {
            return ended;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void workThatEndsForARestartIsClosedAndStartedAgainOnceItsStartWorks() throws InterruptedException {
        // the L1 side once the rollup names another sequencer: it ends, its start is refused until the role is back
        AtomicInteger checks = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        java.util.List<EndingDuty> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger roleBackAt = new AtomicInteger(Integer.MAX_VALUE);
        CountDownLatch second = new CountDownLatch(1);
        LeaderDuties duties = new LeaderDuties("test", () -> {
            checks.incrementAndGet();
            return true;
        }, () -> {
            if (!started.isEmpty() && checks.get() < roleBackAt.get()) {
                refused.incrementAndGet();
                throw new IllegalStateException("the rollup takes batches from its sequencer 0x.., not from this operator key");
            }
            EndingDuty d = new EndingDuty();
            started.add(d);
            if (started.size() == 2) second.countDown();
            return d;
        }, Duration.ofMillis(1));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (started.isEmpty() && System.nanoTime() < deadline) Thread.sleep(1);
        int endedAt = checks.get();
        started.getFirst().ended = true;
        while (refused.get() < 4 && System.nanoTime() < deadline) Thread.sleep(1);
        roleBackAt.set(checks.get());
        assertThat(second.await(60, TimeUnit.SECONDS)).as("started again once its start works").isTrue();
        duties.close();
        assertThat(started.getFirst().closed).as("the ended work closed before the next start").isTrue();
        assertThat(duties.starts()).isEqualTo(2);
        assertThat(refused.get()).as("refused starts between " + endedAt + " and " + roleBackAt.get() + ": spaced, not one a check")
                .isLessThan((roleBackAt.get() - endedAt) / 2 + 2);
        assertThat(started.get(1).closed).as("closed with the duties").isTrue();
    }
}
