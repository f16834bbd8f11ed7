package dev.clearline.sequencer.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Tells the operator before a member's heap runs out. The state keeps part of every order the node
 * has taken: its ORDER_HASH leaf stays for good (what refuses the same signed order again), held by
 * the Merkle tree and the exchange's mirror of the state, while its ORDER leaf is pruned once the
 * order is done (about 0.75 KB of live heap per order on a member, views not yet finalized included:
 * {@code ./clearline bench sequencer alone ... --member-jvm}), so a member's 1 GB heap holds some
 * hundreds of thousands to a million orders. Near the end the collector takes more and
 * more of the CPU, and then {@code OutOfMemoryError} stops the member; its log keeps everything it
 * acknowledged, but it would restart into the same wall. So once the heap still in use between
 * collections (the lowest reading over a window, which a heap's saw-tooth touches after each
 * collection) passes 75 % and then 90 % of the maximum, the member says so, once per level, with
 * what to do. It does not stop the member: every member of a cluster holds the same state, so
 * stopping one would not spare the others.
 */
public final class HeapWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeapWatch.class);
    /** Shares of the maximum heap at which the operator is told. */
    static final double[] LEVELS = {0.75, 0.90};

    private final LongSupplier usedBytes;
    private final long maxBytes;
    private final long[] window;
    private final String startCommand;
    private final Consumer<String> onHigh;
    private final Thread thread;
    private long readings;
    private int levelTold = -1;
    private volatile boolean closed;

    /**
     * @param usedBytes the heap in use now
     * @param maxBytes the heap's maximum
     * @param windowReadings how many readings the lowest one is taken over (at least 1)
     * @param periodMs time between readings on the watch's daemon thread
     * @param startCommand how the operator started this process, for the advice (e.g. {@code ./clearline up})
     * @param onHigh told the message each time a new level is passed (it is also logged)
     */
    public HeapWatch(LongSupplier usedBytes, long maxBytes, int windowReadings, long periodMs, String startCommand, Consumer<String> onHigh) {
        if (windowReadings < 1) throw new IllegalArgumentException("windowReadings is " + windowReadings + "; pass 1 or more");
        this.usedBytes = usedBytes;
        this.maxBytes = maxBytes;
        this.window = new long[windowReadings];
        this.startCommand = startCommand;
        this.onHigh = onHigh;
        this.thread = Thread.ofPlatform().daemon().name("heap-watch").unstarted(() -> {
            while (!closed) {
                check();
                try {
                    Thread.sleep(periodMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** This JVM's heap: in use now. */
    public static LongSupplier heapUsed() {
        java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        return () -> memory.getHeapMemoryUsage().getUsed();
    }

    public HeapWatch start() {
        thread.start();
        return this;
    }

    /**
     * One reading. Returns the highest level (index into {@link #LEVELS}) the lowest reading of the
     * last full window has reached, or -1 for none (or while the first window fills).
     */
    public int check() {
        window[(int) (readings++ % window.length)] = usedBytes.getAsLong();
        if (readings < window.length || maxBytes <= 0) return -1;
        long floor = Long.MAX_VALUE;
        for (long w : window) floor = Math.min(floor, w);
        int level = -1;
        for (int i = 0; i < LEVELS.length; i++) if (floor >= LEVELS[i] * maxBytes) level = i;
        if (level > levelTold) {
            levelTold = level;
            tell(level, floor);
        }
        return level;
    }

    private void tell(int level, long floor) {
        long percent = Math.round(100.0 * floor / maxBytes);
        String why = "the heap this member keeps in use between collections is " + mib(floor) + " MiB of its " + mib(maxBytes)
                + " MiB maximum (" + percent + " %): the state keeps every order taken (about 3 KB each). Before it runs out"
                + " (the collector takes ever more CPU, then the member stops with OutOfMemoryError; its log keeps what it"
                + " acknowledged), stop it and start it again with a larger heap, e.g. CLEARLINE_JAVA_OPTS=-Xmx"
                + Math.max(2, 2 * mib(maxBytes) / 1024) + "g " + startCommand;
        if (level == LEVELS.length - 1) {
            log.error("event=heap_high usedMiB={} maxMiB={} percent={} action=restart_with_more_heap", mib(floor), mib(maxBytes), percent);
        } else {
            log.warn("event=heap_high usedMiB={} maxMiB={} percent={} action=plan_more_heap", mib(floor), mib(maxBytes), percent);
        }
        onHigh.accept(why);
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
