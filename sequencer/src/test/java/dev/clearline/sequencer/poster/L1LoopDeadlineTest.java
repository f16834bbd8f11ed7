package dev.clearline.sequencer.poster;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.prover.replay.Replayer;
import dev.clearline.sequencer.metrics.Exposition;
import dev.clearline.sequencer.metrics.MetricsText;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's warning while batches are not reaching L1: from the moment the oldest priority op
 * the rollup has not consumed is older than a quarter of the force delay (not at a quarter
 * exactly), each round logs {@code event=priority_op_near_deadline} with the op's age and how long
 * until another proposer may post ahead (half the delay) and anyone may freeze (the whole delay),
 * the figures an operator acts on before the gauge's alert fires. The chain's time is pinned to the
 * second (the pending block's timestamp), and the loop's rounds are counted through its own pauses,
 * so no clock decides what the test sees. Also how the loop's thread ends: a daemon that {@code
 * close} interrupts out of its pause and waits for.
 */
@WithDevnet(http = true)
class L1LoopDeadlineTest {
    @TempDir
    Path dir;

    @Test
    void theWarningStartsPastAQuarterOfTheForceDelayWithTheTimesLeftAndCloseEndsTheLoopsThread(DevnetContext l1) throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger logger = (Logger) LoggerFactory.getLogger(L1Loop.class);
        logger.addAppender(logs);
        try (L1World w = new L1World(l1, dir)) {
            long forceDelay = Rollup.load(w.rollupAddress, l1.web3j(), l1.deployer(), L1World.GAS).forceDelay().send().longValueExact();
            assertThat(forceDelay % 4).as("a force delay whose quarter is a whole second, so the boundary is exact").isZero();
            // the market's listing, the oldest op: nothing has consumed it (no batch was posted)
            byte[] oldest = new RollupLog(l1.web3j(), w.rollupAddress).priorityOpEncoding(0, w.deployBlock).orElseThrow();
            long enqueued = ByteBuffer.wrap(oldest, 1 + 8, 8).getLong();

            Rounds rounds = new Rounds();
            BatchPoster poster = w.poster(l1.web3j(), l1.key(5), TxSender.FeePolicy.defaults());
            poster.ensureBond(); // its transaction now, not in a round: a block mined there would move the pinned time on
            L1Loop loop = new L1Loop(l1.web3j(), w.rollupAddress, w.feed(), poster, 50, rounds);
            try {
                // exactly a quarter of the delay old: the gauge reads it, no warning yet
                l1.time().setNextBlockTimestamp(enqueued + forceDelay / 4);
                loop.start();
                rounds.await(2);
                assertThat(oldestAge(loop)).isEqualTo(forceDelay / 4);
                assertThat(warnings(logs)).as("at a quarter exactly, still quiet").isEmpty();

                // one second past it: warned, with the op's age and the time left to each deadline
                l1.time().setNextBlockTimestamp(enqueued + forceDelay / 4 + 1);
                rounds.await(2);
                long age = forceDelay / 4 + 1;
                assertThat(oldestAge(loop)).isEqualTo(age);
                List<String> warned = warnings(logs);
                assertThat(warned).isNotEmpty();
                assertThat(warned.getLast()).contains("ageSeconds=" + age, "forceDelaySeconds=" + forceDelay,
                        "othersMayPostInSeconds=" + (forceDelay / 2 - age), "freezableInSeconds=" + (forceDelay - age),
                        "check the poster's funds and the RPC");
                assertThat(loop.stoppedBecause()).as("a warning, not a stop").isEmpty();

                Thread thread = rounds.thread.get(5, TimeUnit.SECONDS);
                assertThat(thread.getName()).isEqualTo("l1-poster");
                assertThat(thread.isDaemon()).as("a node whose main returns without closing the loop still exits").isTrue();
                rounds.holdNextPause();
            } finally {
                loop.close();
            }
            // the pause now held would last an hour: close interrupted it, and returned only once the thread had ended
            assertThat(rounds.thread.get().isAlive()).as("the loop's thread, once close returned").isFalse();
        } finally {
            logger.detachAppender(logs);
        }
    }

    private static List<String> warnings(ListAppender<ILoggingEvent> logs) {
        synchronized (logs.list) {
            return logs.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("event=priority_op_near_deadline")).toList();
        }
    }

    private static long oldestAge(L1Loop loop) {
        MetricsText m = new MetricsText();
        loop.writeMetrics(m);
        return Exposition.samples(m.toString()).get("clearline_l1_oldest_priority_op_age_seconds");
    }

    /**
     * The loop's pauses: each marks a round done (the test waits for a count of them, not a time) and
     * then sleeps a millisecond; once held, a pause lasts an hour unless interrupted, and on the
     * interrupt it lingers a moment before ending the loop, so a close that did not wait for the
     * thread would return while it still runs.
     */
    private static final class Rounds implements Replayer.Sleeper {
        final CompletableFuture<Thread> thread = new CompletableFuture<>();
        private final Semaphore done = new Semaphore(0);
        private volatile boolean hold;

        @Override
        public void sleep(long millis) throws InterruptedException {
            thread.complete(Thread.currentThread());
            done.release();
            if (!hold) {
                Thread.sleep(1);
                return;
            }
            try {
                Thread.sleep(TimeUnit.HOURS.toMillis(1));
            } catch (InterruptedException e) {
                Thread.sleep(300);
                throw e;
            }
        }

        /** Waits for {@code n} more rounds, started after this call (the first of them may have begun before it). */
        void await(int n) throws InterruptedException {
            done.drainPermits();
            assertThat(done.tryAcquire(n + 1, 30, TimeUnit.SECONDS)).as("%d rounds of the loop", n + 1).isTrue();
        }

        void holdNextPause() {
            hold = true;
        }
    }
}
