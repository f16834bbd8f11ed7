package dev.clearline.engine.stf;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.transition.Transition.Allocate;

/** Moves collateral from the free balance into one isolated position. */
final class AllocateRule implements Rule<Allocate> {
    private final Eip712 domain;
    private final SignatureVerifier verifier;

    AllocateRule(Eip712 domain, SignatureVerifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    @Override
    public Reject execute(StateView s, Allocate a) {
        BalanceLeaf b = s.balance(a.owner());                           // 1. load
        MarketLeaf m = s.market(a.marketId());
        Reject r = Checks.signedBy(verifier, digest(domain, a),
                a.signature(), a.owner());                              // 2. authorise
        if (r == null) r = Checks.nonce(a.nonce(), b.nonce());
        if (r == null) r = Checks.marketExists(m);                      // 3. validate
        if (r == null) r = Checks.positiveAmount(a.amount());
        if (r == null && b.free() < a.amount()) r = Reject.INSUFFICIENT_BALANCE;
        if (r != null) return r;
        PositionLeaf p = Checks.settled(s.position(a.owner(), a.marketId()), m);  // 4. apply
        long quote = p == null ? Fixed.OVERFLOW : Fixed.add(p.quote(), a.amount());
        if (quote == Fixed.OVERFLOW) return Reject.OVERFLOW;
        s.put(a.owner(), new BalanceLeaf(b.free() - a.amount(), b.nonce() + 1))
                .put(a.owner(), a.marketId(), new PositionLeaf(p.size(), quote, p.fundingIndex()));
        return null;
    }

    /** The EIP-712 digest the signature of {@code a} signs: from the transition alone (the replay recovers signers ahead with it). */
    static Hash32 digest(Eip712 domain, Allocate a) {
        return domain.allocateDigest(a.owner(), a.marketId(), a.amount(), a.nonce());
    }
}
