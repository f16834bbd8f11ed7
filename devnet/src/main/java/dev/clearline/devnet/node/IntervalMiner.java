package dev.clearline.devnet.node;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mines a block every interval, whatever automine does: {@code --block-time} at start,
 * {@code evm_setIntervalMining} at run time (0 stops it), as on Hardhat's node. A block is mined
 * even when nothing waits, as a chain's clock would.
 */
public final class IntervalMiner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IntervalMiner.class);
    private final DevnetNode node;
    private ScheduledExecutorService scheduler;
    private ScheduledFuture<?> task;
    private long intervalMillis;

    public IntervalMiner(DevnetNode node) {
        this.node = node;
    }

    /** Mines every {@code millis} from now on; 0 stops. */
    public synchronized void set(long millis) {
        if (millis < 0) throw new IllegalArgumentException("an interval cannot be negative: " + millis + " ms");
        if (task != null) task.cancel(false);
        task = null;
        intervalMillis = millis;
        if (millis == 0) return;
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "devnet-miner");
                t.setDaemon(true);
                return t;
            });
        }
        task = scheduler.scheduleAtFixedRate(this::mineOne, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** The interval in milliseconds; 0 when off. */
    public synchronized long intervalMillis() {
        return intervalMillis;
    }

    private void mineOne() {
        try {
            node.mine(null);
        } catch (RuntimeException e) {
            // A failed block must not cancel the schedule: log it and try again next interval.
            LOG.error("interval mining failed block={} error={}", node.blockNumber() + 1, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) scheduler.shutdownNow();
        task = null;
    }
}
