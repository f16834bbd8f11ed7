package dev.clearline.prover.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Recovering signers ahead on other threads ({@link SignaturesAhead}) changes where the CPU time
 * goes and nothing else: over trading histories whose signatures are partly forged (one step's
 * signature on another step's digest, a flipped byte, the malleable high-s twin), replayed batch
 * by batch with and without prefetching, with prefixes and with prefetched batches that never
 * come, every batch's first refusal and every root are those of the plain verifier.
 */
class SignaturesAheadProperties {
    private static final BigInteger N = new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);

    /** A history's batches as calldata, some signatures forged, and how the replay with lookahead is driven. */
    record Case(List<byte[]> batches, int threads, int chunk, long driveSeed, int forged) {
        @Override
        public String toString() {
            return batches.size() + " batches, " + forged + " signatures forged, " + threads + " worker thread(s), chunks of " + chunk
                    + ", drive seed " + driveSeed;
        }
    }

    static Gen<Case> cases() {
        return ReplaysAgreeProperties.histories().flatMap(h -> Gen.of(r -> forge(h, r)));
    }

    private static Case forge(ReplaysAgreeProperties.History h, RandomGenerator r) {
        List<List<Transition>> batches = new ArrayList<>();
        List<Signature> signatures = new ArrayList<>();
        for (PostedBatch p : h.batches()) {
            List<Transition> ts = new ArrayList<>();
            for (CalldataReplay.Step s : CalldataReplay.decode(p.calldata()).steps()) {
                ts.add(s.transition());
                Signature sig = signatureOf(s.transition());
                if (sig != null) signatures.add(sig);
            }
            batches.add(ts);
        }
        int forged = 0;
        for (List<Transition> ts : batches) {
            for (int i = 0; i < ts.size(); i++) {
                Signature sig = signatureOf(ts.get(i));
                if (sig == null || r.nextInt(4) != 0) continue;
                byte[] e = sig.encoded();
                switch (r.nextInt(3)) {
                    case 0 -> e = signatures.get(r.nextInt(signatures.size())).encoded(); // a real signature, over another digest
                    case 1 -> e[r.nextInt(64)] ^= (byte) (1 << r.nextInt(8));           // a flipped bit of r or s
                    default -> {                                                          // s -> n - s, v flipped: same signer, not canonical
                        byte[] s = N.subtract(new BigInteger(1, java.util.Arrays.copyOfRange(e, 32, 64))).toByteArray();
                        byte[] s32 = new byte[32];
                        System.arraycopy(s, Math.max(0, s.length - 32), s32, Math.max(0, 32 - s.length), Math.min(32, s.length));
                        System.arraycopy(s32, 0, e, 32, 32);
                        e[64] = (byte) (e[64] == 27 ? 28 : 27);
                    }
                }
                ts.set(i, withSignature(ts.get(i), new Signature(e)));
                forged++;
            }
        }
        List<byte[]> calldata = new ArrayList<>();
        for (List<Transition> ts : batches) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Transition t : ts) out.writeBytes(TransitionCodec.encode(t));
            calldata.add(out.toByteArray());
        }
        return new Case(calldata, 1 + r.nextInt(3), 1 + r.nextInt(4), r.nextLong(), forged);
    }

    private static Signature signatureOf(Transition t) {
        return switch (t) {
            case Transition.PostOrder p -> p.signature();
            case Transition.OraclePrice o -> o.signature();
            case Transition.Cancel c -> c.signature();
            case Transition.Allocate a -> a.signature();
            case Transition.Release rel -> rel.signature();
            case Transition.Withdraw w -> w.signature();
            default -> null;
        };
    }

    private static Transition withSignature(Transition t, Signature s) {
        return switch (t) {
            case Transition.PostOrder p -> new Transition.PostOrder(p.order(), s);
            case Transition.OraclePrice o -> new Transition.OraclePrice(o.marketId(), o.price(), o.fundingIndex(), o.timestamp(), s);
            case Transition.Cancel c -> new Transition.Cancel(c.owner(), c.orderHash(), s);
            case Transition.Allocate a -> new Transition.Allocate(a.owner(), a.marketId(), a.amount(), a.nonce(), s);
            case Transition.Release rel -> new Transition.Release(rel.owner(), rel.marketId(), rel.amount(), rel.nonce(), s);
            case Transition.Withdraw w -> new Transition.Withdraw(w.owner(), w.recipient(), w.amount(), w.nonce(), s);
            default -> throw new IllegalArgumentException("no signature in " + t);
        };
    }

    /** One batch's replay: how far it got and the root after it. */
    record Replayed(CalldataReplay.Applied applied, Hash32 root) {}

    /** The STF `watch`, `escape` and `propose` replay with: native recovery ahead on every core but the replay's, the roots L1 holds. */
    @Test
    void theStfTheCliReplaysWithRecoversAheadOnTheOtherCores(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Stf stf = SignaturesAhead.stf(TestBatches.DOMAIN);
        assertThat(stf.verifier()).isInstanceOfSatisfying(SignaturesAhead.class,
                a -> assertThat(a.threads()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() - 1)));
        List<PostedBatch> batches = TestBatches.honest(4, 3, 2);
        ScriptedL1 l1 = new ScriptedL1();
        for (PostedBatch b : batches) l1.mine(b);
        try (var store = dev.clearline.prover.store.ReplayStore.open(dir, "chain=31337 rollup=0x00")) {
            Replayer replayer = new Replayer(l1, store, stf, new Replayer.Settings(0, 2, 64), new ReplayListener() {});
            assertThat(replayer.poll().fraud()).isZero();
            assertThat(replayer.verifier().verifiedRoot()).isEqualTo(batches.getLast().header().postStateRoot());
        }
    }

    @Test
    void recoveringAheadGivesEveryRefusalAndEveryRootOfThePlainVerifier() {
        Property.forAll(cases()).tries(40).check(c -> {
            Stf plain = new Stf(TestBatches.DOMAIN, new NativeSecp256k1Verifier());
            try (SignaturesAhead ahead = new SignaturesAhead(new NativeSecp256k1Verifier(), c.threads(), c.chunk())) {
                Stf stf = new Stf(TestBatches.DOMAIN, ahead);
                TreeLeafStore expected = new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore(), 0));
                TreeLeafStore actual = new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore(), 0));
                RandomGenerator drive = new java.util.SplittableRandom(c.driveSeed());
                List<CalldataReplay.Decoded> decoded = c.batches().stream().map(CalldataReplay::decode).toList();
                for (int b = 0; b < decoded.size(); b++) {
                    List<CalldataReplay.Step> steps = decoded.get(b).steps();
                    // the watcher's way (this batch and the next prefetched), a stale prefetch of a batch that never comes, or none
                    switch (drive.nextInt(4)) {
                        case 0 -> {
                            SignaturesAhead.prefetchFor(stf, decoded.get(b));
                            if (b + 1 < decoded.size()) SignaturesAhead.prefetchFor(stf, decoded.get(b + 1));
                        }
                        case 1 -> SignaturesAhead.prefetchFor(stf, CalldataReplay.decode(c.batches().get(drive.nextInt(c.batches().size()))));
                        case 2 -> SignaturesAhead.prefetchFor(stf, decoded.get(b));
                        default -> { }
                    }
                    // a bisection replays a prefix of a batch
                    int count = drive.nextInt(5) == 0 ? drive.nextInt(steps.size() + 1) : steps.size();
                    CalldataReplay.OnRefusal onRefusal = drive.nextBoolean() ? CalldataReplay.OnRefusal.SKIP : CalldataReplay.OnRefusal.STOP;
                    Replayed want = replay(plain, expected, steps, count, b, onRefusal);
                    Replayed got = replay(stf, actual, steps, count, b, onRefusal);
                    assertThat(got).as("batch %d, %d of %d steps, %s", b, count, steps.size(), onRefusal).isEqualTo(want);
                }
            }
        });
    }

    /** Waits until the workers have recovered every chunk asked of them (at most 20 s, then fails). */
    private static void awaitRecovered(SignaturesAhead ahead) throws InterruptedException {
        for (int waited = 0; ahead.pendingChunks() > 0 && waited < 20_000; waited++) Thread.sleep(1);
        assertThat(ahead.pendingChunks()).as("chunks still unrecovered after 20,000 waits of 1 ms").isZero();
    }

    private static Replayed replay(Stf stf, TreeLeafStore store, List<CalldataReplay.Step> steps, int count, long batch,
                                   CalldataReplay.OnRefusal onRefusal) {
        CalldataReplay.Applied applied = CalldataReplay.apply(stf, store, steps, count, batch, onRefusal, CalldataReplay.AfterStep.NONE);
        store.commit();
        return new Replayed(applied, store.root());
    }

    /** Counts recoveries by the thread that made them. */
    private static final class Counting implements SignatureVerifier {
        final Map<Thread, AtomicInteger> byThread = new ConcurrentHashMap<>();
        private final SignatureVerifier real = new NativeSecp256k1Verifier();

        @Override
        public Address recover(Hash32 digest, Signature signature) {
            byThread.computeIfAbsent(Thread.currentThread(), t -> new AtomicInteger()).incrementAndGet();
            return real.recover(digest, signature);
        }

        int on(Thread t) {
            AtomicInteger n = byThread.get(t);
            return n == null ? 0 : n.get();
        }

        int total() {
            return byThread.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    @Test
    void aPrefetchedBatchIsRecoveredOnTheWorkersOnceAndTheReplayThreadRecoversNothing() throws Exception {
        Property.forAll(ReplaysAgreeProperties.histories()).tries(5).check(h -> {
            Counting counting = new Counting();
            try (SignaturesAhead ahead = new SignaturesAhead(counting, 2, 2)) {
                Stf stf = new Stf(TestBatches.DOMAIN, ahead);
                TreeLeafStore store = new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore(), 0));
                for (PostedBatch p : h.batches()) {
                    CalldataReplay.Decoded decoded = CalldataReplay.decode(p.calldata());
                    long signed = decoded.steps().stream().filter(s -> stf.signedDigest(s.transition()) != null).count();
                    int before = counting.total();
                    SignaturesAhead.prefetchFor(stf, decoded);
                    awaitRecovered(ahead);
                    CalldataReplay.Applied applied = CalldataReplay.apply(stf, store, decoded.steps(), decoded.steps().size(),
                            p.header().batchIndex(), CalldataReplay.OnRefusal.STOP, CalldataReplay.AfterStep.NONE);
                    assertThat(applied.allApplied()).as("honest batch %d", p.header().batchIndex()).isTrue();
                    store.commit();
                    assertThat(store.root()).isEqualTo(p.header().postStateRoot());
                    assertThat(counting.on(Thread.currentThread())).as("recoveries on the replaying thread").isZero();
                    assertThat(counting.total() - before).as("recoveries for batch %d", p.header().batchIndex()).isEqualTo((int) signed);
                }
            }
        });
    }

    /**
     * As the watcher's replay prefetches (through {@link BatchVerifier#prefetch}: the batch about to be judged and the
     * next): once the workers are done, judging a batch recovers nothing on the judging thread, each signer is recovered
     * once, and every verdict is the plain verifier's.
     */
    @Test
    void aBatchTheVerifierPrefetchedIsJudgedWithItsSignersRecoveredOnTheWorkers() throws Exception {
        Property.forAll(ReplaysAgreeProperties.histories()).tries(5).check(h -> {
            Counting counting = new Counting();
            try (SignaturesAhead ahead = new SignaturesAhead(counting, 2, 2)) {
                Stf stf = new Stf(TestBatches.DOMAIN, ahead);
                BatchVerifier verifier = new BatchVerifier(stf, new MemoryNodeStore(), null);
                BatchVerifier plain = new BatchVerifier(new Stf(TestBatches.DOMAIN, new NativeSecp256k1Verifier()), new MemoryNodeStore(), null);
                List<PostedBatch> batches = h.batches();
                for (int k = 0; k < batches.size(); k++) {
                    PostedBatch p = batches.get(k);
                    if (k == 0) verifier.prefetch(p);
                    if (k + 1 < batches.size()) verifier.prefetch(batches.get(k + 1));
                    verifier.prefetch(p); // asked again: already under way, not started twice
                    awaitRecovered(ahead);
                    int before = counting.total();
                    assertThat(verifier.verify(p)).as("batch %d", k).isEqualTo(plain.verify(p));
                    assertThat(counting.on(Thread.currentThread())).as("recoveries on the judging thread").isZero();
                    assertThat(counting.total() - before).as("recoveries while batch %d was judged, all done ahead", k).isZero();
                }
                assertThat(counting.total()).as("each signer recovered once").isEqualTo((int) batches.stream()
                        .flatMap(b -> CalldataReplay.decode(b.calldata()).steps().stream()).filter(s -> stf.signedDigest(s.transition()) != null).count());
            }
        });
    }

    @Test
    void anotherThreadOrAnotherDigestIsRecoveredWhereItIsAsked() throws Exception {
        Counting counting = new Counting();
        ReplaysAgreeProperties.History h = ReplaysAgreeProperties.histories().next(new java.util.SplittableRandom(3));
        try (SignaturesAhead ahead = new SignaturesAhead(counting, 1)) {
            Stf stf = new Stf(TestBatches.DOMAIN, ahead);
            CalldataReplay.Step signedStep = h.batches().stream().flatMap(p -> CalldataReplay.decode(p.calldata()).steps().stream())
                    .filter(s -> stf.signedDigest(s.transition()) != null).findFirst().orElseThrow();
            var sd = stf.signedDigest(signedStep.transition());
            Address signer = new NativeSecp256k1Verifier().recover(sd.digest(), sd.signature());
            try (SignaturesAhead.Lookahead look = ahead.begin(stf, List.of(signedStep), 1)) {
                look.at(0);
                // the step's own pair: the lookahead's answer
                assertThat(ahead.recover(sd.digest(), sd.signature())).isEqualTo(signer);
                int before = counting.on(Thread.currentThread());
                // the same signature over another digest: recovered here, a different answer
                Hash32 other = new Hash32(new byte[32]);
                assertThat(ahead.recover(other, sd.signature())).isEqualTo(new NativeSecp256k1Verifier().recover(other, sd.signature()));
                assertThat(counting.on(Thread.currentThread())).isEqualTo(before + 1);
                // another thread asking during the replay: recovered on that thread
                Thread[] asker = new Thread[1];
                Address[] answer = new Address[1];
                asker[0] = new Thread(() -> answer[0] = ahead.recover(sd.digest(), sd.signature()));
                asker[0].start();
                asker[0].join();
                assertThat(answer[0]).isEqualTo(signer);
                assertThat(counting.on(asker[0])).isEqualTo(1);
            }
        }
    }

    /**
     * What waits for the workers is bounded: at most two prefetched batches (a third drops the oldest, whose workers stop
     * after the chunk in hand instead of recovering signers no replay will ask for), plus the batch being replayed; the
     * worker threads are daemons (a verifier dropped without closing never holds the JVM open). One worker, held inside
     * its first recovery by a gate, makes every count exact.
     */
    @Test
    void atMostTwoBatchesWaitTheDroppedOneStopsAndTheReplayedOneCounts() throws Exception {
        ReplaysAgreeProperties.History h = ReplaysAgreeProperties.histories().next(new java.util.SplittableRandom(3));
        Gated gated = new Gated();
        try (SignaturesAhead ahead = new SignaturesAhead(gated, 1, 1)) {
            Stf stf = new Stf(TestBatches.DOMAIN, ahead);
            CalldataReplay.Step signed = h.batches().stream().flatMap(p -> CalldataReplay.decode(p.calldata()).steps().stream())
                    .filter(st -> stf.signedDigest(st.transition()) != null).findFirst().orElseThrow();
            List<CalldataReplay.Step> first = java.util.Collections.nCopies(3, signed);
            List<CalldataReplay.Step> second = new ArrayList<>(java.util.Collections.nCopies(4, signed));
            List<CalldataReplay.Step> third = new ArrayList<>(java.util.Collections.nCopies(5, signed));
            ahead.prefetch(stf, first);
            gated.awaitCalls(1); // the worker holds the first batch's last chunk
            assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("signatures-ahead-")).toList())
                    .as("the worker threads").isNotEmpty().allSatisfy(t -> assertThat(t.isDaemon()).as(t.getName()).isTrue());
            ahead.prefetch(stf, second);
            assertThat(ahead.pendingChunks()).as("two batches wait, one chunk each step").isEqualTo(3 + 4);
            ahead.prefetch(stf, third);
            assertThat(ahead.pendingChunks()).as("a third drops the oldest").isEqualTo(4 + 5);
            gated.open.countDown();
            awaitRecovered(ahead);
            assertThat(gated.calls.get()).as("the dropped batch stopped after the chunk in hand; the two kept recovered in full")
                    .isEqualTo(1 + 4 + 5);

            gated.reset();
            List<CalldataReplay.Step> replayed = new ArrayList<>(java.util.Collections.nCopies(3, signed));
            try (SignaturesAhead.Lookahead look = ahead.begin(stf, replayed, 3)) {
                gated.awaitCalls(1);
                assertThat(ahead.pendingChunks()).as("the batch being replayed, begun without a prefetch").isEqualTo(3);
                gated.open.countDown();
                awaitRecovered(ahead);
            }
        }
    }

    /** Recovers for real, but holds every caller at a gate until it opens; counts the calls. */
    private static final class Gated implements SignatureVerifier {
        private final SignatureVerifier real = new NativeSecp256k1Verifier();
        volatile java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Address recover(Hash32 digest, Signature signature) {
            calls.incrementAndGet();
            try {
                if (!open.await(60, java.util.concurrent.TimeUnit.SECONDS)) throw new IllegalStateException("the gate never opened");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return real.recover(digest, signature);
        }

        void reset() {
            calls.set(0);
            open = new java.util.concurrent.CountDownLatch(1);
        }

        /** Waits (counted waits, no clock) until {@code n} recoveries have reached the gate. */
        void awaitCalls(int n) throws InterruptedException {
            for (int waited = 0; calls.get() < n && waited < 20_000; waited++) Thread.sleep(1);
            assertThat(calls.get()).as("recoveries at the gate after 20,000 waits of 1 ms").isGreaterThanOrEqualTo(n);
        }
    }
}
