package dev.clearline.sequencer;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.Signer;
import fr.acinq.secp256k1.Secp256k1;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Signs with libsecp256k1 (the same keys as {@link DevAccounts}): tens of microseconds instead of
 * the milliseconds web3j's BigInteger signer takes, so load tests and the benchmark can sign
 * thousands of orders. libsecp256k1 signs low-s; the recovery id is found by recovering.
 */
public final class FastSigner {
    private static final Secp256k1 SECP = Secp256k1.get();
    private final byte[] key;
    private final byte[] publicKey;
    private final Address address;

    public FastSigner(BigInteger privateKey) {
        byte[] k = privateKey.toByteArray();
        this.key = new byte[32];
        int n = Math.min(32, k.length);
        System.arraycopy(k, k.length - n, key, 32 - n, n);
        this.publicKey = SECP.pubkeyCreate(key);
        this.address = new Signer(privateKey).address();
    }

    public static FastSigner dev(int i) {
        return new FastSigner(BigInteger.valueOf(1_000_003L * (i + 1)));
    }

    public Address address() {
        return address;
    }

    public Signature sign(Hash32 digest) {
        byte[] d = digest.bytes();
        byte[] rs = SECP.sign(d, key, null);
        for (int recid = 0; recid < 2; recid++) {
            byte[] pub = SECP.ecdsaRecover(rs, d, recid);
            if (pub.length == 33) pub = SECP.pubkeyParse(pub);
            if (Arrays.equals(pub, publicKey.length == 33 ? SECP.pubkeyParse(publicKey) : publicKey)) {
                return Signature.of(Arrays.copyOf(rs, 32), Arrays.copyOfRange(rs, 32, 64), 27 + recid);
            }
        }
        throw new IllegalStateException("no recovery id reproduces the signer");
    }
}
