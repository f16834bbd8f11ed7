package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.command.Command;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The member's reads without the log ({@link LocalReads}): a read is answered only from a state at or past its floor,
 * exactly once, in the order asked; given up only when the member has no state, waited {@link LocalReads#WAIT_NANOS}
 * for its floor, holds too many, or stops; and never left hanging once the member stops.
 */
class LocalReadsProperties {
    private static final class Read {
        final int id;
        final long atLeast;
        final CompletableFuture<byte[]> answer;
        /** When the service thread first saw it (its wait starts there); -1 before. */
        long seenAt = -1;

        Read(int id, long atLeast, CompletableFuture<byte[]> answer) {
            this.id = id;
            this.atLeast = atLeast;
            this.answer = answer;
        }
    }

    private static Command.Query query(int id) {
        return new Command.Query(1, 0, Command.QueryKind.STATE, id, null, null, 0);
    }

    private static boolean givenUp(CompletableFuture<byte[]> f) {
        try {
            f.get();
            return false;
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(LocalReads.NotHere.class);
            assertThat(e.getCause().getMessage()).isNotBlank();
            return true;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aReadIsAnsweredOnceFromAStateAtItsFloorOrGivenUpOnlyForAReason() {
        Property.forAll(Gens.seeds()).tries(300).check(seed -> {
            Random r = new Random(seed);
            LocalReads reads = new LocalReads(() -> 0); // reads cost no time here: only the count bounds a serve
            List<Read> asked = new ArrayList<>();
            List<Integer> answeredOrder = new ArrayList<>();
            long seq = r.nextInt(3) - 1; // -1: no state yet
            long now = r.nextLong(1L << 40);
            int nextId = 0;
            int steps = 1 + r.nextInt(60);
            for (int step = 0; step < steps; step++) {
                if (r.nextInt(3) > 0) {
                    int asks = 1 + r.nextInt(4);
                    for (int i = 0; i < asks; i++) {
                        long floor = Math.max(0, seq) + r.nextInt(6) - 2;
                        int id = nextId++;
                        Read a = new Read(id, floor, reads.ask(query(id), floor));
                        assertThat(a.answer).as("nothing is answered off the service thread").isNotDone();
                        asked.add(a);
                    }
                    continue;
                }
                // the service thread's turn: its state moved on (or is lost: -1), time passed
                seq = r.nextInt(12) == 0 ? -1 : Math.max(0, seq) + r.nextInt(3);
                long passed = r.nextInt(4) == 0 ? LocalReads.WAIT_NANOS + r.nextInt(1000) - 500 : r.nextInt(300_000_000);
                now += passed;
                List<Boolean> doneBefore = asked.stream().map(a -> a.answer.isDone()).toList();
                for (Read a : asked) if (a.seenAt < 0) a.seenAt = now;
                long seqNow = seq;
                List<Integer> thisServe = new ArrayList<>();
                int work = reads.serve(seq, q -> {
                    thisServe.add(q.market());
                    return ("answer " + q.market() + " at " + seqNow).getBytes();
                }, now);
                int finished = 0;
                for (int i = 0; i < asked.size(); i++) {
                    Read a = asked.get(i);
                    if (doneBefore.get(i) || !a.answer.isDone()) continue;
                    finished++;
                    if (!givenUp(a.answer)) {
                        assertThat(seq).as("read %d answered at seq %d below its floor %d", a.id, seq, a.atLeast).isGreaterThanOrEqualTo(a.atLeast);
                        assertThat(new String(a.answer.join())).isEqualTo("answer " + a.id + " at " + seq);
                    } else {
                        // given up: no state here, or its floor not reached after waiting the whole limit since the service first saw it
                        assertThat(seq < 0 || seq < a.atLeast).as("read %d given up at seq %d, floor %d", a.id, seq, a.atLeast).isTrue();
                        if (seq >= 0) assertThat(now - a.seenAt).as("read %d given up before its wait ran out", a.id).isGreaterThanOrEqualTo(LocalReads.WAIT_NANOS);
                    }
                }
                assertThat(work).as("the work count is the reads finished").isEqualTo(finished);
                for (int i = 1; i < thisServe.size(); i++) assertThat(thisServe.get(i)).as("answered in the order asked").isGreaterThan(thisServe.get(i - 1));
                answeredOrder.addAll(thisServe);
                assertThat(reads.waiting()).isEqualTo((int) asked.stream().filter(a -> !a.answer.isDone()).count());
                for (Read a : asked) {
                    if (!a.answer.isDone()) assertThat(seq >= 0 && seq >= a.atLeast).as("a read left waiting whose floor was reached").isFalse();
                }
            }
            reads.close();
            for (Read a : asked) assertThat(a.answer.isDone()).as("read %d left hanging after the member stopped", a.id).isTrue();
            assertThat(reads.waiting()).isZero();
            assertThat(givenUp(reads.ask(query(-1), 0))).as("a read asked after the stop is given up at once").isTrue();
            assertThat(answeredOrder).doesNotHaveDuplicates();
        });
    }

    @Test
    void aReadWaitsForItsFloorUntilTheLimitAndNoLonger() {
        Property.forAll(Gens.longs(0, 1L << 50), Gens.longs(0, 1_000)).tries(200).check((start, floor) -> {
            LocalReads reads = new LocalReads(() -> 0);
            CompletableFuture<byte[]> f = reads.ask(query(7), floor + 1);
            assertThat(reads.serve(floor, q -> new byte[]{1}, start)).isZero();
            assertThat(reads.serve(floor, q -> new byte[]{1}, start + LocalReads.WAIT_NANOS - 1)).as("still within its wait").isZero();
            assertThat(f).isNotDone();
            assertThat(reads.serve(floor, q -> new byte[]{1}, start + LocalReads.WAIT_NANOS)).isOne();
            assertThat(givenUp(f)).isTrue();
            CompletableFuture<byte[]> g = reads.ask(query(8), floor + 1);
            reads.serve(floor, q -> new byte[]{1}, start);
            assertThat(reads.serve(floor + 1, q -> new byte[]{2}, start + LocalReads.WAIT_NANOS - 1)).isOne();
            assertThat(g.join()).containsExactly(2);
            CompletableFuture<byte[]> h = reads.ask(query(9), 0);
            reads.serve(5, q -> {
                throw new IllegalStateException("a read that fails");
            }, start);
            assertThat(givenUp(h)).as("a read that throws goes to the log").isTrue();
        });
    }

    @Test
    void aServeAnswersUntilItsTimeIsSpentAndAtLeastOneRead() {
        // each answer costs the service thread `cost` ns on its clock: a serve stops once its budget is spent, never before
        // its first answer, and the rest are answered by the next calls, oldest first
        Property.forAll(Gens.longs(1, 3 * LocalReads.SERVE_BUDGET_NANOS), Gens.ints(1, 600)).tries(200).check((cost, n) -> {
            AtomicLongClock clock = new AtomicLongClock();
            LocalReads reads = new LocalReads(clock::now);
            List<CompletableFuture<byte[]>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) all.add(reads.ask(query(i), 0));
            long perServe = Math.min(LocalReads.MAX_PER_SERVE, Math.max(1, (LocalReads.SERVE_BUDGET_NANOS + cost - 1) / cost));
            int answered = 0;
            List<Integer> order = new ArrayList<>();
            while (answered < n) {
                int got = reads.serve(0, q -> {
                    clock.t += cost;
                    order.add(q.market());
                    return new byte[0];
                }, 0);
                assertThat(got).as("cost %d: a serve answers %d (or what is left)", cost, perServe).isEqualTo((int) Math.min(perServe, n - answered));
                answered += got;
                for (int i = 0; i < n; i++) assertThat(all.get(i).isDone()).as("read %d after %d answered", i, answered).isEqualTo(i < answered);
            }
            for (int i = 0; i < n; i++) assertThat(order.get(i)).isEqualTo(i);
            assertThat(reads.waiting()).isZero();
        });
    }

    /** A clock the test moves. */
    private static final class AtomicLongClock {
        long t;

        long now() {
            return t;
        }
    }

    @Test
    void aFullQueueGivesUpTheNextReadAtOnce() {
        LocalReads reads = new LocalReads(() -> 0);
        List<CompletableFuture<byte[]>> all = new ArrayList<>();
        for (int i = 0; i < LocalReads.MAX_WAITING; i++) all.add(reads.ask(query(i), 0));
        CompletableFuture<byte[]> extra = reads.ask(query(-1), 0);
        assertThat(givenUp(extra)).isTrue();
        assertThat(all).noneMatch(CompletableFuture::isDone);
        // a burst is answered a slice per call, oldest first, so the next command is never held back for long
        int calls = 0;
        while (reads.waiting() > 0) {
            int before = reads.waiting();
            assertThat(reads.serve(0, q -> new byte[0], 0)).isEqualTo(Math.min(before, LocalReads.MAX_PER_SERVE));
            assertThat(all.get(LocalReads.MAX_WAITING - reads.waiting() - 1)).isDone();
            if (reads.waiting() > 0) assertThat(all.get(LocalReads.MAX_WAITING - reads.waiting())).isNotDone();
            calls++;
        }
        assertThat(calls).isEqualTo((LocalReads.MAX_WAITING + LocalReads.MAX_PER_SERVE - 1) / LocalReads.MAX_PER_SERVE);
        assertThat(all).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(reads.ask(query(-2), 0)).as("room again").isNotDone();
    }
}
