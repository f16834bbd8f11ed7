package dev.clearline.engine.order;

import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.security.SignatureException;

/** Signature recovery in pure Java (web3j's {@code Sign} over Bouncy Castle). */
public final class BouncyCastleVerifier implements SignatureVerifier {
    @Override
    public Address recover(Hash32 digest, Signature signature) {
        if (!signature.isCanonical()) return null;
        try {
            BigInteger key = Sign.signedMessageHashToKey(digest.bytes(),
                    new Sign.SignatureData((byte) signature.v(), signature.r(), signature.s()));
            return Addresses.fromPublicKey(Numeric.toBytesPadded(key, 64));
        } catch (SignatureException | RuntimeException e) {
            // an r that is not the x of a curve point, etc.: no signer
            return null;
        }
    }
}
