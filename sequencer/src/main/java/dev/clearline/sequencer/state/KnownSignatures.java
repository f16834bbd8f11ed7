package dev.clearline.sequencer.state;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signers and digests the gateway already established for the orders and cancels in the log,
 * so the tree's STF, which checks every PostOrder and Cancel again, finds them instead of
 * recovering them a second time. A signature counts only for the signer it was vouched for; an
 * unknown or evicted one is recovered for real, which gives the same answer, so eviction changes
 * cost and never the outcome. Bounded, evicting in insertion order (deterministic). Thread-safe:
 * the state machine vouches on its thread while the {@link TreeWorker} reads on its own.
 */
final class KnownSignatures implements SignatureVerifier {
    private static final int CAPACITY = 1 << 18;

    private final SignatureVerifier fallback;
    private final Eip712 domain;
    private final Map<Signature, Address> signers = bounded();
    private final Map<Order, Hash32> digests = bounded();

    KnownSignatures(SignatureVerifier fallback, Eip712 domain) {
        this.fallback = fallback;
        this.domain = domain;
    }

    synchronized void vouch(Signature signature, Address signer) {
        signers.put(signature, signer);
    }

    synchronized void digestOf(Order order, Hash32 digest) {
        digests.put(order, digest);
    }

    Hash32 digest(Order order) {
        Hash32 d;
        synchronized (this) {
            d = digests.get(order);
        }
        return d != null ? d : domain.orderDigest(order);
    }

    /**
     * A vouched signature is only ever handed back with the digest it was verified for (the
     * exchange builds every PostOrder and Cancel from the verified command that carried it).
     */
    @Override
    public Address recover(Hash32 digest, Signature signature) {
        Address a;
        synchronized (this) {
            a = signers.get(signature);
        }
        return a != null ? a : fallback.recover(digest, signature);
    }

    private static <K, V> Map<K, V> bounded() {
        return new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > CAPACITY;
            }
        };
    }
}
