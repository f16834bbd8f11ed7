package dev.clearline.sequencer.cluster;

import java.util.function.LongSupplier;

/**
 * Reads of the consensus module's own counters from threads of ours (the snapshot timer). Those counters live in the
 * module's mapping of the media driver's files, which the module unmaps when it closes after the cluster terminated
 * ({@code --stop}): a read after that is a SIGSEGV that kills the whole JVM (found with {@code up}, whose process goes on
 * after its sequencer stopped). Aeron runs the termination hook on the module's thread before it closes, so a hook that
 * marks the counters gone under this monitor waits for a read in progress, and no read starts after it.
 */
final class ModuleCounters {
    private final LongSupplier snapshots;
    private boolean gone;
    private long lastSnapshots;

    ModuleCounters(LongSupplier snapshots) {
        this.snapshots = snapshots;
    }

    /** From the termination hook, on the module's thread while its counters are still mapped: reads them a last time. */
    synchronized void closing() {
        if (gone) return;
        try {
            lastSnapshots = snapshots.getAsLong();
        } finally {
            gone = true;
        }
    }

    /**
     * When the node closes: no read starts after this, and none is made here (the module may have closed already,
     * after an error of its own); the counts stay those last read.
     */
    synchronized void close() {
        gone = true;
    }

    /** Whether the module terminated or the node closed: its counters are no longer read. */
    synchronized boolean gone() {
        return gone;
    }

    /** Snapshots the module completed since it started; after it terminated (or the node closed), the last count read. */
    synchronized long snapshots() {
        if (!gone) lastSnapshots = snapshots.getAsLong();
        return lastSnapshots;
    }
}
