package dev.clearline.conformance.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.conformance.DeployedOnce;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.proof.ProofVerifier;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random trees and edits: every proof Java produces verifies in the EVM, every root update Solidity
 * computes from a proof equals the root Java reaches by committing, and tampering gets the same
 * error code on both sides.
 */
@ExtendWith(DeployedOnce.class)
class TreeProofTwinProperties {
    private final ProofHarness solidity;

    TreeProofTwinProperties(ProofHarness solidity) {
        this.solidity = solidity;
    }

    private static Bytes32 key(Random r) {
        byte[] k = new byte[32];
        r.nextBytes(k);
        if (r.nextInt(4) == 0) {
            k[0] = 0x11; // crowd some keys under one prefix: long shared paths, empty siblings
            k[1] = (byte) (r.nextInt(2));
        }
        return Bytes32.of(k);
    }

    /** Keys that crowd one small subtree: all share their first 250 bits with {@code base}. */
    private static Bytes32 crowded(Bytes32 base, Random r) {
        byte[] k = base.toArray();
        k[31] = (byte) ((k[31] & 0xC0) | r.nextInt(64));
        return Bytes32.of(k);
    }

    @Test
    void everyJavaProofVerifiesInTheEvmAndEveryProofUpdateMatchesTheCommittedRoot() {
        Property.forAll(Gens.seeds(), Gens.allOf(Gens.ints(0, 200), Gens.ints(1, 12), Gens.ints(0, 3), Gens.ints(0, 2)))
                .tries(80).check((seed, counts) -> {
            int size = counts.get(0);
            int touched = counts.get(1);
            int deleteOdds = counts.get(2); // in four: how often a touched key is deleted
            boolean crowd = counts.get(3) > 0; // many leaves (old and new) in one small subtree
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
            TreeMap<Bytes32, byte[]> model = new TreeMap<>();
            WriteSet initial = new WriteSet();
            Bytes32 base = key(r);
            for (int i = 0; i < size; i++) {
                Bytes32 k = crowd && r.nextInt(3) == 0 ? crowded(base, r) : key(r);
                byte[] v = new byte[1 + r.nextInt(100)];
                r.nextBytes(v);
                initial.put(k, v);
                model.put(k, v);
            }
            long v0 = tree.commit(initial);
            List<Bytes32> existing = new ArrayList<>(model.keySet());
            TreeMap<Bytes32, byte[]> edits = new TreeMap<>(); // an empty value deletes
            for (int i = 0; i < touched; i++) {
                Bytes32 k = !existing.isEmpty() && r.nextBoolean() ? existing.get(r.nextInt(existing.size()))
                        : crowd ? crowded(base, r) : key(r);
                byte[] v = new byte[r.nextInt(4) < deleteOdds ? 0 : 1 + r.nextInt(40)];
                r.nextBytes(v);
                edits.put(k, v);
            }
            List<Bytes32> keys = new ArrayList<>(edits.keySet());
            List<Bytes32> oldHashes = keys.stream().map(k -> model.containsKey(k)
                    ? Bytes32.of(TreeHash.value(model.get(k))) : Bytes32.ZERO).toList();
            List<Bytes32> newHashes = keys.stream().map(k -> edits.get(k).length == 0 ? Bytes32.ZERO
                    : Bytes32.of(TreeHash.value(edits.get(k)))).toList();
            byte[] plain = tree.prove(v0, keys).encode();
            byte[] proof = tree.proveUpdate(v0, keys, newHashes).encode();
            Bytes32 root = tree.root(v0);

            assertThat(solidity.verify(root, keys, oldHashes, plain).error()).isEqualTo(ProofError.OK);

            WriteSet ws = new WriteSet();
            edits.forEach((k, v) -> {
                if (v.length == 0) {
                    ws.delete(k);
                } else {
                    ws.put(k, v);
                }
            });
            Bytes32 committed = tree.root(tree.commit(ws));
            ProofHarness.Verdict onChain = solidity.update(root, keys, oldHashes, newHashes, proof);
            ProofVerifier.Result inJava = ProofVerifier.update(root, keys, oldHashes, newHashes, proof);
            assertThat(inJava.error()).isEqualTo(ProofError.OK);
            assertThat(onChain.error()).isEqualTo(ProofError.OK);
            assertThat(onChain.newRoot()).isEqualTo(committed).isEqualTo(inJava.newRoot());
            if (!java.util.Arrays.equals(proof, plain)) {
                // The openings are needed: without them both sides refuse the update alike.
                assertThat(solidity.update(root, keys, oldHashes, newHashes, plain).error())
                        .isEqualTo(ProofVerifier.update(root, keys, oldHashes, newHashes, plain).error())
                        .isEqualTo(ProofError.SIBLINGS_MISMATCH);
            }
        });
    }

    @Test
    void anyTamperingIsRejectedWithTheSameCodeOnBothSides() {
        Property.forAll(Gens.seeds(), Gens.allOf(Gens.ints(1, 100), Gens.ints(0, 3))).tries(80).check((seed, counts) -> {
            int size = counts.get(0);
            int how = counts.get(1);
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
            WriteSet ws = new WriteSet();
            List<Bytes32> members = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                Bytes32 k = key(r);
                members.add(k);
                ws.put(k, new byte[] {(byte) i});
            }
            long v = tree.commit(ws);
            TreeMap<Bytes32, Bytes32> claims = new TreeMap<>();
            for (int i = 0; i < 1 + r.nextInt(5); i++) {
                Bytes32 k = r.nextBoolean() ? members.get(r.nextInt(members.size())) : key(r);
                claims.put(k, tree.get(v, k).map(x -> Bytes32.of(TreeHash.value(x))).orElse(Bytes32.ZERO));
            }
            List<Bytes32> keys = new ArrayList<>(claims.keySet());
            List<Bytes32> hashes = new ArrayList<>(claims.values());
            byte[] proof = tree.prove(v, keys).encode();
            Bytes32 root = tree.root(v);
            switch (how) {
                case 0 -> proof[r.nextInt(proof.length)] ^= (byte) (1 + r.nextInt(255));
                case 1 -> proof = java.util.Arrays.copyOf(proof, r.nextInt(proof.length));
                case 2 -> {
                    int i = r.nextInt(keys.size());
                    hashes.set(i, hashes.get(i).isZero() ? Bytes32.of(TreeHash.value(new byte[] {1})) : Bytes32.ZERO);
                }
                default -> {
                    int i = r.nextInt(keys.size());
                    byte[] k = keys.get(i).toArray();
                    k[31] ^= 1;
                    keys.set(i, Bytes32.of(k));
                }
            }
            ProofError java = ProofVerifier.verify(root, keys, hashes, proof);
            assertThat(solidity.verify(root, keys, hashes, proof).error()).isEqualTo(java);
            if (how != 3) {
                assertThat(java).isNotEqualTo(ProofError.OK);
            }
        });
    }
}
