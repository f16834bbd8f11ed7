package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads the rollup every few seconds and hands a freeze over once. In a replicated cluster only the
 * leader runs the L1 loop, so only it learned of a freeze: each member stopped when it came to lead,
 * and the last one, left without a quorum, could never lead and waited for ever instead of stopping.
 * Every member of a cluster runs this watch, so all of them stop. An L1 it cannot read is tried again
 * on the next round (logged once until it answers again): the watch only ever stops a node, so a
 * missed round costs a few seconds, not an order.
 */
public final class FreezeWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FreezeWatch.class);

    private final Web3j web3j;
    private final Rollup rollup;
    private final long everyNanos;
    private final Consumer<BatchPoster.Frozen> onFrozen;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private volatile long rounds;
    private volatile long unanswered;

    private FreezeWatch(String rpcUrl, String rollupAddress, Duration every, Consumer<BatchPoster.Frozen> onFrozen) {
        this.web3j = Web3j.build(new HttpService(rpcUrl));
        this.rollup = Rollup.load(rollupAddress, web3j, new ReadonlyTransactionManager(web3j, rollupAddress), new DefaultGasProvider());
        this.everyNanos = every.toNanos();
        this.onFrozen = onFrozen;
        this.thread = Thread.ofPlatform().daemon().name("freeze-watch").start(this::run);
    }

    /** Starts watching the rollup at {@code rollupAddress} through {@code rpcUrl}, one read each {@code every}. */
    public static FreezeWatch start(String rpcUrl, String rollupAddress, Duration every, Consumer<BatchPoster.Frozen> onFrozen) {
        return new FreezeWatch(rpcUrl, rollupAddress, every, onFrozen);
    }

    /** Reads done, answered or not. */
    public long rounds() {
        return rounds;
    }

    /** Reads the L1 did not answer. */
    public long unanswered() {
        return unanswered;
    }

    private void run() {
        boolean quiet = false;
        try {
            while (!stop.await(everyNanos, TimeUnit.NANOSECONDS)) {
                try {
                    var frozen = BatchPoster.Frozen.of(rollup);
                    rounds++;
                    quiet = false;
                    if (frozen.isPresent()) {
                        log.warn("event=rollup_frozen {}", frozen.get().getMessage());
                        onFrozen.accept(frozen.get());
                        return;
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    rounds++;
                    unanswered++;
                    if (!quiet) log.warn("event=freeze_watch_unanswered error=\"{}\" action=retry_next_round", e.getMessage());
                    quiet = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.countDown();
        thread.join(TimeUnit.SECONDS.toMillis(30));
        web3j.shutdown();
    }
}
