package dev.clearline.sequencer.cluster;

import org.agrona.concurrent.ShutdownSignalBarrier;

/**
 * Makes Ctrl-C and {@code kill} stop a process that runs a node. When Aeron's consensus module
 * starts it loads Agrona's {@link ShutdownSignalBarrier}, which takes SIGINT and SIGTERM away from
 * the JVM for good: from then on they only release barriers, nobody waits on one, and the process
 * runs on as if nothing had been asked. A process that owns its node (the sequencer, {@code up})
 * installs this once: on either signal it exits as the JVM would have, running its shutdown hooks
 * (which close the node). Not for a JVM that hosts several nodes, such as a test run.
 */
public final class StopOnSignal {
    private StopOnSignal() {}

    /**
     * Waits on a barrier of its own on a daemon thread and exits with {@code exitCode} when a signal
     * releases it. A barrier that Aeron releases while the process is already stopping changes
     * nothing: the first exit's code stands.
     */
    public static void install(int exitCode) {
        ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
        Thread.ofPlatform().daemon().name("stop-on-signal").start(() -> {
            barrier.await();
            System.exit(exitCode);
        });
    }
}
