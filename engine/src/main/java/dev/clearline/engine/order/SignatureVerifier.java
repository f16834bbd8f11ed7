package dev.clearline.engine.order;

/**
 * Recovers the signer of a 32-byte digest. Implementations must agree bit for bit; the STF uses
 * one, the benchmarks compare two ({@link BouncyCastleVerifier}, {@link NativeSecp256k1Verifier}).
 * Implementations are thread-safe: the sequencer verifies on every core.
 */
public interface SignatureVerifier {
    /** The signer, or null when the signature is not canonical or recovers no key. */
    Address recover(Hash32 digest, Signature signature);

    default boolean signedBy(Hash32 digest, Signature signature, Address expected) {
        Address signer = recover(digest, signature);
        return signer != null && signer.equals(expected);
    }
}
