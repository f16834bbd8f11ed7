package dev.clearline.engine.stf;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.transition.Transition.Cancel;

/** Marks a posted order cancelled at its trader's signed request; no later fill can touch it. */
final class CancelRule implements Rule<Cancel> {
    private final Eip712 domain;
    private final SignatureVerifier verifier;

    CancelRule(Eip712 domain, SignatureVerifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    @Override
    public Reject execute(StateView s, Cancel c) {
        OrderLeaf o = s.order(c.orderHash());                           // 1. load
        if (o == null) return Reject.ORDER_NOT_FOUND;
        Reject r = Checks.signedBy(verifier, domain.cancelDigest(o.trader(), c.orderHash()), c.signature(), o.trader());
        if (r != null) return r;                                        // 2. authorise
        if (o.cancelled()) return Reject.ORDER_CANCELLED;               // 3. validate
        s.put(c.orderHash(), o.cancel());                               // 4. apply
        return null;
    }
}
