package dev.clearline.tree.proof;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The verifier's edges PIT found untested: a terminal that does not leave its predecessor's
 * subtree (at exactly the shared prefix), an update that keeps an absent key absent (the empty
 * compact subtree), and the value semantics of a neighbour-leaf terminal.
 */
class ProofVerifierEdgesTest {
    private static Bytes32 key(int firstByte) {
        byte[] k = new byte[32];
        k[0] = (byte) firstByte;
        return Bytes32.of(k);
    }

    /**
     * Keys 0x00.. and 0x04.. share exactly 5 leading bits. A second terminal at depth 5 would sit
     * at or above the first key's path: TERMINAL_MISMATCH. At depth 6 the keys' paths have parted.
     */
    @Test
    void aTerminalAtExactlyTheSharedPrefixOfItsPredecessorIsATerminalMismatch() {
        List<Bytes32> keys = List.of(key(0x00), key(0x04));
        List<Bytes32> absent = List.of(Bytes32.ZERO, Bytes32.ZERO);
        byte[] atPrefix = new Proof(List.of(new Terminal.Empty(6), new Terminal.Empty(5)), List.of()).encode();
        assertThat(ProofVerifier.computeRoot(keys, absent, atPrefix).error()).isEqualTo(ProofError.TERMINAL_MISMATCH);
        byte[] parted = new Proof(List.of(new Terminal.Empty(6), new Terminal.Empty(6)), List.of()).encode();
        assertThat(ProofVerifier.computeRoot(keys, absent, parted).error())
                .as("past the terminal check, the missing siblings are what is wrong").isEqualTo(ProofError.SIBLINGS_MISMATCH);
    }

    /** Keys 0x00.. and 0x40.. fill the left half; 0x99..'s path ends in the empty right half. */
    @Test
    void anUpdateThatKeepsAnAbsentKeyAbsentKeepsTheRoot() {
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
        WriteSet ws = new WriteSet();
        ws.put(key(0x00), new byte[] {1});
        ws.put(key(0x40), new byte[] {2});
        long v = tree.commit(ws);
        Bytes32 absent = key(0x99);
        Proof proof = tree.prove(v, List.of(absent));
        assertThat(proof.terminals()).containsExactly(new Terminal.Empty(1));
        ProofVerifier.Result r = ProofVerifier.update(tree.root(v), List.of(absent), List.of(Bytes32.ZERO), List.of(Bytes32.ZERO),
                proof.encode());
        assertThat(r.error()).isEqualTo(ProofError.OK);
        assertThat(r.newRoot()).isEqualTo(tree.root(v));
        Bytes32 inserted = Bytes32.of(TreeHash.value(new byte[] {3}));
        ProofVerifier.Result insert = ProofVerifier.update(tree.root(v), List.of(absent), List.of(Bytes32.ZERO),
                List.of(inserted), proof.encode());
        WriteSet more = new WriteSet();
        more.put(absent, new byte[] {3});
        assertThat(insert.newRoot()).isEqualTo(tree.root(tree.commit(more)));
    }

    @Test
    void neighbourLeavesAreEqualByDepthKeyAndValueHash() {
        byte[] key = key(0x11).toArray();
        byte[] vh = TreeHash.value(new byte[] {1});
        var leaf = new Terminal.NeighbourLeaf(3, key, vh);
        var same = new Terminal.NeighbourLeaf(3, key.clone(), vh.clone());
        assertThat(leaf).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(leaf).isNotEqualTo(new Terminal.NeighbourLeaf(4, key, vh));
        assertThat(leaf).isNotEqualTo(new Terminal.NeighbourLeaf(3, key(0x12).toArray(), vh));
        assertThat(leaf).isNotEqualTo(new Terminal.NeighbourLeaf(3, key, TreeHash.value(new byte[] {2})));
        assertThat(leaf).isNotEqualTo(new Terminal.Empty(3)).isNotEqualTo(null);
        assertThat(leaf.kind()).isEqualTo(1);
    }

    /** A claim of presence against an empty subtree, and two claims of presence in one leaf's terminal. */
    @Test
    void presenceClaimedWhereTheProofShowsNoneOrOnlyOneLeafIsExactlyValueMismatch() {
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
        WriteSet ws = new WriteSet();
        ws.put(key(0x00), new byte[] {1});
        ws.put(key(0x40), new byte[] {2});
        long v = tree.commit(ws);
        Bytes32 someValue = Bytes32.of(TreeHash.value(new byte[] {9}));
        Bytes32 absent = key(0x99);
        Proof empty = tree.prove(v, List.of(absent));
        assertThat(empty.terminals()).containsExactly(new Terminal.Empty(1));
        assertThat(ProofVerifier.verify(tree.root(v), List.of(absent), List.of(someValue), empty.encode()))
                .isEqualTo(ProofError.VALUE_MISMATCH);

        SparseMerkleTree single = new SparseMerkleTree(new MemoryNodeStore());
        WriteSet one = new WriteSet();
        one.put(key(0x11), new byte[] {1});
        long w = single.commit(one);
        Bytes32 present = Bytes32.of(TreeHash.value(new byte[] {1}));
        Proof both = single.prove(w, List.of(key(0x11), key(0x12)));
        assertThat(ProofVerifier.verify(single.root(w), List.of(key(0x11), key(0x12)), List.of(present, Bytes32.ZERO), both.encode()))
                .isEqualTo(ProofError.OK);
        assertThat(ProofVerifier.verify(single.root(w), List.of(key(0x11), key(0x12)), List.of(present, someValue), both.encode()))
                .isEqualTo(ProofError.VALUE_MISMATCH);
    }
}
