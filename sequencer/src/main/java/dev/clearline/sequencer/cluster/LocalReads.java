package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.command.Command;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Reads a member answers from its own state between two log messages, without putting them in the log.
 * A query sent through the log costs a log entry that every member replicates, archives and applies,
 * although it changes nothing; a read only needs some state at least as new as what its reader has
 * already been told. So the trader API's reads (an order, an account, a book's depth, the state's
 * summary) come here: any thread asks ({@link #ask}), naming the lowest sequence number the answer may
 * be at (the newest its gateway has seen, so a trader reads its own acknowledged writes), and the
 * service thread answers ({@link #serve}) each read whose floor its state has reached, in the order they
 * were asked. A member whose state stays behind a read's floor (a follower catching up) gives it up
 * after {@link #WAIT_NANOS}; so does a full queue or a member without a state: the caller then sends
 * the query through the log, as before.
 */
public final class LocalReads {
    /** How long a read waits for this member's state to reach its floor before it is given up. */
    public static final long WAIT_NANOS = 1_000_000_000L;
    /** Reads waiting at most; one more is given up at once (the log takes it). */
    public static final int MAX_WAITING = 10_000;
    /**
     * Reads answered at most per {@link #serve}: the service thread answers them between log messages, so a burst of
     * reads must not hold the next command back for long (a few hundred reads are about a millisecond).
     */
    public static final int MAX_PER_SERVE = 256;
    /**
     * CPU time a {@link #serve} spends answering before it leaves the rest for the next call (it answers one at least):
     * a read of every market's deep book costs far more than an account's, and the count alone would not bound a burst
     * of those.
     */
    public static final long SERVE_BUDGET_NANOS = 1_000_000L;

    /** Why a read was not answered here: the caller reads through the log instead. */
    public static final class NotHere extends RuntimeException {
        public NotHere(String why) {
            super(why, null, false, false);
        }
    }

    private record Asked(Command.Query query, long atLeastSeq, CompletableFuture<byte[]> answer) {}

    private static final class Waiting {
        final Asked asked;
        final long since;

        Waiting(Asked asked, long since) {
            this.asked = asked;
            this.since = since;
        }
    }

    private final java.util.function.LongSupplier clock;
    private final ConcurrentLinkedQueue<Asked> intake = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    /** Service thread only. */
    private final List<Waiting> waiting = new ArrayList<>();
    private volatile boolean closed;

    /** @param clock nanoseconds, what a {@link #serve}'s budget is measured with ({@code System::nanoTime}; tests pass their own) */
    public LocalReads(java.util.function.LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * A read of {@code query} from a state at sequence number {@code atLeastSeq} or later: completes with the reply's
     * bytes as the log would have carried them, or with {@link NotHere}.
     */
    public CompletableFuture<byte[]> ask(Command.Query query, long atLeastSeq) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        if (closed) return failed(f, "this member has stopped");
        if (size.incrementAndGet() > MAX_WAITING) {
            size.decrementAndGet();
            return failed(f, "more than " + MAX_WAITING + " reads wait here");
        }
        intake.add(new Asked(query, atLeastSeq, f));
        if (closed) drainFailing("this member has stopped"); // closed meanwhile: nobody serves the intake any more
        return f;
    }

    /**
     * On the service thread, between log messages: answers each waiting read whose floor {@code seq} has reached (oldest
     * first, at most {@link #MAX_PER_SERVE} or {@link #SERVE_BUDGET_NANOS} of the clock's time; the rest wait for the
     * next call), with
     * {@code answer} (a reply's bytes; a read it throws on fails with its message), and gives up those that waited
     * longer than {@link #WAIT_NANOS} by {@code nowNanos}. {@code seq} below 0: no state here yet, every read is given up.
     *
     * @return reads answered or given up (the duty cycle's work count)
     */
    public int serve(long seq, Function<Command.Query, byte[]> answer, long nowNanos) {
        Asked a;
        while ((a = intake.poll()) != null) waiting.add(new Waiting(a, nowNanos));
        if (waiting.isEmpty()) return 0;
        int done = 0, answered = 0, kept = 0;
        long stopAt = clock.getAsLong() + SERVE_BUDGET_NANOS;
        boolean spent = false;
        // one pass, keeping what stays in place (oldest first): a removal from the middle of a long list costs a copy
        for (int i = 0; i < waiting.size(); i++) {
            Waiting w = waiting.get(i);
            boolean ready = seq >= 0 && seq >= w.asked.atLeastSeq;
            if (!spent && ready && answered > 0 && (answered >= MAX_PER_SERVE || clock.getAsLong() >= stopAt)) spent = true;
            if (spent || !ready && seq >= 0 && nowNanos - w.since < WAIT_NANOS) {
                waiting.set(kept++, w);
                continue;
            }
            size.decrementAndGet();
            done++;
            if (!ready) {
                w.asked.answer.completeExceptionally(new NotHere(seq < 0 ? "this member has no state yet"
                        : "this member's state is at seq " + seq + ", behind " + w.asked.atLeastSeq + " after " + WAIT_NANOS / 1_000_000 + " ms"));
                continue;
            }
            answered++;
            try {
                w.asked.answer.complete(answer.apply(w.asked.query));
            } catch (RuntimeException e) {
                w.asked.answer.completeExceptionally(new NotHere("the read failed here: " + e));
            }
        }
        waiting.subList(kept, waiting.size()).clear();
        return done;
    }

    /** Reads asked and not yet answered or given up. */
    public int waiting() {
        return size.get();
    }

    /**
     * Gives up every read still waiting, and every later one at once: the member stops, and none may hang. On the service
     * thread (its waiting list is that thread's); a caller that never sees this member serve again has its own time limit.
     */
    public void close() {
        closed = true;
        for (Waiting w : waiting) {
            size.decrementAndGet();
            w.asked.answer.completeExceptionally(new NotHere("this member has stopped"));
        }
        waiting.clear();
        drainFailing("this member has stopped");
    }

    private void drainFailing(String why) {
        Asked a;
        while ((a = intake.poll()) != null) {
            size.decrementAndGet();
            a.answer.completeExceptionally(new NotHere(why));
        }
    }

    private static CompletableFuture<byte[]> failed(CompletableFuture<byte[]> f, String why) {
        f.completeExceptionally(new NotHere(why));
        return f;
    }
}
