package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.stf.KeyCache;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.MemoryLeafStore;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exchange's copy of the state and the STF that moves it: every transition the exchange emits
 * has gone through the same {@link Stf} the batches use, on this mirror, so none is ever refused
 * later. Requests verified by the {@link SignatureStage} are trusted here: their signer and digest
 * are already known, so the mirror STF does not recover or hash them again.
 */
final class StfMirror {
    final MemoryLeafStore state = new MemoryLeafStore();
    final KeyCache keys = new KeyCache(1 << 16);
    private final Stf stf;
    private final List<Transition> emitted = new ArrayList<>();
    private final Map<Integer, MarketLeaf> markets = new HashMap<>();
    /** The market asked for last (most commands touch one market): no boxing, no map probe. */
    private int lastMarketId;
    private MarketLeaf lastMarket;
    private Signature trustedSignature;
    private Address trustedSigner;
    private Order trustedOrder;
    private Hash32 trustedOrderHash;

    StfMirror(Eip712 domain, SignatureVerifier verifier) {
        SignatureVerifier trusting = (digest, sig) ->
                sig == trustedSignature && sig != null ? trustedSigner : verifier.recover(digest, sig);
        this.stf = new Stf(domain, trusting, o -> o == trustedOrder ? trustedOrderHash : domain.orderDigest(o));
    }

    /** Transitions emitted since the last call. */
    List<Transition> take() {
        List<Transition> out = List.copyOf(emitted);
        emitted.clear();
        return out;
    }

    /** A non-order transition: applied and emitted when the STF accepts it; the market cache is dropped. */
    Reject applyRequest(Transition t) {
        Outcome o = stf.apply(state, t);
        if (o instanceof Outcome.Rejected r) return r.reason();
        emitted.add(t);
        markets.clear();
        lastMarket = null;
        return null;
    }

    /** Emits a transition the exchange knows the STF accepts; a refusal is a bug in the exchange. */
    void emit(Transition t) {
        Outcome o = stf.apply(state, t);
        if (!o.applied()) throw new IllegalStateException("the exchange built a transition its own STF refuses: " + t + " -> " + o);
        emitted.add(t);
    }

    /** Emits an owner's verified cancel of a posted order. */
    void emitCancel(VerifiedCancel c) {
        trust(c.signature(), c.owner(), null, null);
        try {
            emit(new Transition.Cancel(c.owner(), c.orderHash(), c.signature()));
        } finally {
            trust(null, null, null, null);
        }
    }

    /** Tries a live order's PostOrder on {@code store}; null when applied (and, on the mirror, emitted). */
    Reject tryPost(LeafStore store, LiveOrder l) {
        trust(l.v.signature(), l.order().trader(), l.order(), l.v.hash());
        try {
            return tryApply(store, new Transition.PostOrder(l.order(), l.v.signature()));
        } finally {
            trust(null, null, null, null);
        }
    }

    /** Tries a transition on {@code store} (the mirror or a scratch overlay); null when applied. */
    Reject tryApply(LeafStore store, Transition t) {
        Outcome o = stf.apply(store, t);
        if (o instanceof Outcome.Rejected r) return r.reason();
        if (store == state) emitted.add(t);
        return null;
    }

    /**
     * Market parameters, mark, index and oracle time. Cached until the next non-order transition:
     * fills only change the fee total, which nothing here reads.
     */
    MarketLeaf market(int id) {
        if (id == lastMarketId && lastMarket != null) return lastMarket;
        MarketLeaf m = markets.get(id);
        if (m == null) {
            byte[] v = state.get(keys.market(id));
            if (v == null) return null;
            m = MarketLeaf.decode(v);
            markets.put(id, m);
        }
        lastMarketId = id;
        lastMarket = m;
        return m;
    }

    private void trust(Signature signature, Address signer, Order order, Hash32 orderHash) {
        trustedSignature = signature;
        trustedSigner = signer;
        trustedOrder = order;
        trustedOrderHash = orderHash;
    }
}
