package dev.clearline.engine.stf;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.transition.Transition.Release;

/**
 * Moves collateral from a position back to the free balance. A flat position may release down to
 * a zero quote; an open one must still meet its initial requirement at the mark afterwards.
 */
final class ReleaseRule implements Rule<Release> {
    private final Eip712 domain;
    private final SignatureVerifier verifier;

    ReleaseRule(Eip712 domain, SignatureVerifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    @Override
    public Reject execute(StateView s, Release rel) {
        BalanceLeaf b = s.balance(rel.owner());                         // 1. load
        MarketLeaf m = s.market(rel.marketId());
        Reject r = Checks.signedBy(verifier, digest(domain, rel),
                rel.signature(), rel.owner());                          // 2. authorise
        if (r == null) r = Checks.nonce(rel.nonce(), b.nonce());
        if (r == null) r = Checks.marketExists(m);                      // 3. validate
        if (r == null) r = Checks.positiveAmount(rel.amount());
        if (r != null) return r;
        PositionLeaf p = Checks.settled(s.position(rel.owner(), rel.marketId()), m);  // 4. apply
        long quote = p == null ? Fixed.OVERFLOW : Fixed.sub(p.quote(), rel.amount());
        long free = Fixed.add(b.free(), rel.amount());
        if (quote == Fixed.OVERFLOW || free == Fixed.OVERFLOW) return Reject.OVERFLOW;
        if (p.size() == 0) {                                            // 5. check margin
            if (quote < 0) return Reject.INSUFFICIENT_MARGIN;
        } else {
            r = Checks.hasMark(m);
            if (r != null) return r;
            long equity = Margin.equity(p.size(), quote, m.lotSize(), m.markPrice());
            long im = Margin.requirement(p.size(), m.lotSize(), m.markPrice(), m.imfPpm());
            if (equity == Fixed.OVERFLOW || im == Fixed.OVERFLOW) return Reject.OVERFLOW;
            if (equity < im) return Reject.INSUFFICIENT_MARGIN;
        }
        s.put(rel.owner(), new BalanceLeaf(free, b.nonce() + 1))
                .put(rel.owner(), rel.marketId(), new PositionLeaf(p.size(), quote, p.fundingIndex()));
        return null;
    }

    /** The EIP-712 digest the signature of {@code rel} signs: from the transition alone (the replay recovers signers ahead with it). */
    static Hash32 digest(Eip712 domain, Release rel) {
        return domain.releaseDigest(rel.owner(), rel.marketId(), rel.amount(), rel.nonce());
    }
}
