package dev.clearline.prover.escape;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import java.math.BigInteger;

/**
 * What anyone reports during the claim window so the escape rate counts every loss and every bit of
 * the insurance fund (docs/protocol.md section 7.5, step 1).
 */
public sealed interface Report {
    /** Bad debt ({@link BadDebt}) or fund credit (the others): the amount it adds. */
    BigInteger amount();

    /** An underwater position: {@code EscapeHatch.reportBadDebt(owner, market, position, market leaf, proof)}. */
    record BadDebt(Address owner, int market, PositionLeaf position, MarketLeaf marketLeaf, BigInteger debt, byte[] proof) implements Report {
        @Override
        public BigInteger amount() {
            return debt;
        }
    }

    /** The insurance fund's free balance: {@code EscapeHatch.reportFundBalance(free, nonce, proof)}. */
    record FundBalance(long free, long nonce, byte[] proof) implements Report {
        @Override
        public BigInteger amount() {
            return BigInteger.valueOf(free);
        }
    }

    /** A position of the fund with positive equity: {@code EscapeHatch.reportFundPosition(market, position, market leaf, proof)}. */
    record FundPosition(int market, PositionLeaf position, MarketLeaf marketLeaf, BigInteger equity, byte[] proof) implements Report {
        @Override
        public BigInteger amount() {
            return equity;
        }
    }
}
