package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.conformance.DeployedOnce;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.tree.Bytes32;
import java.math.BigInteger;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Equality edges of the account rules that random states reach too seldom to be relied on: a flat
 * position's margin can be released to its last unit and not one more. Each on both sides, with
 * the verdict stated.
 */
@ExtendWith(DeployedOnce.class)
class RuleEdgesTest {
    private static final Signer ALICE = new Signer(BigInteger.valueOf(0xa11ce));
    private static final int MARKET = 1;

    private final Differential differential;

    RuleEdgesTest(Differential differential) {
        this.differential = differential;
    }

    private Differential.Comparison run(TreeMap<Bytes32, byte[]> leaves, Transition t) {
        Differential.Comparison c = differential.run(new StepCase(1, leaves, TransitionCodec.encode(t), 0));
        assertThat(c.agree()).as(c.describe()).isTrue();
        return c;
    }

    private static TreeMap<Bytes32, byte[]> flatPositionHolding(long quote) {
        return positionAt(100, new PositionLeaf(0, quote, 0));
    }

    /** Lot 1, initial margin 10 %, maintenance 5 %, the mark at {@code mark}, and Alice's position. */
    private static TreeMap<Bytes32, byte[]> positionAt(long mark, PositionLeaf p) {
        TreeMap<Bytes32, byte[]> leaves = new TreeMap<>();
        leaves.put(StateKeys.market(MARKET), new MarketLeaf(1, 1, 100_000, 50_000, 0, 0, 1_000,
                Address.fromHex("0x000000000000000000000000000000000000000f"), mark, 0, 1, 0).encode());
        leaves.put(StateKeys.balance(ALICE.address()), new BalanceLeaf(0, 0).encode());
        leaves.put(StateKeys.position(ALICE.address(), MARKET), p.encode());
        return leaves;
    }

    private static Transition release(long amount) {
        return new Transition.Release(ALICE.address(), MARKET, amount, 0,
                ALICE.sign(Differential.DOMAIN.releaseDigest(ALICE.address(), MARKET, amount, 0)));
    }

    @Test
    void aFlatPositionReleasesItsWholeQuoteAndNotOneUnitMore() {
        assertThat(run(flatPositionHolding(5_000), release(5_000)).javaCode()).isZero();
        assertThat(run(flatPositionHolding(5_000), release(5_001)).javaCode()).isEqualTo(Reject.INSUFFICIENT_MARGIN.code());
        assertThat(run(flatPositionHolding(5_000), release(1)).javaCode()).isZero();
    }

    /** 10 lots long at mark 100: notional 1,000, initial margin 100; with quote 0 the equity is 1,000, so 900 may go. */
    @Test
    void anOpenPositionReleasesDownToExactlyItsInitialMargin() {
        assertThat(run(positionAt(100, new PositionLeaf(10, 0, 0)), release(900)).javaCode()).isZero();
        assertThat(run(positionAt(100, new PositionLeaf(10, 0, 0)), release(901)).javaCode()).isEqualTo(Reject.INSUFFICIENT_MARGIN.code());
    }

    /** A position worth nearly 2^63 at the mark with a positive quote: its equity leaves int64 while its margin does not. */
    @Test
    void aReleaseWhoseEquityLeavesInt64IsOverflowOnBothSides() {
        long mark = Long.MAX_VALUE / 10;
        assertThat(run(positionAt(mark, new PositionLeaf(10, 100, 0)), release(1)).javaCode()).isEqualTo(Reject.OVERFLOW.code());
    }
}
