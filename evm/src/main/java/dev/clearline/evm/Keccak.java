package dev.clearline.evm;

import org.bouncycastle.crypto.digests.KeccakDigest;

/** Keccak-256, the hash behind selectors, CREATE addresses and state roots. */
public final class Keccak {
    private Keccak() {}

    /** Keccak-256 of {@code input} (32 bytes). */
    public static byte[] hash(byte[] input) {
        KeccakDigest digest = new KeccakDigest(256);
        digest.update(input, 0, input.length);
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }
}
