package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * What every member of a cluster reads from the rollup on its own, every few seconds, because only
 * the leader runs the L1 loop: whether the rollup froze and whether it still takes batches from this
 * operator's key.
 * <ul>
 *   <li>A freeze is handed over once and the watch ends: each member stopped only when it came to
 *   lead, and the last one, left without a quorum, could never lead and waited for ever.</li>
 *   <li>The role: while governance names another key, no batch of this operator can carry what a
 *   member's API takes, so every member's API halts (before, only the leader's did) and takes orders
 *   again by itself once the role is back or posting is opened to all.</li>
 * </ul>
 * An L1 it cannot read changes nothing and is read again next round (logged once until it answers):
 * a missed round costs a few seconds, not an order. One watch does both reads: two watches ran a
 * thread and an HTTP client each for the same loop.
 */
public final class RollupWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RollupWatch.class);

    /** What the watch tells the node; called on the watch's thread. */
    public interface Listener {
        /** The rollup froze; called once, the last call. */
        void frozen(BatchPoster.Frozen why);

        /** Another key than the operator's holds the sequencer role; {@code why} says what lifts it. */
        void roleLost(String why);

        /** The operator may post again (after {@link #roleLost}). */
        void roleBack();
    }

    private final Web3j web3j;
    private final Rollup rollup;
    private final String operator;
    private final long everyNanos;
    private final Listener listener;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private volatile long rounds;
    private volatile long unanswered;

    private RollupWatch(String rpcUrl, String rollupAddress, String operator, Duration every, Listener listener) {
        this.web3j = Web3j.build(new HttpService(rpcUrl));
        this.rollup = Rollup.load(rollupAddress, web3j, new ReadonlyTransactionManager(web3j, rollupAddress), new DefaultGasProvider());
        this.operator = operator;
        this.everyNanos = every.toNanos();
        this.listener = listener;
        this.thread = Thread.ofPlatform().daemon().name("rollup-watch").start(this::run);
    }

    /** Starts watching the rollup at {@code rollupAddress} through {@code rpcUrl} for {@code operator}, one round each {@code every}. */
    public static RollupWatch start(String rpcUrl, String rollupAddress, String operator, Duration every, Listener listener) {
        return new RollupWatch(rpcUrl, rollupAddress, operator, every, listener);
    }

    /** Rounds done, answered or not. */
    public long rounds() {
        return rounds;
    }

    /** Rounds the L1 did not answer. */
    public long unanswered() {
        return unanswered;
    }

    private void run() {
        boolean quiet = false;
        boolean roleLost = false;
        try {
            while (!stop.await(everyNanos, TimeUnit.NANOSECONDS)) {
                try {
                    var frozen = BatchPoster.Frozen.of(rollup);
                    if (frozen.isPresent()) {
                        rounds++;
                        log.warn("event=rollup_frozen {}", frozen.get().getMessage());
                        listener.frozen(frozen.get());
                        return;
                    }
                    String designated = BatchPoster.call(() -> rollup.sequencer().send());
                    rounds++;
                    quiet = false;
                    boolean mayPost = new BigInteger(designated.substring(2), 16).signum() == 0 || designated.equalsIgnoreCase(operator);
                    if (!mayPost && !roleLost) {
                        log.warn("event=sequencer_role_lost sequencer={} operator={}", designated, operator);
                        listener.roleLost("the rollup " + rollup.getContractAddress() + " takes batches from its sequencer " + designated
                                + ", not from this operator key " + operator + "; the node takes orders again by itself once governance"
                                + " names this key again (./clearline set-sequencer " + operator + ")");
                        roleLost = true;
                    } else if (mayPost && roleLost) {
                        log.info("event=sequencer_role_returned operator={}", operator);
                        listener.roleBack();
                        roleLost = false;
                    }
                } catch (IOException | RuntimeException e) {
                    rounds++;
                    unanswered++;
                    if (!quiet) log.warn("event=rollup_watch_unanswered error=\"{}\" action=retry_next_round", e.getMessage());
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
