package dev.clearline.engine.order;

import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

import java.math.BigInteger;

/** Holds one private key and signs EIP-712 digests with it (traders, oracles, tests, the devnet). */
public final class Signer {
    private final ECKeyPair keys;
    private final Address address;

    public Signer(BigInteger privateKey) {
        this.keys = ECKeyPair.create(privateKey);
        this.address = Address.fromHex(Keys.getAddress(keys.getPublicKey()));
    }

    public Address address() {
        return address;
    }

    public Signature sign(Hash32 digest) {
        // web3j produces low-s signatures with v in {27, 28}, the canonical form the STF accepts
        Sign.SignatureData d = Sign.signMessage(digest.bytes(), keys, false);
        return Signature.of(d.getR(), d.getS(), d.getV()[0] & 0xff);
    }

    public static Signer ofHex(String privateKeyHex) {
        return new Signer(Numeric.toBigInt(privateKeyHex));
    }
}
