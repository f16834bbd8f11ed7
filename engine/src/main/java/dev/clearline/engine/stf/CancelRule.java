package dev.clearline.engine.stf;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.transition.Transition.Cancel;

/**
 * Marks an order cancelled at its trader's signed request; no later fill can touch it. A never-posted
 * order gets a {@link OrderLeaf#tombstone tombstone}, so it can never be posted afterwards.
 */
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
        Reject r = Checks.signedBy(verifier, domain.cancelDigest(c.owner(), c.orderHash()), c.signature(), c.owner());
        if (r != null) return r;                                        // 2. authorise
        if (o != null && !o.trader().equals(c.owner())) return Reject.NOT_OWNER;  // 3. validate
        if (o != null && o.cancelled()) return Reject.ORDER_CANCELLED;
        s.put(c.orderHash(), o == null ? OrderLeaf.tombstone(c.owner()) : o.cancel());  // 4. apply
        return null;
    }
}
