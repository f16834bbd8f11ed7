package dev.clearline.sequencer.replication;

import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.Reply;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service's side of the resend protocol, on the pure state machine: a client's requests are
 * applied only in the order of their numbers. Whatever a leader change loses, and however often
 * the gateway sends a request again, the state and every first answer equal those of the run in
 * which nothing was lost, and no request is applied twice.
 */
class RequestOrderTest {
    static final long CLIENT = 21;

    @Test
    void aRequestAfterAGapIsRefusedWithTheNumberExpectedAndNothingIsApplied() {
        Market m = new Market(2);
        List<Command> cs = m.opening(CLIENT);
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        s.apply(cs.get(0), 1_000);
        String root = s.stateRoot().toString();
        Reply r = s.apply(cs.get(2), 1_000);
        assertThat(r.body()).containsEntry("type", "outOfOrder").containsEntry("expected", 2L);
        assertThat(r.duplicate()).isFalse();
        assertThat(s.seq()).isEqualTo(1);
        assertThat(s.stateRoot().toString()).isEqualTo(root);
        assertThat(s.history().count()).isEqualTo(1);
        assertThat(s.apply(cs.get(1), 1_000).seq()).isEqualTo(2);
        assertThat(s.apply(cs.get(2), 1_000).seq()).isEqualTo(3);
        assertThat(s.apply(cs.get(1), 1_000).duplicate()).isTrue();
    }

    @Test
    void lossesAndResendsGiveTheSameStateAndAnswersAsALosslessRun() {
        Property.forAll(Gens.seeds()).tries(30).check(seed -> {
            Random random = new Random(seed);
            Market m = new Market(3);
            List<Command> cs = new ArrayList<>(m.opening(CLIENT));
            cs.addAll(m.flow(CLIENT, cs.size() + 1, 60, random));
            // a request's log time is fixed per request here, so both runs see the same clock
            SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            List<Reply> expected = new ArrayList<>();
            for (int i = 0; i < cs.size(); i++) expected.add(straight.apply(cs.get(i), time(i)));

            SequencerState lossy = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            Map<Long, Reply> firstAnswers = new HashMap<>();
            double loss = 0.05 + random.nextDouble() * 0.3;
            int next = 0;
            int steps = 0;
            while (firstAnswers.size() < cs.size()) {
                assertThat(++steps).as("the protocol makes progress").isLessThan(100_000);
                if (next >= cs.size() || random.nextInt(50) == 0) next = rewindToOldestUnanswered(firstAnswers, cs); // a new leader or a stall
                Command c = cs.get(next);
                next++;
                if (random.nextDouble() < loss) continue; // lost on the way into the log
                Reply r = lossy.apply(c, time((int) (c.clientSeq() - 1)));
                if ("outOfOrder".equals(r.body().get("type"))) {
                    next = (int) ((Long) r.body().get("expected") - 1);
                    continue;
                }
                Reply first = firstAnswers.putIfAbsent(c.clientSeq(), r);
                if (first != null) {
                    assertThat(r.duplicate()).as("a repeat of %d", c.clientSeq()).isTrue();
                    assertThat(r.asDuplicate()).isEqualTo(first.asDuplicate());
                } else {
                    assertThat(r.duplicate()).isFalse();
                }
            }
            assertThat(lossy.seq()).isEqualTo(straight.seq());
            assertThat(lossy.stateRoot()).isEqualTo(straight.stateRoot());
            for (Reply e : expected) assertThat(firstAnswers.get(e.clientSeq())).isEqualTo(e);
        });
    }

    private static int rewindToOldestUnanswered(Map<Long, Reply> answered, List<Command> cs) {
        for (int i = 0; i < cs.size(); i++) if (!answered.containsKey(cs.get(i).clientSeq())) return i;
        return cs.size() - 1;
    }

    private static long time(int index) {
        return Market.START * 1000 + index * 10L;
    }
}
