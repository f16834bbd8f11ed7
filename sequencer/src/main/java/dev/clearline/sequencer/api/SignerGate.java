package dev.clearline.sequencer.api;

import dev.clearline.engine.order.Address;

/**
 * Decides, once a request's signature has been checked, whether its signer may send it now. The
 * trader API limits each key's rate here rather than by the address a request claims: a limit
 * charged before the signature is known would let anyone use up another trader's allowance with
 * requests forged in their name.
 */
@FunctionalInterface
public interface SignerGate {
    /** Lets every signer through (the node's own feeders, the demo traders, benchmarks). */
    SignerGate OPEN = signer -> null;

    /** Null when {@code signer} may send now; else the refusal to answer with. */
    ApiError refusal(Address signer);
}
