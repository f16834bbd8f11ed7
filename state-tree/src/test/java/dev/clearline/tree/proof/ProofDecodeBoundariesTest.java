package dev.clearline.tree.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every length check of the proof decoder at its exact boundary, with the reason it gives, and
 * the uint16 fields at their largest values. Written from the mutants PIT found alive.
 */
class ProofDecodeBoundariesTest {

    private static String reason(byte[] in) {
        Proof.Decoded d = Proof.decode(in);
        assertThat(d).isInstanceOf(Proof.Decoded.Invalid.class);
        assertThat(((Proof.Decoded.Invalid) d).error()).isEqualTo(ProofError.MALFORMED);
        return ((Proof.Decoded.Invalid) d).reason();
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test
    void eachTruncationIsNamedAtItsExactBoundary() {
        assertThat(reason(null)).contains("null");
        assertThat(reason(bytes(0))).contains("shorter than its 2-byte terminal count");
        assertThat(reason(bytes(0, 1))).contains("truncated in terminal 0");          // 2 bytes: count present
        assertThat(reason(bytes(0, 1, 0, 0))).contains("truncated in terminal 0");    // 2 of 3 header bytes
        assertThat(reason(bytes(0, 1, 0, 0, 2))).contains("truncated before the sibling count");  // exactly 3
        assertThat(reason(bytes(0, 1, 0, 0, 2, 0))).contains("truncated before the sibling count"); // 1 of 2
        byte[] neighbourShort = new byte[2 + 3 + 63];
        neighbourShort[1] = 1;
        neighbourShort[4] = 1;
        assertThat(reason(neighbourShort)).contains("truncated in neighbour leaf of terminal 0");
        byte[] neighbourExact = new byte[2 + 3 + 64];
        neighbourExact[1] = 1;
        neighbourExact[4] = 1;
        assertThat(reason(neighbourExact)).contains("truncated before the sibling count");
        assertThat(reason(bytes(0, 1, 1, 1, 2, 0, 0))).contains("depth 257 > 256");
        assertThat(reason(bytes(0, 1, 0, 0, 2, 0, 2))).contains("bitmap truncated: 2 slots need 1 bytes");
        // one slot marked non-empty but no sibling bytes: the message counts what is missing
        assertThat(reason(bytes(0, 1, 0, 0, 2, 0, 1, 0))).isEqualTo("expected 1 non-empty siblings (32 bytes), found 0 bytes");
        byte[] twoMissing = bytes(0, 1, 0, 0, 2, 0, 3, 0x20);
        assertThat(reason(twoMissing)).isEqualTo("expected 2 non-empty siblings (64 bytes), found 0 bytes");
    }

    @Test
    void depth256IsTheDeepestTerminalAndItsEncodingKeepsTheHighByte() {
        byte[] in = bytes(0, 1, 1, 0, 2, 0, 0);
        Proof.Decoded d = Proof.decode(in);
        assertThat(d).isInstanceOf(Proof.Decoded.Valid.class);
        Proof p = ((Proof.Decoded.Valid) d).proof();
        assertThat(p.terminals()).containsExactly(new Terminal.QueriedLeaf(256));
        assertThat(p.encode()).isEqualTo(in);
    }

    @Test
    void uint16FieldsHoldUpTo65535AndRefuseMore() {
        List<byte[]> slots = new ArrayList<>(Collections.nCopies(0xFFFF, new byte[32]));
        byte[] max = new Proof(List.of(new Terminal.Empty(0)), slots).encode();
        assertThat(max[5] & 0xff).isEqualTo(0xff);
        assertThat(max[6] & 0xff).isEqualTo(0xff);
        assertThat(((Proof.Decoded.Valid) Proof.decode(max)).proof().siblings()).hasSize(0xFFFF);
        slots.add(new byte[32]);
        assertThatThrownBy(() -> new Proof(List.of(new Terminal.Empty(0)), slots).encode())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("65536");
    }

    @Test
    void keysMustBeStrictlyIncreasingAndMatchTheTerminalsOneForOne() {
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
        WriteSet ws = new WriteSet();
        Bytes32 a = Bytes32.fromHex("0x" + "11".repeat(32));
        Bytes32 b = Bytes32.fromHex("0x" + "99".repeat(32));
        ws.put(a, new byte[] {1});
        ws.put(b, new byte[] {2});
        long v = tree.commit(ws);
        Bytes32 ha = Bytes32.of(TreeHash.value(new byte[] {1}));
        Bytes32 hb = Bytes32.of(TreeHash.value(new byte[] {2}));
        byte[] proofA = tree.prove(v, List.of(a)).encode();
        byte[] proofAb = tree.prove(v, List.of(a, b)).encode();
        assertThat(ProofVerifier.verify(tree.root(v), List.of(a, b), List.of(ha, hb), proofAb)).isEqualTo(ProofError.OK);
        // a repeated key is not "sorted"
        assertThat(ProofVerifier.verify(tree.root(v), List.of(a, a), List.of(ha, ha), proofAb)).isEqualTo(ProofError.KEYS_NOT_SORTED);
        // more keys than the proof's terminals reach, and fewer
        assertThat(ProofVerifier.verify(tree.root(v), List.of(a, b), List.of(ha, hb), proofA)).isEqualTo(ProofError.TERMINAL_MISMATCH);
        assertThat(ProofVerifier.verify(tree.root(v), List.of(a), List.of(ha), proofAb)).isEqualTo(ProofError.TERMINAL_MISMATCH);
    }

    @Test
    void aClaimThatContradictsTheTerminalIsExactlyValueMismatch() {
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
        WriteSet ws = new WriteSet();
        Bytes32 a = Bytes32.fromHex("0x" + "11".repeat(32));
        Bytes32 absent = Bytes32.fromHex("0x" + "99".repeat(32));
        ws.put(a, new byte[] {1});
        long v = tree.commit(ws);
        Bytes32 someValue = Bytes32.of(TreeHash.value(new byte[] {9}));
        // absent key claimed present: its path ends in the neighbour leaf a (or an empty subtree)
        byte[] proofAbsent = tree.prove(v, List.of(absent)).encode();
        assertThat(ProofVerifier.verify(tree.root(v), List.of(absent), List.of(someValue), proofAbsent))
                .isEqualTo(ProofError.VALUE_MISMATCH);
        // new values must come one per key
        byte[] proofA = tree.prove(v, List.of(a)).encode();
        assertThat(ProofVerifier.update(tree.root(v), List.of(a), List.of(someValue), List.of(someValue, someValue), proofA)
                .error()).isEqualTo(ProofError.KEYS_NOT_SORTED);
    }
}
