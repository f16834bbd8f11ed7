package dev.clearline.sequencer.state;

import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client idle {@link SequencerState#IDLE_MILLIS} loses its kept replies at the first applied
 * command from then on, and one idle {@link SequencerState#FORGET_MILLIS} is forgotten, whatever
 * order the clients' activity left the tables in. The state skips its walks of the tables while
 * nothing can be due, so these cases pin the moments exactly, including the table's first client
 * moving to the end (the bound must be worked out again from the next one).
 */
class IdleClientsTest {
    private static final long T0 = Market.START * 1000;
    private static final long A = 1, B = 2, C = 3;

    private static Reply tick(SequencerState s, long client, long seq, long atMillis) {
        return s.apply(new Command.TimeTick(client, seq, atMillis / 1000), atMillis);
    }

    private static boolean keptItsOutcome(Reply resend) {
        assertThat(resend.duplicate()).isTrue();
        return !"duplicate".equals(resend.body().get("type"));
    }

    private static SequencerState twoClients() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        tick(s, A, 1, T0);          // A first in the table
        tick(s, B, 1, T0 + 1_000);  // then B
        // A active again just before its ten minutes: A moves to the end, B (idle since T0 + 1 s) is first now
        tick(s, A, 2, T0 + SequencerState.IDLE_MILLIS - 1);
        return s;
    }

    @Test
    void aClientIdleTenMinutesLosesItsRepliesAtTheFirstCommandFromThatMomentOn() {
        SequencerState before = twoClients();
        tick(before, A, 3, T0 + 1_000 + SequencerState.IDLE_MILLIS - 1); // B idle one millisecond short
        assertThat(keptItsOutcome(tick(before, B, 1, T0 + 1_000 + SequencerState.IDLE_MILLIS))).isTrue();

        SequencerState due = twoClients();
        tick(due, A, 3, T0 + 1_000 + SequencerState.IDLE_MILLIS); // B idle exactly ten minutes: retired here
        assertThat(due.retained().get("dormantClients")).isEqualTo(1);
        assertThat(keptItsOutcome(tick(due, B, 1, T0 + 1_000 + SequencerState.IDLE_MILLIS))).isFalse();
    }

    @Test
    void aClientIdleSevenDaysIsForgottenAndItsNumbersStartAgain() {
        SequencerState s = twoClients();
        tick(s, A, 3, T0 + 1_000 + SequencerState.IDLE_MILLIS); // B dormant
        // C alone for a week: A goes dormant too; B is forgotten at the first command a week after its last
        long week = T0 + 1_000 + SequencerState.FORGET_MILLIS;
        tick(s, C, 1, week - 1);
        assertThat(s.retained().get("dormantClients")).isEqualTo(2);
        Reply early = tick(s, B, 1, week - 1);
        assertThat(early.duplicate()).as("a week minus a millisecond: still remembered").isTrue();

        SequencerState t = twoClients();
        tick(t, A, 3, T0 + 1_000 + SequencerState.IDLE_MILLIS);
        tick(t, C, 1, week);
        long seqBefore = t.seq();
        Reply again = tick(t, B, 1, week);
        assertThat(again.duplicate()).as("forgotten: its number 1 is new").isFalse();
        assertThat(t.seq()).isEqualTo(seqBefore + 1);
    }

    @Test
    void aRevivedClientBehindTheFirstOneRetiresAsSoonAsItIsFirst() {
        // a dormant client's resend brings it back to the end of the active table with its old activity (a
        // resend is no activity), behind clients active since: the table is then not in order of activity,
        // and the old client retires again once the ones ahead of it move on
        SequencerState s = twoClients();
        long t = T0 + 1_000 + SequencerState.IDLE_MILLIS;
        tick(s, A, 3, t);                                    // B retires: [A], dormant [B]
        assertThat(s.retained().get("dormantClients")).isEqualTo(1);
        assertThat(keptItsOutcome(tick(s, B, 1, t + 1))).isFalse(); // B's resend revives it: [A, B]
        tick(s, C, 1, t + 2);                                // a new client, the tables walked: [A, B, C]
        assertThat(s.retained().get("activeClients")).isEqualTo(3);
        tick(s, A, 4, t + 3);                                // A to the end: B is first, idle long since
        assertThat(s.retained().get("activeClients")).isEqualTo(2);
        assertThat(s.retained().get("dormantClients")).isEqualTo(1);
    }
}
