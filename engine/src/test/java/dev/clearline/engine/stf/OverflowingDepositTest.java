package dev.clearline.engine.stf;

import dev.clearline.engine.order.Signer;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.WithdrawalLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition.ForcedWithdrawal;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deposit that would overflow a balance must not stall the L1 priority queue: if it stayed
 * unconsumed, every later priority op (forced withdrawals included) would be refused and a
 * griefer could censor everyone by depositing to a victim twice.
 */
class OverflowingDepositTest {
    private final Signer victim = World.signer(7);

    @Test
    void overflowingDepositIsConsumedRefundedAndTheQueueMovesOn() {
        World w = new World();
        w.ok(w.deposit(victim.address(), Long.MAX_VALUE - 10));
        GlobalLeaf before = StateReads.global(w.state);

        w.ok(w.deposit(victim.address(), 11));                         // would overflow free

        GlobalLeaf after = StateReads.global(w.state);
        assertThat(StateReads.balance(w.state, victim.address()).free()).isEqualTo(Long.MAX_VALUE - 10);
        assertThat(after.priorityOpsConsumed()).isEqualTo(before.priorityOpsConsumed() + 1);
        assertThat(after.forcedRejections()).isEqualTo(before.forcedRejections() + 1);
        assertThat(after.nextWithdrawalId()).isEqualTo(before.nextWithdrawalId() + 1);
        assertThat(StateReads.withdrawal(w.state, before.nextWithdrawalId()))
                .isEqualTo(new WithdrawalLeaf(victim.address(), 11));

        // The next priority op is still accepted: nothing is stuck behind the refused credit.
        w.ok(new ForcedWithdrawal(after.priorityOpsConsumed(), 0, victim.address(), 5));
        assertThat(StateReads.balance(w.state, victim.address()).free()).isEqualTo(Long.MAX_VALUE - 15);
    }
}
