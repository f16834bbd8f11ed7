package dev.clearline.devnet.node;

import fr.acinq.secp256k1.Secp256k1;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.SignedRawTransaction;
import org.web3j.utils.Numeric;

/**
 * Recovers a transaction's sender with native libsecp256k1 (about ten times faster than
 * web3j's Bouncy Castle path, which dominated the cost of a transfer). Applies EIP-2: a
 * signature with s above n/2 is refused, as geth refuses it.
 */
final class SenderRecovery {
    private static final BigInteger HALF_N = new BigInteger("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", 16);
    private static final Secp256k1 SECP = Secp256k1.get();

    private SenderRecovery() {}

    /** The sender's lower-case address, or empty when the signature does not recover. */
    static Optional<String> sender(SignedRawTransaction tx, int recoveryId, Long chainId) {
        return sender(tx, recoveryId, tx.getEncodedTransaction(chainId));
    }

    /** As above, with the bytes the sender signed given (keccak of them is the digest). */
    static Optional<String> sender(SignedRawTransaction tx, int recoveryId, byte[] signedPayload) {
        byte[] r = tx.getSignatureData().getR();
        byte[] s = tx.getSignatureData().getS();
        BigInteger sValue = Numeric.toBigInt(s);
        BigInteger rValue = Numeric.toBigInt(r);
        if (recoveryId < 0 || recoveryId > 1 || sValue.signum() == 0 || rValue.signum() == 0 || sValue.compareTo(HALF_N) > 0) {
            return Optional.empty();
        }
        byte[] sig = new byte[64];
        System.arraycopy(Numeric.toBytesPadded(rValue, 32), 0, sig, 0, 32);
        System.arraycopy(Numeric.toBytesPadded(sValue, 32), 0, sig, 32, 32);
        byte[] digest = Hash.sha3(signedPayload);
        try {
            byte[] pub = SECP.ecdsaRecover(sig, digest, recoveryId);
            if (pub.length != 65) return Optional.empty();
            byte[] uncompressed = Arrays.copyOfRange(pub, 1, 65);
            return Optional.of(Numeric.toHexString(Keys.getAddress(uncompressed)).toLowerCase());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
