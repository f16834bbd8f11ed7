package dev.clearline.sequencer.replication;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.FastSigner;
import dev.clearline.sequencer.api.Gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A steady flow of signed orders from a few dev traders through one gateway, on its own thread,
 * at about one order every {@code periodMicros}. Every order sent is remembered with the moment it
 * was sent and the moment its acknowledgement arrived, so a test can ask what was acknowledged
 * before a kill and how long clients waited after it.
 */
final class TradingFlow implements AutoCloseable {
    record Sent(long sentNanos, CompletableFuture<ObjectNode> reply, AtomicLong ackNanos) {}

    private final Gateway gateway;
    private final Eip712 domain;
    private final List<FastSigner> traders;
    private final Random random;
    private final long periodNanos;
    private final List<Sent> sent = new ArrayList<>();
    private final Thread thread;
    private volatile boolean paused;
    /** Held while one order is signed, sent and recorded, so {@link #pause()} can wait for it to finish. */
    private final ReentrantLock sending = new ReentrantLock();
    private volatile boolean running = true;
    private long nonce;

    TradingFlow(Gateway gateway, Eip712 domain, int traders, long seed, long periodMicros) {
        this(gateway, domain, traders, seed, periodMicros, 1);
    }

    /** @param firstNonce the order nonce to start from (above any the traders used before) */
    TradingFlow(Gateway gateway, Eip712 domain, int traders, long seed, long periodMicros, long firstNonce) {
        this.nonce = firstNonce;
        this.gateway = gateway;
        this.domain = domain;
        this.traders = java.util.stream.IntStream.range(0, traders).mapToObj(FastSigner::dev).toList();
        this.random = new Random(seed);
        this.periodNanos = TimeUnit.MICROSECONDS.toNanos(periodMicros);
        this.thread = Thread.ofPlatform().daemon().name("trading-flow").start(this::run);
    }

    private void run() {
        long next = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            if (paused || now < next) {
                LockSupport.parkNanos(paused ? 1_000_000 : next - now);
                continue;
            }
            next += periodNanos;
            if (next < now - 10 * periodNanos) next = now; // do not burst after a stall
            sending.lock();
            try {
                if (!paused) sendOne(now);
            } finally {
                sending.unlock();
            }
        }
    }

    private void sendOne(long now) {
        FastSigner s = traders.get(random.nextInt(traders.size()));
        Order o = new Order(s.address(), 1, random.nextBoolean() ? Side.BUY : Side.SELL, (97 + random.nextInt(7)) * 100,
                (1 + random.nextInt(3)) * 1_000L, 0, TimeInForce.GTC, 0, 0, nonce++, 1_000_000);
        SignedOrder signed = new SignedOrder(o, domain.chainId(), domain.verifyingContract(), s.sign(domain.orderDigest(o)));
        AtomicLong ack = new AtomicLong();
        CompletableFuture<ObjectNode> f = gateway.place(signed);
        f.whenComplete((r, t) -> ack.set(System.nanoTime()));
        synchronized (sent) {
            sent.add(new Sent(now, f, ack));
        }
    }

    /**
     * Stops the flow and returns once no order is in the middle of being sent: every order sent
     * after this returns is sent after {@link #resume()}. (Without the wait, an order signed while
     * pause was called joined the list after a test had checked that everything was answered.)
     */
    void pause() {
        paused = true;
        sending.lock();
        sending.unlock();
    }

    void resume() {
        paused = false;
    }

    List<Sent> sent() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    /** Waits until every order sent so far has its answer; false if some did not get one in time. */
    boolean awaitAllAnswered(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            if (sent().stream().allMatch(x -> x.reply().isDone())) return true;
            Thread.sleep(20);
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
