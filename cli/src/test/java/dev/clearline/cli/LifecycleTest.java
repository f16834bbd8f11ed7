package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A long-running command ends on Ctrl-C, or when a part it cannot run without stops first
 * ({@code up}'s sequencer): either way its stop runs once, also when the shutdown hook calls it again.
 */
class LifecycleTest {
    /** Like Ctrl-C: a latch a signal counts down; the stop it was handed is kept, as a shutdown hook keeps it. */
    static final class Signalled implements Lifecycle {
        final CountDownLatch signal = new CountDownLatch(1);
        final CountDownLatch waiting = new CountDownLatch(1);
        volatile Runnable hook;

        @Override
        public void awaitStop(Runnable stop) throws InterruptedException {
            hook = stop;
            waiting.countDown();
            signal.await();
            stop.run();
        }
    }

    @Test
    void aFatalStopEndsTheWaitAndStopsOnceEvenWhenTheHookRunsLater() throws Exception {
        Signalled lifecycle = new Signalled();
        CompletableFuture<String> fatal = new CompletableFuture<>();
        AtomicInteger stops = new AtomicInteger();
        CompletableFuture<Boolean> ended = CompletableFuture.supplyAsync(() -> {
            try {
                return lifecycle.awaitStopUnless(fatal, stops::incrementAndGet);
            } catch (InterruptedException e) {
                throw new AssertionError("the wait was interrupted from outside", e);
            }
        });
        assertThat(lifecycle.waiting.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ended).isNotDone();
        fatal.complete("the sequencer stopped");
        assertThat(ended.get(10, TimeUnit.SECONDS)).as("ended by the fatal stop").isTrue();
        assertThat(stops).hasValue(1);
        lifecycle.hook.run(); // the JVM's shutdown hook, when the process exits
        assertThat(stops).as("stopped once").hasValue(1);
    }

    @Test
    void aSignalEndsTheWaitAsBeforeAndALaterFatalStopChangesNothing() throws Exception {
        Signalled lifecycle = new Signalled();
        CompletableFuture<String> fatal = new CompletableFuture<>();
        AtomicInteger stops = new AtomicInteger();
        lifecycle.signal.countDown();
        assertThat(lifecycle.awaitStopUnless(fatal, stops::incrementAndGet)).isFalse();
        assertThat(stops).hasValue(1);
        fatal.complete("too late");
        assertThat(Thread.currentThread().isInterrupted()).as("no interrupt left on the thread for what it does next").isFalse();
        assertThat(stops).hasValue(1);
    }

    @Test
    void aFatalStopBeforeTheWaitBeginsEndsItAtOnce() throws Exception {
        Signalled lifecycle = new Signalled();
        AtomicInteger stops = new AtomicInteger();
        assertThat(lifecycle.awaitStopUnless(CompletableFuture.completedFuture("already"), stops::incrementAndGet)).isTrue();
        assertThat(stops).hasValue(1);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
}
