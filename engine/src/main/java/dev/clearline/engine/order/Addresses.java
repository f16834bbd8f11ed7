package dev.clearline.engine.order;

import dev.clearline.engine.abi.Keccak;

import java.util.Arrays;

final class Addresses {
    private Addresses() {}

    /** Ethereum's rule: the last 20 bytes of keccak(x || y) of the uncompressed public key. */
    static Address fromPublicKey(byte[] xy64) {
        byte[] h = Keccak.hash(xy64);
        return new Address(Arrays.copyOfRange(h, 12, 32));
    }
}
