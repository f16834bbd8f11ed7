package dev.clearline.conformance.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.conformance.DeployedOnce;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.proof.ProofVerifier;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The proof library on its boundaries, where random tampering seldom lands and a forged proof would
 * be money taken: every prefix and every byte of small proofs, keys out of order, repeated or
 * miscounted, an update against a root the proof is not for, and pairs of keys that part at every
 * bit position (the depth arithmetic). The Solidity verdict must equal the Java twin's each time, and
 * nothing but a true proof is accepted.
 */
@ExtendWith(DeployedOnce.class)
class ProofBoundaryTwinProperties {
    private final ProofHarness solidity;

    ProofBoundaryTwinProperties(ProofHarness solidity) {
        this.solidity = solidity;
    }

    /** A committed tree, keys claimed in it (members and not), their hashes as they are and as an update would set them. */
    private record Claim(Bytes32 root, List<Bytes32> keys, List<Bytes32> oldHashes, List<Bytes32> newHashes, byte[] plain, byte[] update,
                         Bytes32 newRoot) {}

    private static Bytes32 key(Random r) {
        byte[] k = new byte[32];
        r.nextBytes(k);
        return Bytes32.of(k);
    }

    private static Bytes32 hash(byte[] value) {
        return Bytes32.of(TreeHash.value(value));
    }

    /** A tree of {@code members} leaves and a claim on up to {@code claimed} keys, some of them absent; the update sets or deletes each. */
    private static Claim claim(Random r, List<Bytes32> members, int claimed) {
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
        TreeMap<Bytes32, byte[]> model = new TreeMap<>();
        WriteSet ws = new WriteSet();
        for (Bytes32 k : members) {
            byte[] v = {(byte) r.nextInt(256), (byte) model.size()};
            ws.put(k, v);
            model.put(k, v);
        }
        long v0 = tree.commit(ws);
        TreeMap<Bytes32, byte[]> edits = new TreeMap<>();
        for (int i = 0; i < claimed; i++) {
            Bytes32 k = !members.isEmpty() && r.nextBoolean() ? members.get(r.nextInt(members.size())) : key(r);
            edits.put(k, r.nextInt(3) == 0 ? new byte[0] : new byte[] {(byte) (1 + r.nextInt(255))});
        }
        List<Bytes32> keys = new ArrayList<>(edits.keySet());
        List<Bytes32> oldHashes = keys.stream().map(k -> model.containsKey(k) ? hash(model.get(k)) : Bytes32.ZERO).toList();
        List<Bytes32> newHashes = keys.stream().map(k -> edits.get(k).length == 0 ? Bytes32.ZERO : hash(edits.get(k))).toList();
        byte[] plain = tree.prove(v0, keys).encode();
        byte[] update = tree.proveUpdate(v0, keys, newHashes).encode();
        Bytes32 root = tree.root(v0);
        WriteSet change = new WriteSet();
        edits.forEach((k, v) -> {
            if (v.length == 0) change.delete(k);
            else change.put(k, v);
        });
        return new Claim(root, keys, oldHashes, newHashes, plain, update, tree.root(tree.commit(change)));
    }

    private static List<Bytes32> randomKeys(Random r, int n) {
        List<Bytes32> ks = new ArrayList<>();
        for (int i = 0; i < n; i++) ks.add(key(r));
        return ks;
    }

    /** The verdicts of verify (on the old hashes) and update (to the new ones), each given alike by Solidity and its Java twin. */
    private record Verdicts(ProofError verify, ProofError update) {
        ProofError of(boolean updating) {
            return updating ? update : verify;
        }
    }

    private Verdicts judgedAlike(Bytes32 root, List<Bytes32> keys, List<Bytes32> oldHashes, List<Bytes32> newHashes, byte[] proof) {
        ProofError java = ProofVerifier.verify(root, keys, oldHashes, proof);
        assertThat(solidity.verify(root, keys, oldHashes, proof).error()).as("verify").isEqualTo(java);
        // the reverting variant returns exactly when verify says OK, and reverts with its code otherwise
        assertThat(solidity.requireValid(root, keys, oldHashes, proof)).as("requireValid")
                .isEqualTo(java == ProofError.OK ? Optional.empty() : Optional.of(java));
        ProofVerifier.Result javaUpdate = ProofVerifier.update(root, keys, oldHashes, newHashes, proof);
        ProofHarness.Verdict onChain = solidity.update(root, keys, oldHashes, newHashes, proof);
        assertThat(onChain.error()).as("update").isEqualTo(javaUpdate.error());
        if (javaUpdate.error() == ProofError.OK) assertThat(onChain.newRoot()).isEqualTo(javaUpdate.newRoot());
        return new Verdicts(java, javaUpdate.error());
    }

    @Test
    void everyPrefixAndEveryAlteredByteOfASmallProofIsJudgedAlikeAndNoneIsAccepted() {
        Property.forAll(Gens.seeds(), Gens.ints(0, 6)).tries(12).check((seed, size) -> {
            Random r = new Random(seed);
            Claim c = claim(r, randomKeys(r, size), 1 + r.nextInt(3));
            assertThat(judgedAlike(c.root(), c.keys(), c.oldHashes(), c.newHashes(), c.plain()).verify()).isEqualTo(ProofError.OK);
            assertThat(judgedAlike(c.root(), c.keys(), c.oldHashes(), c.newHashes(), c.update()).update()).isEqualTo(ProofError.OK);
            for (boolean updating : new boolean[] {false, true}) {
                byte[] proof = updating ? c.update() : c.plain();
                for (int len = 0; len < proof.length; len++) {
                    byte[] cut = Arrays.copyOf(proof, len);
                    assertThat(judgedAlike(c.root(), c.keys(), c.oldHashes(), c.newHashes(), cut).of(updating))
                            .as("cut to %d of %d", len, proof.length).isNotEqualTo(ProofError.OK);
                }
                byte[] longer = Arrays.copyOf(proof, proof.length + 1 + r.nextInt(64));
                for (int i = proof.length; i < longer.length; i++) longer[i] = (byte) (1 + r.nextInt(255)); // not zeros: a count read from them is not 0
                assertThat(judgedAlike(c.root(), c.keys(), c.oldHashes(), c.newHashes(), longer).of(updating)).as("trailing bytes")
                        .isNotEqualTo(ProofError.OK);
                for (int i = 0; i < proof.length; i++) {
                    for (int bit : new int[] {0x01, 0x80, 1 + r.nextInt(255)}) {
                        byte[] altered = proof.clone();
                        altered[i] ^= (byte) bit;
                        assertThat(judgedAlike(c.root(), c.keys(), c.oldHashes(), c.newHashes(), altered).of(updating))
                                .as("byte %d of %d ^ %d", i, proof.length, bit).isNotEqualTo(ProofError.OK);
                    }
                }
            }
        });
    }

    /**
     * Proofs too short to hold their own header, or a header that counts no terminal: every one-byte
     * proof, and the shortest shapes around a zero count. Both sides call them malformed.
     */
    @Test
    void proofsShorterThanTheirHeaderOrCountingNoTerminalAreMalformedOnBothSides() {
        Random r = new Random(2);
        Claim c = claim(r, randomKeys(r, 3), 2);
        List<byte[]> proofs = new ArrayList<>();
        proofs.add(new byte[0]);
        for (int b = 0; b < 256; b++) proofs.add(new byte[] {(byte) b});
        proofs.add(new byte[] {0, 0});
        proofs.add(new byte[] {0, 0, 0, 0}); // no terminal, no slot: parses into nothing unless the count is checked
        proofs.add(new byte[] {0, 0, 0, 0, 0, 0});
        proofs.add(new byte[] {0, 1, 0, 0, 0, 0, 0}); // one empty terminal at depth 0, no slots
        for (byte[] proof : proofs) {
            Verdicts v = judgedAlike(c.root(), c.keys(), c.oldHashes(), c.newHashes(), proof);
            assertThat(v.verify()).as("0x%s", java.util.HexFormat.of().formatHex(proof)).isNotEqualTo(ProofError.OK);
            assertThat(v.update()).as("0x%s", java.util.HexFormat.of().formatHex(proof)).isNotEqualTo(ProofError.OK);
        }
        assertThat(judgedAlike(c.root(), c.keys(), c.oldHashes(), c.newHashes(), new byte[] {0, 0, 0, 0}).verify()).isEqualTo(ProofError.MALFORMED);
    }

    /**
     * A proof that names the claimed key itself as the neighbour leaf standing in its place, at depth
     * 256 (the deepest the format allows) and at a shallow depth: the claim of absence is a value
     * mismatch on both sides, not a terminal mismatch (the common prefix of a key with itself is 256).
     */
    @Test
    void aNeighbourLeafThatIsTheClaimedKeyIsAValueMismatchOnBothSides() {
        Bytes32 key = key(new Random(3));
        for (int depth : new int[] {256, 255, 10, 0}) {
            java.nio.ByteBuffer proof = java.nio.ByteBuffer.allocate(2 + 3 + 64 + 2);
            proof.putShort((short) 1).putShort((short) depth).put((byte) 1).put(key.toArray()).put(hash(new byte[] {1}).toArray()).putShort((short) 0);
            Verdicts v = judgedAlike(Bytes32.of(new byte[32]), List.of(key), List.of(Bytes32.ZERO), List.of(Bytes32.ZERO), proof.array());
            assertThat(v.verify()).as("depth %d", depth).isEqualTo(ProofError.VALUE_MISMATCH);
        }
    }

    /**
     * Two keys in one leaf's subtree, both claimed present: one terminal cannot hold two leaves, so
     * both sides refuse the claim as a value mismatch (taking either key's value would be a forged read).
     */
    @Test
    void twoKeysClaimedPresentUnderOneLeafAreRefusedAlike() {
        Property.forAll(Gens.seeds(), Gens.ints(0, 12)).tries(30).check((seed, size) -> {
            Random r = new Random(seed);
            List<Bytes32> members = randomKeys(r, size + 1);
            Bytes32 member = members.get(0);
            byte[] twin = member.toArray();
            twin[31] ^= 1; // parts from the member at the last bit: the same terminal whatever else the tree holds
            List<Bytes32> keys = new ArrayList<>(List.of(member, Bytes32.of(twin)));
            keys.sort(null);
            Claim c = claimOf(members, keys, r);
            assertThat(judgedAlike(c.root(), keys, c.oldHashes(), c.newHashes(), c.plain()).verify()).isEqualTo(ProofError.OK);
            List<Bytes32> bothPresent = keys.stream().map(k -> k.equals(member) ? c.oldHashes().get(keys.indexOf(member)) : hash(new byte[] {5})).toList();
            assertThat(judgedAlike(c.root(), keys, bothPresent, bothPresent, c.plain()).verify()).isEqualTo(ProofError.VALUE_MISMATCH);
        });
    }

    @Test
    void keysOutOfOrderRepeatedMissingOrMiscountedAreRefusedAlike() {
        Property.forAll(Gens.seeds(), Gens.ints(0, 20)).tries(40).check((seed, size) -> {
            Random r = new Random(seed);
            Claim c = claim(r, randomKeys(r, size), 2 + r.nextInt(3));
            if (c.keys().size() < 2) return;
            List<Bytes32> keys = c.keys(), old = c.oldHashes(), fresh = c.newHashes();
            List<Bytes32> swapped = new ArrayList<>(keys);
            java.util.Collections.swap(swapped, 0, 1);
            List<Bytes32> repeated = new ArrayList<>(keys);
            repeated.set(1, keys.get(0));
            List<Bytes32> repeatedOld = new ArrayList<>(old);
            repeatedOld.set(1, old.get(0));
            for (boolean updating : new boolean[] {false, true}) {
                byte[] proof = updating ? c.update() : c.plain();
                assertThat(judgedAlike(c.root(), swapped, old, fresh, proof).of(updating)).isEqualTo(ProofError.KEYS_NOT_SORTED);
                assertThat(judgedAlike(c.root(), repeated, repeatedOld, fresh, proof).of(updating)).isEqualTo(ProofError.KEYS_NOT_SORTED);
                assertThat(judgedAlike(c.root(), List.of(), List.of(), List.of(), proof).of(updating)).isNotEqualTo(ProofError.OK);
                assertThat(judgedAlike(c.root(), keys, old.subList(1, old.size()), fresh, proof).of(updating)).isNotEqualTo(ProofError.OK);
                List<Bytes32> extra = new ArrayList<>(fresh);
                extra.add(Bytes32.ZERO);
                assertThat(judgedAlike(c.root(), keys, old, fresh.subList(1, fresh.size()), proof).update()).isNotEqualTo(ProofError.OK);
                assertThat(judgedAlike(c.root(), keys, old, extra, proof).update()).isNotEqualTo(ProofError.OK);
            }
        });
    }

    @Test
    void aProofIsRefusedAlikeAgainstAnyRootButItsOwn() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 30)).tries(40).check((seed, size) -> {
            Random r = new Random(seed);
            Claim c = claim(r, randomKeys(r, size), 1 + r.nextInt(4));
            for (Bytes32 other : List.of(c.newRoot(), key(r), Bytes32.ZERO)) {
                if (other.equals(c.root())) continue;
                assertThat(judgedAlike(other, c.keys(), c.oldHashes(), c.newHashes(), c.plain()).verify()).isEqualTo(ProofError.ROOT_MISMATCH);
                assertThat(judgedAlike(other, c.keys(), c.oldHashes(), c.newHashes(), c.update()).update()).isEqualTo(ProofError.ROOT_MISMATCH);
            }
            assertThat(solidity.update(c.root(), c.keys(), c.oldHashes(), c.newHashes(), c.update()).newRoot()).isEqualTo(c.newRoot());
        });
    }

    /** Two keys that part at bit {@code b} and nowhere before: their leaves meet at that depth. Every depth, both sides alike. */
    @Test
    void keysThatPartAtEveryBitPositionAreProvenAndUpdatedAlike() {
        Random r = new Random(256);
        for (int b = 0; b < 256; b++) {
            byte[] base = key(r).toArray();
            byte[] partner = base.clone();
            partner[31 - b / 8] ^= (byte) (1 << (b % 8));
            List<Bytes32> members = new ArrayList<>(List.of(Bytes32.of(base), Bytes32.of(partner)));
            if (b % 3 == 0) members.add(key(r)); // sometimes a third leaf elsewhere
            Claim c = claim(r, members, 2);
            assertThat(judgedAlike(c.root(), c.keys(), c.oldHashes(), c.newHashes(), c.plain()).verify()).as("bit %d", b).isEqualTo(ProofError.OK);
            assertThat(judgedAlike(c.root(), c.keys(), c.oldHashes(), c.newHashes(), c.update()).update()).as("bit %d", b).isEqualTo(ProofError.OK);
            assertThat(ProofVerifier.update(c.root(), c.keys(), c.oldHashes(), c.newHashes(), c.update()).newRoot()).as("bit %d", b).isEqualTo(c.newRoot());
            // both partners claimed together, and one absent key claimed beside its partner
            List<Bytes32> pair = List.of(Bytes32.of(base), Bytes32.of(partner)).stream().sorted().toList();
            Claim both = claimOf(members, pair, r);
            assertThat(judgedAlike(both.root(), both.keys(), both.oldHashes(), both.newHashes(), both.plain()).verify()).as("pair at bit %d", b)
                    .isEqualTo(ProofError.OK);
            assertThat(judgedAlike(both.root(), both.keys(), both.oldHashes(), both.newHashes(), both.update()).update()).as("pair at bit %d", b)
                    .isEqualTo(ProofError.OK);
        }
    }

    /** A claim on exactly {@code keys} (sorted) in a tree of {@code members}. */
    private static Claim claimOf(List<Bytes32> members, List<Bytes32> keys, Random r) {
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
        TreeMap<Bytes32, byte[]> model = new TreeMap<>();
        WriteSet ws = new WriteSet();
        for (Bytes32 k : members) {
            byte[] v = {(byte) model.size(), 7};
            ws.put(k, v);
            model.put(k, v);
        }
        long v0 = tree.commit(ws);
        List<Bytes32> oldHashes = keys.stream().map(k -> model.containsKey(k) ? hash(model.get(k)) : Bytes32.ZERO).toList();
        List<Bytes32> newHashes = keys.stream().map(k -> r.nextBoolean() ? Bytes32.ZERO : hash(new byte[] {9, (byte) r.nextInt(256)})).toList();
        WriteSet change = new WriteSet();
        for (int i = 0; i < keys.size(); i++) {
            if (newHashes.get(i).isZero()) change.delete(keys.get(i));
        }
        byte[] update = tree.proveUpdate(v0, keys, newHashes).encode();
        return new Claim(tree.root(v0), keys, oldHashes, newHashes, tree.prove(v0, keys).encode(), update, null);
    }
}
