package dev.clearline.sequencer.cluster;

import sun.misc.Signal;

/**
 * Makes Ctrl-C and {@code kill} stop a process that runs a node with exit code 0, as an operator's
 * supervisor expects of a clean stop (the JVM's own answer to SIGTERM is 143). A process that owns
 * its node (the sequencer, {@code up}) installs this once: on either signal it exits, running its
 * shutdown hooks (which close the node). Not for a JVM that hosts several nodes, such as a test run.
 *
 * <p>Why handlers of its own: Agrona's {@code ShutdownSignalBarrier}, which this used before, changed
 * meaning under it. Up to Agrona 2.2 it took SIGINT and SIGTERM from the JVM for good (a node ran on
 * after {@code kill}); from 2.3 it is a shutdown hook that waits 10 s for every barrier nobody closed.
 * A JVM signal handler means the same on every Agrona.
 */
public final class StopOnSignal {
    private StopOnSignal() {}

    /**
     * Exits with {@code exitCode} on SIGINT or SIGTERM. The exit runs on a thread of its own: the
     * signal's thread must not block in {@code System.exit} while the shutdown hooks run. A second
     * signal while the process is already stopping changes nothing: the first exit's code stands.
     */
    public static void install(int exitCode) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> Thread.ofPlatform().daemon().name("stop-on-signal").start(() -> System.exit(exitCode)));
        }
    }
}
