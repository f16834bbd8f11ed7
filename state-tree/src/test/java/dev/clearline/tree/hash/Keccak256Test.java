package dev.clearline.tree.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.Random;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.bouncycastle.crypto.digests.KeccakDigest;
import org.junit.jupiter.api.Test;

class Keccak256Test {
    private static byte[] bouncyCastle(byte[] in) {
        KeccakDigest d = new KeccakDigest(256);
        d.update(in, 0, in.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    @Test
    void emptyInputHashesToEthereumsKnownConstant() {
        assertThat(HexFormat.of().formatHex(Keccak256.hash(new byte[0])))
                .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    }

    @Test
    void matchesBouncyCastleOnAnyLength() {
        Property.forAll(Gens.bytes(0, 700)).tries(300).check(input -> {
            assertThat(Keccak256.hash(input)).isEqualTo(bouncyCastle(input));
        });
    }

    @Test
    void everyLengthUpToTwoBlocksMatchesBouncyCastleInsideALargerArray() {
        // inputs under one block (136 bytes) take their own path, lanes straight from the input: every
        // length, and every place of the padding, against the reference; inside a larger array, so a
        // read past the slice would show
        Property.forAll(Gens.seeds()).tries(5).check(seed -> {
            Random r = new Random(seed);
            for (int len = 0; len <= 2 * 136 + 1; len++) {
                byte[] input = new byte[len];
                r.nextBytes(input);
                int before = r.nextInt(9);
                byte[] padded = new byte[before + len + 9];
                r.nextBytes(padded);
                System.arraycopy(input, 0, padded, before, len);
                assertThat(Keccak256.hash(padded, before, len)).as("length %d", len).isEqualTo(bouncyCastle(input));
            }
        });
    }

    @Test
    void prefixedPreimageMatchesBouncyCastleOnRandomInputs() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] a = new byte[32];
            byte[] b = new byte[32];
            random.nextBytes(a);
            random.nextBytes(b);
            byte prefix = (byte) random.nextInt(256);
            byte[] preimage = new byte[65];
            preimage[0] = prefix;
            System.arraycopy(a, 0, preimage, 1, 32);
            System.arraycopy(b, 0, preimage, 33, 32);
            assertThat(Keccak256.hashPrefixed(prefix, a, b)).isEqualTo(bouncyCastle(preimage));
        }
    }

    @Test
    void aSliceHashesAsTheSameBytesCopiedOut() {
        // the last block is absorbed from the input in place: its bounds must be the slice's, not the array's
        Property.forAll(Gens.bytes(0, 420), Gens.ints(0, 41 * 41 - 1)).tries(200).check((input, margins) -> {
            int before = margins % 41;
            int after = margins / 41;
            byte[] padded = new byte[before + input.length + after];
            java.util.Arrays.fill(padded, (byte) 0x5a);
            System.arraycopy(input, 0, padded, before, input.length);
            assertThat(Keccak256.hash(padded, before, input.length)).isEqualTo(bouncyCastle(input));
        });
    }
}
