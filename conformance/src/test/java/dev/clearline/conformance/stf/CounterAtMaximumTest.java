package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.conformance.DeployedOnce;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.RiskOverflowCases;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.tree.Bytes32;
import java.math.BigInteger;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The int64 bound on both sides. Counters at their maximum, 2^63 - 1 (docs/protocol.md section 5):
 * a step that would advance a request nonce, the next withdrawal id, the priority ops consumed or
 * the forced rejections past it is refused with OVERFLOW by the Java STF and by the Solidity step
 * alike (Java used to throw while encoding the wrapped counter, Solidity stored 2^63). And the sums
 * of the two rules that move positions into and out of the insurance fund ({@link RiskOverflowCases}:
 * a state made for each exit, since random cases seldom come near 2^63).
 */
@ExtendWith(DeployedOnce.class)
class CounterAtMaximumTest {
    private static final long MAX = Long.MAX_VALUE;
    private static final Signer ALICE = new Signer(BigInteger.valueOf(0xa11ce));
    private static final Address BOB = Address.fromHex("0x0000000000000000000000000000000000000b0b");

    private final Differential differential;

    CounterAtMaximumTest(Differential differential) {
        this.differential = differential;
    }

    private static TreeMap<Bytes32, byte[]> state(GlobalLeaf g, BalanceLeaf aliceBalance) {
        TreeMap<Bytes32, byte[]> leaves = new TreeMap<>();
        leaves.put(StateKeys.global(), g.encode());
        leaves.put(StateKeys.balance(ALICE.address()), aliceBalance.encode());
        return leaves;
    }

    private void assertOverflowOnBothSides(TreeMap<Bytes32, byte[]> leaves, Transition t) {
        Differential.Comparison c = differential.run(new StepCase(1, leaves, TransitionCodec.encode(t), 0));
        assertThat(c.agree()).as(c.describe()).isTrue();
        assertThat(c.javaCode()).as(c.describe()).isEqualTo(Reject.OVERFLOW.code());
    }

    private static Transition.Withdraw withdraw(long nonce) {
        return new Transition.Withdraw(ALICE.address(), BOB, 10, nonce,
                ALICE.sign(Differential.DOMAIN.withdrawDigest(ALICE.address(), BOB, 10, nonce)));
    }

    @Test
    void aWithdrawWhoseNonceIsAtTheMaximumIsOverflowOnBothSides() {
        assertOverflowOnBothSides(state(new GlobalLeaf(0, 0, Hash32.ZERO, 0, 0), new BalanceLeaf(1_000, MAX)), withdraw(MAX));
    }

    @Test
    void anAllocateWhoseNonceIsAtTheMaximumIsOverflowOnBothSides() {
        Transition.Allocate a = new Transition.Allocate(ALICE.address(), 1, 10, MAX,
                ALICE.sign(Differential.DOMAIN.allocateDigest(ALICE.address(), 1, 10, MAX)));
        assertOverflowOnBothSides(state(new GlobalLeaf(0, 0, Hash32.ZERO, 0, 0), new BalanceLeaf(1_000, MAX)), a);
    }

    @Test
    void aWithdrawWhenTheNextWithdrawalIdIsAtTheMaximumIsOverflowOnBothSides() {
        assertOverflowOnBothSides(state(new GlobalLeaf(MAX, 0, Hash32.ZERO, 0, 0), new BalanceLeaf(1_000, 7)), withdraw(7));
    }

    @Test
    void aPriorityOpWhenAGlobalCounterIsAtTheMaximumIsOverflowOnBothSides() {
        BalanceLeaf b = new BalanceLeaf(1_000, 0);
        assertOverflowOnBothSides(state(new GlobalLeaf(0, MAX, Hash32.ZERO, 0, 0), b),
                new Transition.Deposit(MAX, 100, ALICE.address(), 5));
        assertOverflowOnBothSides(state(new GlobalLeaf(MAX, 4, Hash32.ZERO, 0, 0), b),
                new Transition.Deposit(4, 100, ALICE.address(), 5));
        assertOverflowOnBothSides(state(new GlobalLeaf(0, 4, Hash32.ZERO, MAX, 0), b),
                new Transition.ForcedWithdrawal(4, 100, ALICE.address(), 5));
    }

    @Test
    void oneBelowTheMaximumStillApplies() {
        Differential.Comparison c = differential.run(new StepCase(1,
                state(new GlobalLeaf(MAX - 1, 0, Hash32.ZERO, 0, 0), new BalanceLeaf(1_000, MAX - 1)),
                TransitionCodec.encode(withdraw(MAX - 1)), 0));
        assertThat(c.agree()).as(c.describe()).isTrue();
        assertThat(c.javaCode()).isZero();
    }

    @Test
    void liquidateAndDeleverageAgreeAtEveryInt64Exit() {
        for (RiskOverflowCases.Case k : RiskOverflowCases.all()) {
            Differential.Comparison c = differential.run(new StepCase(1, k.leaves(), TransitionCodec.encode(k.transition()), 0));
            assertThat(c.agree()).as("%s: %s", k.name(), c.describe()).isTrue();
            assertThat(c.javaCode()).as(k.name()).isEqualTo(k.expected() == null ? 0 : k.expected().code());
            if (k.expected() != null) assertThat(c.javaRoot()).as("%s leaves the root", k.name()).isEqualTo(c.preRoot());
        }
    }
}
