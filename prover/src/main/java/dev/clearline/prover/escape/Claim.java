package dev.clearline.prover.escape;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import java.math.BigInteger;

/**
 * One thing the frozen state owes a user, with the proof the escape hatch (or, for a withdrawal,
 * the rollup) checks. {@link #amount()} is before the escape rate.
 */
public sealed interface Claim {
    Address owner();

    BigInteger amount();

    /** The owner's free balance: {@code EscapeHatch.escapeBalance(owner, free, nonce, proof)}. */
    record Balance(Address owner, long free, long nonce, byte[] proof) implements Claim {
        @Override
        public BigInteger amount() {
            return BigInteger.valueOf(free);
        }
    }

    /** A position with positive equity: {@code EscapeHatch.escapePosition(owner, market, position, market leaf, proof)}. */
    record Position(Address owner, int market, PositionLeaf position, MarketLeaf marketLeaf, BigInteger equity, byte[] proof) implements Claim {
        @Override
        public BigInteger amount() {
            return equity;
        }
    }

    /**
     * A finalized withdrawal not yet claimed: {@code Rollup.claimWithdrawal(batch, id, recipient,
     * amount, proof)} under the last finalized batch.
     */
    record Withdrawal(Address owner, long id, long withdrawn, long batchIndex, byte[] proof) implements Claim {
        @Override
        public BigInteger amount() {
            return BigInteger.valueOf(withdrawn);
        }
    }

    /**
     * A deposit the frozen state never consumed, returned in full (not scaled, not from the pool):
     * {@code Rollup.refundDeposit(index, enqueueTime, owner, amount)}.
     */
    record Refund(Address owner, long queueIndex, long enqueueTime, long deposited) implements Claim {
        @Override
        public BigInteger amount() {
            return BigInteger.valueOf(deposited);
        }
    }
}
