package dev.clearline.engine.stf;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.transition.Transition.OraclePrice;

/** Sets a market's mark price and cumulative funding index from its oracle's signed report. */
final class OraclePriceRule implements Rule<OraclePrice> {
    private final Eip712 domain;
    private final SignatureVerifier verifier;

    OraclePriceRule(Eip712 domain, SignatureVerifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    @Override
    public Reject execute(StateView s, OraclePrice o) {
        MarketLeaf m = s.market(o.marketId());                          // 1. load
        Reject r = Checks.marketExists(m);
        if (r != null) return r;
        r = Checks.signedBy(verifier,                                   // 2. authorise
                digest(domain, o), o.signature(), m.oracle());
        if (r != null) return r;
        if (o.price() <= 0) return Reject.BAD_PRICE;                    // 3. validate
        if (o.timestamp() <= m.lastOracleTs()) return Reject.STALE_ORACLE;
        s.put(o.marketId(), m.withOracle(o.price(), o.fundingIndex(), o.timestamp()));  // 4. apply
        return null;
    }

    /** The EIP-712 digest the signature of {@code o} signs: from the transition alone (the replay recovers signers ahead with it). */
    static Hash32 digest(Eip712 domain, OraclePrice o) {
        return domain.oraclePriceDigest(o.marketId(), o.price(), o.fundingIndex(), o.timestamp());
    }
}
