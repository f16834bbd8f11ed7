package dev.clearline.engine.order;

/**
 * A digest and the signature over it that a transition carries: what the STF hands its
 * {@link SignatureVerifier} for that transition. Known from the transition alone, so a replay can
 * recover the signer before the STF asks.
 */
public record SignedDigest(Hash32 digest, Signature signature) {}
