package dev.clearline.tree.proof;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MalformedProofProperties {
    private static final List<Bytes32> KEY = List.of(Bytes32.fromHex("0x" + "ab".repeat(32)));

    @Test
    void arbitraryBytesGetATypedErrorNeverAnException() {
        Property.forAll(Gens.bytes(0, 300)).tries(300).check(garbage -> {
            ProofError e = ProofVerifier.verify(Bytes32.ZERO, KEY, List.of(Bytes32.ZERO), garbage);
            assertThat(e).isNotNull();
        });
    }

    @Test
    void anyTruncationOrSingleByteChangeOfAValidProofIsRejected() {
        Property.forAll(Gens.seeds(), Gens.ints(0, 10_000)).tries(100).check((seed, where) -> {
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
            WriteSet ws = new WriteSet();
            Bytes32 member = null;
            for (int i = 0; i < 30; i++) {
                byte[] k = new byte[32];
                r.nextBytes(k);
                member = Bytes32.of(k);
                ws.put(member, new byte[]{(byte) i});
            }
            tree.commit(ws);
            byte[] proof = tree.prove(0, List.of(member)).encode();
            List<Bytes32> claim = List.of(Bytes32.of(TreeHash.value(tree.get(member).orElseThrow())));
            assertThat(ProofVerifier.verify(tree.root(), List.of(member), claim, proof)).isEqualTo(ProofError.OK);

            byte[] truncated = Arrays.copyOf(proof, where % proof.length);
            assertThat(ProofVerifier.verify(tree.root(), List.of(member), claim, truncated)).isNotEqualTo(ProofError.OK);
            byte[] changed = proof.clone();
            changed[where % proof.length] ^= (byte) (1 + r.nextInt(255));
            assertThat(ProofVerifier.verify(tree.root(), List.of(member), claim, changed)).isNotEqualTo(ProofError.OK);
        });
    }

    @Test
    void keysOfTheWrongLengthAreATypedError() {
        assertThatThrownBy(() -> Bytes32.of(new byte[31])).isInstanceOf(Bytes32.InvalidLengthException.class)
                .hasMessageContaining("31 bytes");
        assertThat(ProofVerifier.verify(Bytes32.ZERO, List.of(), List.of(), new byte[0])).isEqualTo(ProofError.KEYS_NOT_SORTED);
    }
}
