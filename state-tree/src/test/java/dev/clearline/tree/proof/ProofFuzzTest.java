package dev.clearline.tree.proof;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.clearline.tree.Bytes32;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzz targets for the proof wire format, the bytes a challenger hands the
 * verifier. Without JAZZER_FUZZ=1 (CI) each target replays the corpus checked in under
 * src/test/resources/dev/clearline/tree/proof/ProofFuzzTestInputs/&lt;method&gt;/; with it, Jazzer
 * mutates inputs for the given time (README, "Testing").
 */
class ProofFuzzTest {

    /**
     * Any bytes either decode to a proof whose encoding is the same bytes, or are refused as
     * MALFORMED with a reason; nothing throws. One exception to the round trip, documented: a
     * non-empty sibling slot that carries 32 zero bytes decodes to an empty sibling (the same
     * proof), and the canonical encoding marks it in the bitmap instead.
     */
    @FuzzTest(maxDuration = "60s")
    void decodeIsTotalAndAcceptedBytesReencodeToThemselves(byte[] input) {
        Proof.Decoded decoded = Proof.decode(input);
        switch (decoded) {
            case Proof.Decoded.Invalid bad -> {
                assertThat(bad.error()).isEqualTo(ProofError.MALFORMED);
                assertThat(bad.reason()).isNotBlank();
            }
            case Proof.Decoded.Valid ok -> {
                byte[] again = ok.proof().encode();
                if (!Arrays.equals(again, input)) {
                    int explicitZeros = explicitZeroSiblings(input, ok.proof());
                    assertThat(explicitZeros).as("only explicit zero siblings may change the encoding").isPositive();
                    assertThat(input.length - again.length).isEqualTo(32 * explicitZeros);
                }
                Proof.Decoded twice = Proof.decode(again);
                assertThat(twice).isInstanceOf(Proof.Decoded.Valid.class);
                assertThat(((Proof.Decoded.Valid) twice).proof().encode()).isEqualTo(again);
            }
        }
    }

    /**
     * The verifier on attacker-chosen keys, claims, root and proof bytes returns a typed verdict
     * and never throws. Layout: 1 byte key count (1..4), that many 32-byte keys, as many 32-byte
     * value hashes, a 32-byte root, then the proof.
     */
    @FuzzTest(maxDuration = "60s")
    void verifyAnswersEveryInputWithATypedVerdict(byte[] input) {
        if (input.length < 1) return;
        int n = 1 + (input[0] & 0x03);
        int header = 1 + 64 * n + 32;
        if (input.length < header) return;
        List<Bytes32> keys = new ArrayList<>();
        List<Bytes32> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(Bytes32.of(Arrays.copyOfRange(input, 1 + 32 * i, 1 + 32 * (i + 1))));
            values.add(Bytes32.of(Arrays.copyOfRange(input, 1 + 32 * (n + i), 1 + 32 * (n + i + 1))));
        }
        Bytes32 root = Bytes32.of(Arrays.copyOfRange(input, 1 + 64 * n, header));
        byte[] proof = Arrays.copyOfRange(input, header, input.length);

        ProofError verdict = ProofVerifier.verify(root, keys, values, proof);
        assertThat(verdict).isNotNull();
        ProofVerifier.Result computed = ProofVerifier.computeRoot(keys, values, proof);
        assertThat(computed.error()).isNotNull();
        if (computed.error() == ProofError.OK) {
            // the root a proof computes is the one root it verifies against
            assertThat(ProofVerifier.verify(computed.root(), keys, values, proof)).isEqualTo(ProofError.OK);
        }
        if (verdict == ProofError.OK) {
            assertThat(computed.root()).isEqualTo(root);
        }
    }

    /** Sibling slots the input encodes as 32 explicit zero bytes instead of a bitmap bit. */
    private static int explicitZeroSiblings(byte[] input, Proof proof) {
        int pos = 2;
        for (Terminal t : proof.terminals()) pos += 3 + (t instanceof Terminal.NeighbourLeaf ? 64 : 0);
        int slots = proof.siblings().size();
        int bitmapStart = pos + 2;
        int zeros = 0;
        for (int i = 0; i < slots; i++) {
            boolean markedEmpty = (input[bitmapStart + (i >>> 3)] & (0x80 >>> (i & 7))) != 0;
            if (!markedEmpty && Arrays.equals(proof.siblings().get(i), new byte[32])) zeros++;
        }
        return zeros;
    }
}
