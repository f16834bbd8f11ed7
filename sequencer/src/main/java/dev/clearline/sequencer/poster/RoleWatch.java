package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * Reads the rollup's sequencer every few seconds on every member and halts the member's trader API
 * while the rollup takes batches from another key than the operator's, lifting the halt once the
 * role comes back (or posting is opened to all). Only the leader posts, so before only its API
 * halted when governance handed the role away: the followers' APIs kept taking orders that no batch
 * of this operator could carry, and no API took orders again when the role came back until the
 * node was restarted. An L1 it cannot read changes nothing and is read again next round.
 */
public final class RoleWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoleWatch.class);

    private final Web3j web3j;
    private final Rollup rollup;
    private final String operator;
    private final long everyNanos;
    private final Consumer<String> halt;
    private final Runnable resume;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private volatile long rounds;

    private RoleWatch(String rpcUrl, String rollupAddress, String operator, Duration every, Consumer<String> halt, Runnable resume) {
        this.web3j = Web3j.build(new HttpService(rpcUrl));
        this.rollup = Rollup.load(rollupAddress, web3j, new ReadonlyTransactionManager(web3j, rollupAddress), new DefaultGasProvider());
        this.operator = operator;
        this.everyNanos = every.toNanos();
        this.halt = halt;
        this.resume = resume;
        this.thread = Thread.ofPlatform().daemon().name("role-watch").start(this::run);
    }

    /**
     * Starts watching whether {@code operator} may post to the rollup at {@code rollupAddress}: {@code halt} gets the
     * reason when it may not any more, {@code resume} runs when it may again.
     */
    public static RoleWatch start(String rpcUrl, String rollupAddress, String operator, Duration every, Consumer<String> halt, Runnable resume) {
        return new RoleWatch(rpcUrl, rollupAddress, operator, every, halt, resume);
    }

    /** Reads answered. */
    public long rounds() {
        return rounds;
    }

    private void run() {
        boolean halted = false;
        try {
            while (!stop.await(everyNanos, TimeUnit.NANOSECONDS)) {
                String designated;
                try {
                    designated = BatchPoster.call(() -> rollup.sequencer().send());
                } catch (java.io.IOException | RuntimeException e) {
                    continue; // the freeze watch and the L1 loop say when L1 does not answer
                }
                rounds++;
                boolean mayPost = new BigInteger(designated.substring(2), 16).signum() == 0 || designated.equalsIgnoreCase(operator);
                if (!mayPost && !halted) {
                    log.warn("event=sequencer_role_lost sequencer={} operator={}", designated, operator);
                    halt.accept("the rollup " + rollup.getContractAddress() + " takes batches from its sequencer " + designated
                            + ", not from this operator key " + operator + "; the node takes orders again by itself once governance"
                            + " names this key again (./clearline set-sequencer " + operator + ")");
                    halted = true;
                } else if (mayPost && halted) {
                    log.info("event=sequencer_role_returned operator={}", operator);
                    resume.run();
                    halted = false;
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
