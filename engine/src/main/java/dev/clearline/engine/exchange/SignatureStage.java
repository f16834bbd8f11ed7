package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.transition.Transition;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The sequencer's first stage: checks domains and recovers signers, on as many threads as the
 * executor gives, before requests reach the single-threaded matcher. Stateless and thread-safe.
 */
public final class SignatureStage {
    private final Eip712 domain;
    private final SignatureVerifier verifier;

    public SignatureStage(Eip712 domain, SignatureVerifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    public Verification verify(SignedOrder s) {
        if (s.chainId() != domain.chainId() || !s.verifyingContract().equals(domain.verifyingContract())) {
            return new Verification.Refused(Reject.WRONG_DOMAIN);
        }
        Hash32 hash = domain.orderDigest(s.order());
        return verifier.signedBy(hash, s.signature(), s.order().trader())
                ? new VerifiedOrder(s.order(), hash, s.signature())
                : new Verification.Refused(Reject.BAD_SIGNATURE);
    }

    public Verification verify(CancelRequest c) {
        return verifier.signedBy(domain.cancelDigest(c.owner(), c.orderHash()), c.signature(), c.owner())
                ? new VerifiedCancel(c.owner(), c.orderHash(), c.signature())
                : new Verification.Refused(Reject.BAD_SIGNATURE);
    }

    /**
     * The owner an account request names (a withdrawal, or margin allocated to or released from a
     * market) when the request carries that owner's signature over the digest the STF checks; empty
     * when it does not. The STF checks it again in the log: this lets the API refuse a forged request
     * before it reaches the log, and charge a genuine one to its owner.
     *
     * @throws IllegalArgumentException for any other transition
     */
    public Optional<Address> signedOwner(Transition request) {
        return switch (request) {
            case Transition.Withdraw w -> ownedBy(domain.withdrawDigest(w.owner(), w.recipient(), w.amount(), w.nonce()), w.signature(), w.owner());
            case Transition.Allocate a -> ownedBy(domain.allocateDigest(a.owner(), a.marketId(), a.amount(), a.nonce()), a.signature(), a.owner());
            case Transition.Release r -> ownedBy(domain.releaseDigest(r.owner(), r.marketId(), r.amount(), r.nonce()), r.signature(), r.owner());
            default -> throw new IllegalArgumentException("not an account request (withdraw, allocate or release): type " + request.type());
        };
    }

    /**
     * Whether {@code signature} is {@code owner}'s over {@code CancelAllAfter(owner, deadline, nonce)}: the node's dead man's
     * switch, which the gateway checks before the log as it checks an order (deadline and nonce are the log's to judge).
     */
    public boolean cancelAllAfterSignedBy(Address owner, long deadline, long nonce, Signature signature) {
        return deadline >= 0 && nonce >= 0 && verifier.signedBy(domain.cancelAllAfterDigest(owner, deadline, nonce), signature, owner);
    }

    private Optional<Address> ownedBy(Hash32 digest, Signature signature, Address owner) {
        return verifier.signedBy(digest, signature, owner) ? Optional.of(owner) : Optional.empty();
    }

    /** Verifies every order on {@code executor}, in chunks; the results keep the input order. */
    public CompletableFuture<List<Verification>> verifyAll(List<SignedOrder> orders, Executor executor, int chunk) {
        List<CompletableFuture<List<Verification>>> parts = new ArrayList<>();
        for (int from = 0; from < orders.size(); from += chunk) {
            List<SignedOrder> slice = orders.subList(from, Math.min(orders.size(), from + chunk));
            parts.add(CompletableFuture.supplyAsync(() -> slice.stream().map(this::verify).toList(), executor));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Verification> out = new ArrayList<>(orders.size());
            for (var p : parts) out.addAll(p.join());
            return out;
        });
    }
}
