package dev.clearline.sequencer.state;

import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.transition.Transition;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * Applies command groups to the {@link BatchBuilder} (the STF on the Merkle tree) on a thread of
 * its own, behind the state machine: an acknowledgement needs the matching result and the
 * exchange mirror's verdict, not the tree, so the service thread hands each group over and goes on.
 * It waits ({@link #sync()}) only where the tree's answer is part of an output: a command that
 * seals a batch (the reply carries its roots), a state-root read, a snapshot. The groups are applied
 * in the order they came, by one thread, to the same builder, so every root, batch and reply is the
 * one the synchronous run gives; only which thread spends the CPU changes.
 *
 * <p>The hand-off is a single-producer single-consumer ring (the service thread offers, the worker
 * polls): no lock and no notification per command. A worker that finds the ring empty sleeps,
 * after saying so in a volatile flag, and a submit wakes it only once {@link #WAKE_BACKLOG} groups
 * wait; {@link #sync()} (a seal, a root read, a snapshot) wakes it whatever waits. So a submit is an
 * offer and the read of one flag, and the worker wakes once per {@link #WAKE_BACKLOG} commands
 * instead of once per command; the monitor and {@code notifyAll} per command this replaced were
 * 15 % of a follower's service thread (docs/replication.md). The price: a sync may wait for up to
 * that many groups the worker has not started on, a fraction of a millisecond once per batch.
 * Each side writes its own flag or slot, fences, then reads the other side's, so one of them
 * always sees the other: no wake-up is lost.
 *
 * <p>A worker that runs dry with at least {@link #SETTLE_AFTER} transitions applied since it last
 * did so settles them ({@link BatchBuilder#settle()}): it hashes them into a tree version while
 * nothing waits for it, so the sealing command's reply no longer waits for a whole batch's hashing
 * on the state machine's thread. With 1,024 transitions a batch, that hashing stalled the service
 * thread some 10-12 ms about every 340 ms at 2,000 orders/s, the ack latency's p99
 * (sequencer/README.md, "The seal's stall"). Under load the ring is seldom empty and the worker
 * seldom settles, so the seal shares the hashing of upper nodes across the whole batch as before.
 *
 * <p>A transition the tree refuses (the mirror accepted it: a determinism bug) stops the worker;
 * the next {@link #submit} or {@link #sync()} throws, so the node stops as it would have
 * synchronously, at most one batch later.
 */
final class TreeWorker implements AutoCloseable {
    /** Ring slots: a batch (at most a few thousand groups) between two syncs; a full ring makes the submitter wait. */
    private static final int CAPACITY = 4096;
    /** Groups waiting before a submit wakes a sleeping worker: the most a sync waits for beyond the group in progress. */
    static final int WAKE_BACKLOG = 16;
    /** How long the submitter parks before it looks again while it waits for the worker (sync, a full ring). */
    private static final long PARK_NANOS = 1_000_000;
    /** Transitions applied since the last settle before a worker that runs dry settles them. */
    static final int SETTLE_AFTER = 64;

    private final BatchBuilder batches;
    private final int settleAfter;
    /** Transitions applied since the last settle (the worker's own count; a seal by the other thread is not seen, and a settle with nothing pending costs nothing). */
    private int unsettled;
    private final Thread thread;
    private final OneToOneConcurrentArrayQueue<Job> queue = new OneToOneConcurrentArrayQueue<>(CAPACITY);
    /** Groups offered so far (the submitting thread's count). */
    private long submitted;
    /** Groups the worker applied so far (written by the worker only). */
    private volatile long applied;
    /** The worker found the ring empty and sleeps until woken, or is about to. */
    private volatile boolean asleep;
    /** The thread waiting in {@link #sync()} or on a full ring, if any. */
    private volatile Thread waiter;
    private volatile boolean closed;
    private volatile RuntimeException failure;

    private record Job(List<Transition> group, long now) {}

    TreeWorker(BatchBuilder batches, ThreadFactory threads) {
        this(batches, threads, SETTLE_AFTER);
    }

    /** @param settleAfter transitions applied before a worker that runs dry settles them (tests use a few) */
    TreeWorker(BatchBuilder batches, ThreadFactory threads, int settleAfter) {
        if (settleAfter < 1) throw new IllegalArgumentException("settleAfter must be at least 1, not " + settleAfter);
        this.batches = batches;
        this.settleAfter = settleAfter;
        this.thread = threads.newThread(this::run);
        thread.start();
    }

    /** The worker's thread (its CPU time is the tree's share of the work). */
    Thread thread() {
        return thread;
    }

    /** Queues one command's group; it must not seal a batch (see {@link BatchCuts}). Called by one thread only. */
    void submit(List<Transition> group, long now) {
        rethrow();
        if (closed) throw new IllegalStateException("the tree worker is closed");
        Job job = new Job(group, now);
        if (!queue.offer(job)) {
            boolean interrupted = awaitRoom(job);
            if (interrupted) Thread.currentThread().interrupt();
        }
        submitted++;
        VarHandle.fullFence(); // the offer before the read of asleep (the worker writes it, then reads the ring)
        if (asleep && queue.size() >= WAKE_BACKLOG) LockSupport.unpark(thread);
    }

    private boolean awaitRoom(Job job) {
        boolean interrupted = false;
        waiter = Thread.currentThread();
        try {
            while (!queue.offer(job)) {
                rethrow();
                LockSupport.unpark(thread); // it has work: make sure it is not asleep
                LockSupport.parkNanos(this, PARK_NANOS);
                if (Thread.interrupted()) interrupted = true; // the state machine cannot go on without the tree
            }
        } finally {
            waiter = null;
        }
        return interrupted;
    }

    /** Waits until every queued group is in the builder; then the builder may be used on this thread. */
    void sync() {
        if (applied == submitted) {
            rethrow();
            return;
        }
        boolean interrupted = false;
        waiter = Thread.currentThread();
        try {
            VarHandle.fullFence(); // waiter before the read of applied (the worker writes applied, then reads waiter)
            while (applied != submitted && failure == null) {
                LockSupport.unpark(thread); // asleep with less than a backlog, or about to: it has work now
                LockSupport.parkNanos(this, PARK_NANOS);
                if (Thread.interrupted()) interrupted = true; // the state machine cannot go on without the tree: finish waiting
            }
        } finally {
            waiter = null;
        }
        if (interrupted) Thread.currentThread().interrupt();
        rethrow();
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }

    private void run() {
        long done = 0;
        try {
            while (true) {
                Job j = queue.poll();
                if (j != null) {
                    apply(j);
                    unsettled += j.group().size();
                    // before the group counts as applied, so a sync never finds the builder in use
                    if (unsettled >= settleAfter && queue.isEmpty()) {
                        batches.settle();
                        unsettled = 0;
                    }
                    applied = ++done;
                    continue;
                }
                wakeWaiter();
                if (closed) {
                    if (queue.isEmpty()) return;
                    continue;
                }
                asleep = true;
                VarHandle.fullFence(); // asleep before the read of the ring (the submitter offers, then reads asleep)
                // until a backlog, a sync or close wakes it (a wake-up may also come early: it just looks again)
                if (queue.size() < WAKE_BACKLOG && !closed) LockSupport.park(this);
                asleep = false;
                if (Thread.interrupted()) closed = true;
            }
        } catch (RuntimeException | Error e) {
            failure = e instanceof RuntimeException r ? r : new IllegalStateException(e.toString(), e);
            queue.clear();
            wakeWaiter();
        }
    }

    /** After the ring ran dry (or the worker failed): a thread waiting in sync may now go on. */
    private void wakeWaiter() {
        VarHandle.fullFence(); // applied before the read of waiter (sync writes waiter, then reads applied)
        Thread w = waiter;
        if (w != null) LockSupport.unpark(w);
    }

    private void apply(Job j) {
        List<Outcome> outcomes = batches.appendAll(j.group(), j.now());
        SequencerState.checkApplied(j.group(), outcomes);
        if (batches.openTransitions() == 0) {
            throw new IllegalStateException("a group the cut predictor said would not seal sealed a batch (a bug in BatchCuts)");
        }
    }

    private void rethrow() {
        RuntimeException f = failure;
        if (f != null) throw new IllegalStateException("the tree worker stopped: " + f.getMessage(), f);
    }
}
