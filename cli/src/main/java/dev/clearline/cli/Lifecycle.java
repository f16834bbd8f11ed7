package dev.clearline.cli;

import dev.clearline.sequencer.cluster.StopOnSignal;

import java.util.concurrent.CountDownLatch;

/** How a long-running command (devnet, up) learns that it should stop. */
@FunctionalInterface
public interface Lifecycle {

    /** Blocks until the process should stop, then runs {@code stop}. */
    void awaitStop(Runnable stop) throws InterruptedException;

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
