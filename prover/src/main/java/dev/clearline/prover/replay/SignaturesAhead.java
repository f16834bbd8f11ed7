package dev.clearline.prover.replay;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.order.SignedDigest;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A signature verifier that recovers a batch's signers on other threads, ahead of the replay that
 * needs them. Two thirds of an order flow's transitions carry a signature, and one native recovery
 * costs about as much as the rest of a transition's replay: on the replaying thread it halves the
 * rate. A replay ({@link CalldataReplay#apply}) that finds this verifier in its STF tells it the
 * steps to come (a watcher tells it the next batch's too: {@link #prefetch}); worker threads take
 * them in chunks, from the last, and compute each step's digest ({@link Stf#signedDigest}) and
 * signer. When the STF asks for a signer, the answer recorded for
 * that step is used if it was recovered for the same digest and the same signature bytes;
 * otherwise, and on any other thread, the recovery runs there and then. A recovery is a pure
 * function of those two, so verdicts and roots are those of the plain verifier: only where the
 * CPU time is spent changes. A chunk no worker has started yet when the replay reaches it is
 * recovered by the replaying thread itself, so a busy machine never makes the replay wait for a
 * worker that has not run.
 */
public final class SignaturesAhead implements SignatureVerifier, AutoCloseable {
    /** Steps per unit of work handed to a worker: large enough that claiming one is cheap beside 10-20 recoveries. */
    static final int CHUNK = 32;

    private final SignatureVerifier recovery;
    private final ThreadPoolExecutor workers;
    private final int threads;
    private final int chunk;
    /** The batch being replayed and the thread replaying it; null between batches. */
    private volatile Lookahead current;
    /** Batches prefetched and not replayed yet, oldest first. */
    private final ArrayDeque<Lookahead> waiting = new ArrayDeque<>();

    /**
     * @param recovery the verifier that does the work, on the workers and as the fallback
     * @param threads  worker threads (created when a batch needs them, gone after 30 s without work)
     */
    public SignaturesAhead(SignatureVerifier recovery, int threads) {
        this(recovery, threads, CHUNK);
    }

    /** @param chunk steps per unit of work (tests cut small batches into many) */
    SignaturesAhead(SignatureVerifier recovery, int threads, int chunk) {
        if (threads < 1) throw new IllegalArgumentException("at least one worker thread, got " + threads);
        if (chunk < 1) throw new IllegalArgumentException("at least one step per chunk, got " + chunk);
        this.recovery = recovery;
        this.threads = threads;
        this.chunk = chunk;
        AtomicInteger made = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "signatures-ahead-" + made.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        workers.allowCoreThreadTimeOut(true);
    }

    /** Native recovery on every core but the one the replay runs on (one worker on a one- or two-core machine). */
    public static SignaturesAhead onOtherCores() {
        return new SignaturesAhead(new NativeSecp256k1Verifier(), Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
    }

    /** An STF whose replays recover signers ahead on the other cores: what a watcher, an escape and a CLI replay use. */
    public static Stf stf(Eip712 domain) {
        return new Stf(domain, onOtherCores());
    }

    public int threads() {
        return threads;
    }

    @Override
    public Address recover(Hash32 digest, Signature signature) {
        Lookahead ahead = current;
        if (ahead != null && ahead.replaying == Thread.currentThread()) {
            SignedDigest wanted = ahead.awaitStep();
            if (wanted != null && wanted.digest().equals(digest) && wanted.signature().equals(signature)) return ahead.signers[ahead.step];
        }
        return recovery.recover(digest, signature);
    }

    /**
     * Starts recovering the signers of a batch's steps before its replay begins, so the workers
     * are busy while the replay thread finishes the batch before it (its root, its commit). The
     * replay adopts this work when it is given the same list of steps; at most two batches wait.
     */
    public synchronized void prefetch(Stf stf, List<CalldataReplay.Step> steps) {
        while (waiting.size() >= 2) waiting.removeFirst().close();
        Lookahead ahead = new Lookahead(stf, steps, steps.size());
        waiting.addLast(ahead);
        ahead.start();
    }

    /**
     * {@link #prefetch} for a replay with {@code stf} of calldata that splits into transitions,
     * when {@code stf}'s verifier is a {@code SignaturesAhead}; else nothing.
     */
    public static void prefetchFor(Stf stf, CalldataReplay.Decoded decoded) {
        if (stf.verifier() instanceof SignaturesAhead ahead && decoded.tail().isEmpty()) ahead.prefetch(stf, decoded.steps());
    }

    /**
     * The lookahead for a replay of {@code steps[0, count)} on this thread: the prefetched one for
     * this very list, or a new one started now. Steps that did not decode are skipped. Close the
     * result when the replay ends, whether it applied every step or stopped early.
     */
    synchronized Lookahead begin(Stf stf, List<CalldataReplay.Step> steps, int count) {
        Lookahead ahead = null;
        while (ahead == null && !waiting.isEmpty()) {
            Lookahead w = waiting.removeFirst();
            if (w.steps == steps && w.stf == stf && count <= w.wanted.length) ahead = w;
            else w.close();
        }
        if (ahead == null) {
            ahead = new Lookahead(stf, steps, count);
            ahead.start();
        }
        ahead.replaying = Thread.currentThread();
        current = ahead;
        return ahead;
    }

    /** Chunks prefetched or begun whose signers are not all recovered yet (tests wait on it). */
    synchronized int pendingChunks() {
        int n = 0;
        for (Lookahead w : waiting) n += w.pending();
        Lookahead c = current;
        if (c != null && !waiting.contains(c)) n += c.pending();
        return n;
    }

    /** Stops the worker threads; the verifier still answers, on the asking thread. */
    @Override
    public synchronized void close() {
        current = null;
        waiting.forEach(Lookahead::close);
        waiting.clear();
        workers.shutdownNow();
    }

    /** One replay's steps, their digests and signers as the workers fill them in. */
    final class Lookahead implements AutoCloseable {
        private final Stf stf;
        private final List<CalldataReplay.Step> steps;
        private final SignedDigest[] wanted;
        private final Address[] signers;
        private final FutureTask<Void>[] chunks;
        /** The next chunk a worker takes is the one below this. */
        private final AtomicInteger claimFromEnd;
        /** The thread whose STF calls this lookahead answers; set when a replay begins with it. */
        private volatile Thread replaying;
        private volatile boolean closed;
        /** The step the replay is at; read and written by the replaying thread only. */
        private int step = -1;

        @SuppressWarnings("unchecked")
        private Lookahead(Stf stf, List<CalldataReplay.Step> steps, int count) {
            this.stf = stf;
            this.steps = steps;
            this.wanted = new SignedDigest[count];
            this.signers = new Address[count];
            this.chunks = new FutureTask[(count + chunk - 1) / chunk];
            for (int c = 0; c < chunks.length; c++) {
                int from = c * chunk;
                int to = Math.min(count, from + chunk);
                chunks[c] = new FutureTask<>(() -> recoverSteps(from, to), null);
            }
            this.claimFromEnd = new AtomicInteger(chunks.length);
        }

        /** Hands the chunks to the workers (the replaying thread takes any they have not started when it gets there). */
        private void start() {
            int helpers = Math.min(threads, chunks.length);
            for (int i = 0; i < helpers; i++) workers.execute(this::work);
        }

        /** The replay is about to apply step {@code i}. */
        void at(int i) {
            step = i;
        }

        /**
         * A worker's loop: chunks from the last one down, until none is left or the replay is over.
         * The replaying thread recovers from the first one up whatever no worker has started, so
         * the two meet in the middle and neither waits for the other but at the chunk where they
         * meet. (Workers going first to last, the replay would catch up with one and wait on it at
         * every chunk whenever recovery is the slower half.)
         */
        private void work() {
            for (int c = claimFromEnd.decrementAndGet(); c >= 0 && !closed; c = claimFromEnd.decrementAndGet()) chunks[c].run();
        }

        private void recoverSteps(int from, int to) {
            for (int i = from; i < to && !closed; i++) {
                Transition t = steps.get(i).transition();
                if (t == null) continue;
                try {
                    SignedDigest sd = stf.signedDigest(t);
                    if (sd == null) continue;
                    signers[i] = recovery.recover(sd.digest(), sd.signature());
                    wanted[i] = sd; // after the signer: a step with its digest set has its answer
                } catch (RuntimeException e) {
                    // leave the step unanswered: the STF's own call recovers it and meets the same failure there
                }
            }
        }

        /**
         * The digest and signature recovered for the current step, waiting for its chunk (or
         * recovering that chunk here when no worker has started it); null: nothing recorded.
         */
        private SignedDigest awaitStep() {
            if (step < 0 || step >= wanted.length) return null;
            FutureTask<Void> mine = chunks[step / chunk];
            mine.run(); // does nothing when a worker has it or had it
            try {
                mine.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException e) {
                return null;
            }
            return wanted[step];
        }

        /** Chunks whose signers are not all recovered yet (tests wait on it). */
        int pending() {
            int n = 0;
            for (FutureTask<Void> c : chunks) if (!c.isDone()) n++;
            return n;
        }

        @Override
        public void close() {
            closed = true;
            if (current == this) current = null;
        }
    }
}
