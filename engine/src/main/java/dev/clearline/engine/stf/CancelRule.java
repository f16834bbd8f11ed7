package dev.clearline.engine.stf;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.transition.Transition.Cancel;

/**
 * Marks an order cancelled at its trader's signed request; no later fill can touch it. The order
 * is named by its hash (what its trader knows). A never-posted order gets a
 * {@link OrderHashLeaf#tombstone tombstone}, so it can never be posted afterwards.
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
        OrderHashLeaf h = s.orderHash(c.orderHash());                   // 1. load
        OrderLeaf o = h == null || h.isTombstone() ? null : s.order(h.orderId());
        Reject r = Checks.signedBy(verifier, digest(domain, c), c.signature(), c.owner());
        if (r != null) return r;                                        // 2. authorise
        if (h != null && !Checks.cancellableBy(h, o, c.owner())) return Reject.NOT_OWNER;  // 3. validate
        if (h != null && Checks.cancelled(h, o)) return Reject.ORDER_CANCELLED;
        if (h == null) s.put(c.orderHash(), OrderHashLeaf.tombstone(c.owner()));  // 4. apply
        else s.put(h.orderId(), o.cancel());
        return null;
    }

    /** The EIP-712 digest the signature of {@code c} signs: from the transition alone (the replay recovers signers ahead with it). */
    static Hash32 digest(Eip712 domain, Cancel c) {
        return domain.cancelDigest(c.owner(), c.orderHash());
    }
}
