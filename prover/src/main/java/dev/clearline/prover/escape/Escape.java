package dev.clearline.prover.escape;

import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import java.math.BigInteger;

/**
 * The escape hatch's arithmetic, written as the contract computes it (docs/protocol.md section 7.5,
 * {@code EscapeHatch.equityOf} and {@code scale}), so that what the CLI announces is what L1 pays.
 */
public final class Escape {
    private Escape() {}

    /**
     * A position's equity at its market leaf: {@code lots = size / lotSize} (truncated toward zero,
     * like Solidity's int division), funding settled {@code quote - lots * (F_market - F_position)},
     * then {@code + lots * mark}. Exact (int256 on L1, BigInteger here).
     */
    public static BigInteger equity(PositionLeaf p, MarketLeaf m) {
        if (m.lotSize() == 0) return BigInteger.valueOf(p.quote());
        BigInteger lots = BigInteger.valueOf(p.size()).divide(BigInteger.valueOf(m.lotSize()));
        BigInteger settled = BigInteger.valueOf(p.quote())
                .subtract(lots.multiply(BigInteger.valueOf(m.fundingIndex()).subtract(BigInteger.valueOf(p.fundingIndex()))));
        return settled.add(lots.multiply(BigInteger.valueOf(m.markPrice())));
    }

    /**
     * What a claim of {@code amount} pays: {@code amount * pool / (pool + max(0, badDebt - fundCredit))},
     * rounded down, never more than {@code amount}.
     */
    public static BigInteger pays(BigInteger amount, BigInteger pool, BigInteger badDebt, BigInteger fundCredit) {
        if (badDebt.compareTo(fundCredit) <= 0) return amount;
        return amount.multiply(pool).divide(pool.add(badDebt.subtract(fundCredit)));
    }
}
