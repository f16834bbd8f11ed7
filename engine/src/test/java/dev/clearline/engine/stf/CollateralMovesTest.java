package dev.clearline.engine.stf;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.WithdrawalLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.Deposit;
import dev.clearline.engine.transition.Transition.ForcedWithdrawal;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

/**
 * The transitions that move collateral between a free balance, a position and a withdrawal leaf
 * (Withdraw, ForcedWithdrawal, Allocate, Release), each at its bounds (docs/protocol.md section 5):
 * the whole free balance may move and one unit more may not, amounts must be positive, nonces must
 * be the next one, and the books balance to the unit afterwards.
 */
class CollateralMovesTest {
    private final Desk d = new Desk();
    private final World w = d.w;
    private final Signer alice = d.alice;

    private GlobalLeaf global() {
        return StateReads.global(w.state);
    }

    /** Priority ops numbered from the tree (the Desk's World numbered the ones before). */
    private Deposit deposit(Address owner, long amount) {
        return new Deposit(global().priorityOpsConsumed(), 0, owner, amount);
    }

    private ForcedWithdrawal forcedWithdrawal(Address owner, long amount) {
        return new ForcedWithdrawal(global().priorityOpsConsumed(), 0, owner, amount);
    }

    private BalanceLeaf balance() {
        return d.balance(alice);
    }

    // ---- Withdraw ----

    @Test
    void withdrawingTheWholeFreeBalanceWorksAndOneUnitMoreDoesNot() {
        d.rejected(w.withdraw(alice, Desk.FUNDS + 1, 0), Reject.INSUFFICIENT_BALANCE);
        long id = global().nextWithdrawalId();
        d.ok(w.withdraw(alice, Desk.FUNDS, 0));
        assertThat(balance()).isEqualTo(new BalanceLeaf(0, 1));
        assertThat(StateReads.withdrawal(w.state, id)).isEqualTo(new WithdrawalLeaf(alice.address(), Desk.FUNDS));
        assertThat(global().nextWithdrawalId()).isEqualTo(id + 1);
        d.rejected(w.withdraw(alice, 1, 1), Reject.INSUFFICIENT_BALANCE);
    }

    @Test
    void aPartialWithdrawalLeavesTheRestAndTheNextOneTakesTheNextId() {
        long first = global().nextWithdrawalId();
        d.ok(w.withdraw(alice, 1, 0));
        d.ok(w.withdraw(alice, 2_500, 1));
        assertThat(balance()).isEqualTo(new BalanceLeaf(Desk.FUNDS - 2_501, 2));
        assertThat(StateReads.withdrawal(w.state, first)).isEqualTo(new WithdrawalLeaf(alice.address(), 1));
        assertThat(StateReads.withdrawal(w.state, first + 1)).isEqualTo(new WithdrawalLeaf(alice.address(), 2_500));
        assertThat(StateReads.withdrawal(w.state, first + 2)).isNull();
        assertThat(global().nextWithdrawalId()).isEqualTo(first + 2);
    }

    @Test
    void aWithdrawalNeedsTheNextNonceAPositiveAmountAndTheOwnersSignature() {
        d.rejected(w.withdraw(alice, 1, 1), Reject.BAD_NONCE);
        d.rejected(w.withdraw(alice, 0, 0), Reject.BAD_AMOUNT);  // (a negative amount has no encoding: u64 < 2^63)
        var forged = new Transition.Withdraw(alice.address(), d.bob.address(), 1, 0,
                d.bob.sign(w.domain.withdrawDigest(alice.address(), d.bob.address(), 1, 0)));
        d.rejected(forged, Reject.BAD_SIGNATURE);
        d.ok(w.withdraw(alice, 1, 0));
        d.rejected(w.withdraw(alice, 1, 0), Reject.BAD_NONCE);  // a replay
    }

    /** L1 pays a withdrawal by a token transfer, which tokens refuse to the zero address: the money stays free. */
    @Test
    void aWithdrawalToTheZeroAddressIsRefusedAndTheMoneyStaysFree() {
        long id = global().nextWithdrawalId();
        var toNobody = new Transition.Withdraw(alice.address(), Address.ZERO, 1, 0,
                alice.sign(w.domain.withdrawDigest(alice.address(), Address.ZERO, 1, 0)));
        d.rejected(toNobody, Reject.BAD_RECIPIENT);
        assertThat(balance()).isEqualTo(new BalanceLeaf(Desk.FUNDS, 0));
        assertThat(StateReads.withdrawal(w.state, id)).isNull();
        assertThat(global().nextWithdrawalId()).isEqualTo(id);
        // checked after the amount and before the balance, on both sides (docs/protocol.md section 5)
        var nothingToNobody = new Transition.Withdraw(alice.address(), Address.ZERO, 0, 0,
                alice.sign(w.domain.withdrawDigest(alice.address(), Address.ZERO, 0, 0)));
        d.rejected(nothingToNobody, Reject.BAD_AMOUNT);
        var tooMuchToNobody = new Transition.Withdraw(alice.address(), Address.ZERO, Desk.FUNDS + 1, 0,
                alice.sign(w.domain.withdrawDigest(alice.address(), Address.ZERO, Desk.FUNDS + 1, 0)));
        d.rejected(tooMuchToNobody, Reject.BAD_RECIPIENT);
        var oneUnitAway = Address.fromHex("0x0000000000000000000000000000000000000001");
        d.ok(new Transition.Withdraw(alice.address(), oneUnitAway, 1, 0,
                alice.sign(w.domain.withdrawDigest(alice.address(), oneUnitAway, 1, 0))));
        assertThat(StateReads.withdrawal(w.state, id)).isEqualTo(new WithdrawalLeaf(oneUnitAway, 1));
    }

    // ---- ForcedWithdrawal: paid when 0 < amount <= free, else consumed as a forced rejection ----

    @Test
    void aForcedWithdrawalOfTheWholeFreeBalanceIsPaidAndOneUnitMoreIsAForcedRejection() {
        GlobalLeaf before = global();
        w.ok(forcedWithdrawal(alice.address(), Desk.FUNDS + 1));
        assertThat(balance()).isEqualTo(new BalanceLeaf(Desk.FUNDS, 0));
        assertThat(global().forcedRejections()).isEqualTo(before.forcedRejections() + 1);
        assertThat(global().nextWithdrawalId()).isEqualTo(before.nextWithdrawalId());
        assertThat(StateReads.withdrawal(w.state, before.nextWithdrawalId())).isNull();

        w.ok(forcedWithdrawal(alice.address(), Desk.FUNDS));
        GlobalLeaf after = global();
        assertThat(balance()).as("a forced withdrawal leaves the nonce alone").isEqualTo(new BalanceLeaf(0, 0));
        assertThat(after.forcedRejections()).isEqualTo(before.forcedRejections() + 1);
        assertThat(after.priorityOpsConsumed()).isEqualTo(before.priorityOpsConsumed() + 2);
        assertThat(after.nextWithdrawalId()).isEqualTo(before.nextWithdrawalId() + 1);
        assertThat(StateReads.withdrawal(w.state, before.nextWithdrawalId()))
                .isEqualTo(new WithdrawalLeaf(alice.address(), Desk.FUNDS));
    }

    @Test
    void forcedWithdrawalsOfNothingOrLessAreForcedRejections() {
        for (long amount : new long[] {0, -1}) {
            GlobalLeaf before = global();
            w.ok(forcedWithdrawal(alice.address(), amount));
            assertThat(global().forcedRejections()).as("amount %d", amount).isEqualTo(before.forcedRejections() + 1);
            assertThat(balance()).isEqualTo(new BalanceLeaf(Desk.FUNDS, 0));
        }
        GlobalLeaf before = global();
        w.ok(forcedWithdrawal(alice.address(), 1));
        w.ok(forcedWithdrawal(alice.address(), 2));
        assertThat(balance().free()).isEqualTo(Desk.FUNDS - 3);
        assertThat(global().nextWithdrawalId()).isEqualTo(before.nextWithdrawalId() + 2);
        assertThat(StateReads.withdrawal(w.state, before.nextWithdrawalId() + 1)).isEqualTo(new WithdrawalLeaf(alice.address(), 2));
        assertThat(global().forcedRejections()).isEqualTo(before.forcedRejections());
    }

    @Test
    void priorityOpsOutOfQueueOrderAreRefusedWithoutBeingConsumed() {
        long next = global().priorityOpsConsumed();
        var root = w.state.root();
        for (long index : new long[] {next - 1, next + 1}) {
            assertThat(w.apply(new ForcedWithdrawal(index, 0, alice.address(), 1)))
                    .isEqualTo(new Outcome.Rejected(Reject.PRIORITY_OUT_OF_ORDER));
            assertThat(w.apply(new Transition.ForcedCancel(index, 0, alice.address(), w.hash(d.order(alice, Side.BUY, 100, LOT, 0, 0)))))
                    .isEqualTo(new Outcome.Rejected(Reject.PRIORITY_OUT_OF_ORDER));
            assertThat(w.apply(new Deposit(index, 0, alice.address(), 1))).isEqualTo(new Outcome.Rejected(Reject.PRIORITY_OUT_OF_ORDER));
        }
        assertThat(w.state.root()).isEqualTo(root);
    }

    // ---- Allocate ----

    @Test
    void allocatingTheWholeFreeBalanceWorksAndOneUnitMoreDoesNot() {
        d.rejected(w.allocate(alice, Desk.MARKET, Desk.FUNDS + 1, 0), Reject.INSUFFICIENT_BALANCE);
        d.ok(w.allocate(alice, Desk.MARKET, 300, 0));
        d.ok(w.allocate(alice, Desk.MARKET, Desk.FUNDS - 300, 1));
        assertThat(balance()).isEqualTo(new BalanceLeaf(0, 2));
        assertThat(d.position(alice)).isEqualTo(new PositionLeaf(0, Desk.FUNDS, 0));
    }

    @Test
    void anAllocationNeedsTheNextNonceAKnownMarketAPositiveAmountAndTheOwnersSignature() {
        d.rejected(w.allocate(alice, Desk.MARKET, 1, 1), Reject.BAD_NONCE);
        d.rejected(w.allocate(alice, Desk.MARKET + 1, 1, 0), Reject.UNKNOWN_MARKET);
        d.rejected(w.allocate(alice, Desk.MARKET, 0, 0), Reject.BAD_AMOUNT);
        var forged = new Transition.Allocate(alice.address(), Desk.MARKET, 1, 0,
                d.bob.sign(w.domain.allocateDigest(alice.address(), Desk.MARKET, 1, 0)));
        d.rejected(forged, Reject.BAD_SIGNATURE);
        d.ok(w.allocate(alice, Desk.MARKET, 1, 0));
        assertThat(balance()).isEqualTo(new BalanceLeaf(Desk.FUNDS - 1, 1));
    }

    @Test
    void anAllocationSettlesFundingFirstAndOverflowsAtTheSentinel() {
        d.posted(alice, Side.BUY, 9_000, LOT, 700);
        d.mark(10_000, Long.MIN_VALUE);
        d.rejected(w.allocate(alice, Desk.MARKET, 1, 0), Reject.OVERFLOW);
        d.mark(10_000, 77);
        d.ok(w.allocate(alice, Desk.MARKET, 1, 0));
        assertThat(d.position(alice)).isEqualTo(new PositionLeaf(0, 701, 77));
    }

    // ---- Release ----

    @Test
    void aReleaseNeedsTheNextNonceAKnownMarketAPositiveAmountAndTheOwnersSignature() {
        d.ok(w.allocate(alice, Desk.MARKET, 500, 0));
        d.rejected(w.release(alice, Desk.MARKET, 1, 0), Reject.BAD_NONCE);
        d.rejected(w.release(alice, Desk.MARKET, 1, 2), Reject.BAD_NONCE);
        d.rejected(w.release(alice, Desk.MARKET + 1, 1, 1), Reject.UNKNOWN_MARKET);
        d.rejected(w.release(alice, Desk.MARKET, 0, 1), Reject.BAD_AMOUNT);
        var forged = new Transition.Release(alice.address(), Desk.MARKET, 1, 1,
                d.bob.sign(w.domain.releaseDigest(alice.address(), Desk.MARKET, 1, 1)));
        d.rejected(forged, Reject.BAD_SIGNATURE);
        d.ok(w.release(alice, Desk.MARKET, 1, 1));
        assertThat(balance()).isEqualTo(new BalanceLeaf(Desk.FUNDS - 499, 2));
        assertThat(d.position(alice)).isEqualTo(new PositionLeaf(0, 499, 0));
    }

    /** 700 in a flat position, then a free balance of 2^63 - 2: releasing 2 would overflow it, 1 does not. */
    @Test
    void aReleaseThatWouldOverflowTheFreeBalanceIsOverflow() {
        d.posted(alice, Side.BUY, 9_000, LOT, 700);
        d.ok(w.withdraw(alice, Desk.FUNDS - 700, 0));
        w.ok(deposit(alice.address(), Long.MAX_VALUE - 1));
        d.rejected(w.release(alice, Desk.MARKET, 2, 1), Reject.OVERFLOW);
        d.ok(w.release(alice, Desk.MARKET, 1, 1));
        assertThat(balance()).isEqualTo(new BalanceLeaf(Long.MAX_VALUE, 2));
    }

    /**
     * Any amount allocated can be released again while the position is flat, and the two balances
     * always add up to what was deposited; one unit more than the position holds is refused.
     */
    @Test
    void whatIsAllocatedToAFlatPositionCanBeReleasedToTheUnit() {
        Property.forAll(Gens.longs(1, Desk.FUNDS), Gens.longs(0, Desk.FUNDS)).tries(40).check((allocated, extra) -> {
            Desk desk = new Desk();
            desk.ok(desk.w.allocate(desk.alice, Desk.MARKET, allocated, 0));
            long released = Math.min(allocated, extra + 1);
            desk.rejected(desk.w.release(desk.alice, Desk.MARKET, allocated + 1, 1), Reject.INSUFFICIENT_MARGIN);
            desk.ok(desk.w.release(desk.alice, Desk.MARKET, released, 1));
            assertThat(desk.balance(desk.alice)).isEqualTo(new BalanceLeaf(Desk.FUNDS - allocated + released, 2));
            assertThat(desk.position(desk.alice).quote()).isEqualTo(allocated - released);
        });
    }
}
