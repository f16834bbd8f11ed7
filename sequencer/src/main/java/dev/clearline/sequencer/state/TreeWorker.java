package dev.clearline.sequencer.state;

import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.transition.Transition;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Applies command groups to the {@link BatchBuilder} (the STF on the Merkle tree) on a thread of
 * its own, behind the state machine: an acknowledgement needs the matching result and the
 * exchange mirror's verdict, not the tree, so the service thread hands each group over and goes on.
 * It waits ({@link #sync()}) only where the tree's answer is part of an output: a command that
 * seals a batch (the reply carries its roots), a state-root read, a snapshot. The groups are applied
 * in the order they came, by one thread, to the same builder, so every root, batch and reply is the
 * one the synchronous run gives; only which thread spends the CPU changes.
 *
 * <p>A transition the tree refuses (the mirror accepted it: a determinism bug) stops the worker;
 * the next {@link #submit} or {@link #sync()} throws, so the node stops as it would have
 * synchronously, at most one batch later.
 */
final class TreeWorker implements AutoCloseable {
    private final BatchBuilder batches;
    private final Thread thread;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private boolean busy;
    private boolean closed;
    private RuntimeException failure;

    private record Job(List<Transition> group, long now) {}

    TreeWorker(BatchBuilder batches, ThreadFactory threads) {
        this.batches = batches;
        this.thread = threads.newThread(this::run);
        thread.start();
    }

    /** The worker's thread (its CPU time is the tree's share of the work). */
    Thread thread() {
        return thread;
    }

    /** Queues one command's group; it must not seal a batch (see {@link BatchCuts}). */
    void submit(List<Transition> group, long now) {
        synchronized (this) {
            rethrow();
            if (closed) throw new IllegalStateException("the tree worker is closed");
            queue.addLast(new Job(group, now));
            if (queue.size() == 1 && !busy) notifyAll();
        }
    }

    /** Waits until every queued group is in the builder; then the builder may be used on this thread. */
    void sync() {
        boolean interrupted = false;
        synchronized (this) {
            while ((busy || !queue.isEmpty()) && failure == null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the state machine cannot go on without the tree: finish waiting
                }
            }
            rethrow();
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
    }

    private void run() {
        ArrayDeque<Job> taken = new ArrayDeque<>();
        while (true) {
            synchronized (this) {
                busy = false;
                notifyAll();
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (queue.isEmpty()) return;
                taken.addAll(queue);
                queue.clear();
                busy = true;
            }
            try {
                for (Job j; (j = taken.pollFirst()) != null; ) apply(j);
            } catch (RuntimeException e) {
                synchronized (this) {
                    failure = e;
                    busy = false;
                    queue.clear();
                    notifyAll();
                }
                return;
            }
        }
    }

    private void apply(Job j) {
        List<Outcome> outcomes = batches.appendAll(j.group(), j.now());
        SequencerState.checkApplied(j.group(), outcomes);
        if (batches.openTransitions() == 0) {
            throw new IllegalStateException("a group the cut predictor said would not seal sealed a batch (a bug in BatchCuts)");
        }
    }

    private void rethrow() {
        if (failure != null) throw new IllegalStateException("the tree worker stopped: " + failure.getMessage(), failure);
    }
}
