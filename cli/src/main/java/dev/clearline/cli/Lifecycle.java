package dev.clearline.cli;

import dev.clearline.sequencer.cluster.StopOnSignal;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** How a long-running command (devnet, up) learns that it should stop. */
@FunctionalInterface
public interface Lifecycle {

    /** Blocks until the process should stop, then runs {@code stop}. */
    void awaitStop(Runnable stop) throws InterruptedException;

    /**
     * As {@link #awaitStop}, and also ends when {@code fatal} completes first (a part the command
     * cannot run without has stopped): then runs {@code stop} itself and returns true. {@code stop}
     * runs once either way, also when a shutdown hook would run it again.
     */
    default boolean awaitStopUnless(CompletionStage<?> fatal, Runnable stop) throws InterruptedException {
        AtomicBoolean ran = new AtomicBoolean();
        Runnable once = () -> {
            if (ran.compareAndSet(false, true)) stop.run();
        };
        Thread waiting = Thread.currentThread();
        Object lock = new Object();
        boolean[] state = new boolean[2]; // [0]: the wait is over; [1]: fatal ended it
        fatal.whenComplete((v, t) -> {
            synchronized (lock) {
                if (state[0]) return;
                state[1] = true;
                waiting.interrupt(); // the waits above are interruptible: a latch, a sleep
            }
        });
        try {
            awaitStop(once);
            return false;
        } catch (InterruptedException e) {
            synchronized (lock) {
                if (!state[1]) throw e;
            }
            once.run();
            return true;
        } finally {
            synchronized (lock) {
                state[0] = true;
                Thread.interrupted(); // a fatal end's interrupt is spent here, not on whatever the thread waits for next
            }
        }
    }

    /** Until Ctrl-C (or SIGTERM): the JVM's shutdown hook runs {@code stop} before exiting. */
    static Lifecycle untilInterrupted() {
        return stop -> {
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.run();
                stopped.countDown();
            }, "clearline-shutdown"));
            // `up` runs an Aeron cluster in-process, which takes SIGINT and SIGTERM from the JVM
            StopOnSignal.install(0);
            stopped.await();
        };
    }
}
