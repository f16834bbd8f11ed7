package dev.clearline.engine.order;

import fr.acinq.secp256k1.Secp256k1;

import java.util.Arrays;

/** Signature recovery through libsecp256k1 (ACINQ's JNI binding), several times faster than Bouncy Castle. */
public final class NativeSecp256k1Verifier implements SignatureVerifier {
    private final Secp256k1 secp = Secp256k1.get();

    @Override
    public Address recover(Hash32 digest, Signature signature) {
        if (!signature.isCanonical()) return null;
        byte[] rs = Arrays.copyOf(signature.encoded(), 64);
        try {
            byte[] pub = secp.ecdsaRecover(rs, digest.bytes(), signature.v() - 27);
            if (pub.length == 33) pub = secp.pubkeyParse(pub);
            return Addresses.fromPublicKey(Arrays.copyOfRange(pub, 1, 65));
        } catch (RuntimeException e) {
            // Secp256k1Exception: r is not a valid x coordinate, or the point is at infinity
            return null;
        }
    }
}
