package dev.clearline.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.proof.ProofVerifier;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

class SparseMerkleTreeProperties {

    /** Keys drawn from a small pool so that updates, deletes and shared prefixes happen often. */
    static Bytes32 key(Random r, int poolBits) {
        byte[] k = new byte[32];
        r.nextBytes(k);
        int pick = r.nextInt(1 << poolBits);
        // The low pool bits choose the key; a few prefix patterns force long common prefixes.
        Random fixed = new Random(pick);
        fixed.nextBytes(k);
        if (pick % 5 == 0) {
            k[0] = 0;
            k[1] = (byte) (pick & 1);
        }
        return Bytes32.of(k);
    }

    @Test
    void everyVersionMatchesTheReferenceRootAndStaysReadableAfterLaterCommitsAndPruning() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 12)).tries(60).check((seed, versions) -> {
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
            TreeMap<Bytes32, byte[]> model = new TreeMap<>();
            List<TreeMap<Bytes32, byte[]>> history = new ArrayList<>();
            for (int v = 0; v < versions; v++) {
                WriteSet ws = new WriteSet();
                int writes = r.nextInt(20);
                for (int i = 0; i < writes; i++) {
                    Bytes32 k = key(r, 6);
                    if (r.nextInt(4) == 0) {
                        ws.delete(k);
                        model.remove(k);
                    } else {
                        byte[] value = new byte[1 + r.nextInt(80)];
                        r.nextBytes(value);
                        ws.put(k, value);
                        model.put(k, value);
                    }
                }
                long committed = tree.commit(ws);
                assertThat(committed).isEqualTo(v);
                history.add(new TreeMap<>(model));
                assertThat(tree.root(v).toArray()).isEqualTo(ReferenceRoot.of(model));
            }
            long keepFrom = r.nextInt(versions);
            tree.prune(keepFrom);
            if (keepFrom > 0) {
                assertThatThrownBy(() -> tree.root(keepFrom - 1)).isInstanceOf(UnknownVersionException.class);
            }
            for (long v = keepFrom; v < versions; v++) {
                TreeMap<Bytes32, byte[]> expected = history.get((int) v);
                assertThat(tree.root(v).toArray()).isEqualTo(ReferenceRoot.of(expected));
                TreeMap<Bytes32, Bytes32> claims = new TreeMap<>();
                for (int i = 0; i < 10; i++) {
                    Bytes32 k = key(r, 6);
                    Optional<byte[]> got = tree.get(v, k);
                    assertThat(got.orElse(null)).isEqualTo(expected.get(k));
                    claims.put(k, got.map(x -> Bytes32.of(TreeHash.value(x))).orElse(Bytes32.ZERO));
                }
                List<Bytes32> keys = new ArrayList<>(claims.keySet());
                assertThat(ProofVerifier.verify(tree.root(v), keys, new ArrayList<>(claims.values()),
                        tree.prove(v, keys).encode())).as("proof in retained version " + v).isEqualTo(ProofError.OK);
            }
        });
    }

    @Test
    void proofsOfAnyKeySetVerifyAndWrongValuesAreRejected() {
        Property.forAll(Gens.seeds(), Gens.allOf(Gens.ints(0, 60), Gens.ints(1, 8))).tries(80).check((seed, counts) -> {
            int size = counts.get(0);
            int queried = counts.get(1);
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
            TreeMap<Bytes32, byte[]> model = new TreeMap<>();
            WriteSet ws = new WriteSet();
            for (int i = 0; i < size; i++) {
                Bytes32 k = key(r, 7);
                byte[] value = new byte[]{(byte) i, (byte) r.nextInt()};
                ws.put(k, value);
                model.put(k, value);
            }
            long v = tree.commit(ws);
            TreeMap<Bytes32, Bytes32> claims = new TreeMap<>();
            for (int i = 0; i < queried; i++) {
                Bytes32 k = r.nextBoolean() && !model.isEmpty()
                        ? new ArrayList<>(model.keySet()).get(r.nextInt(model.size())) : key(r, 7);
                claims.put(k, model.containsKey(k) ? Bytes32.of(TreeHash.value(model.get(k))) : Bytes32.ZERO);
            }
            List<Bytes32> keys = new ArrayList<>(claims.keySet());
            List<Bytes32> values = new ArrayList<>(claims.values());
            byte[] proof = tree.prove(v, keys).encode();
            assertThat(ProofVerifier.verify(tree.root(v), keys, values, proof)).isEqualTo(ProofError.OK);

            int victim = r.nextInt(keys.size());
            List<Bytes32> wrong = new ArrayList<>(values);
            byte[] other = new byte[32];
            r.nextBytes(other);
            wrong.set(victim, Bytes32.of(other));
            assertThat(ProofVerifier.verify(tree.root(v), keys, wrong, proof)).isNotEqualTo(ProofError.OK);
        });
    }

    @Test
    void updatingRootFromAProofEqualsCommittingTheSameWritesWithDeletionsAndManyLeavesInOneSubtree() {
        Property.forAll(Gens.seeds(), Gens.allOf(Gens.ints(0, 40), Gens.ints(1, 12), Gens.ints(0, 3))).tries(150)
                .check((seed, counts) -> {
            int size = counts.get(0);
            int touched = counts.get(1);
            int deleteOdds = counts.get(2); // 0: no deletions; 3: about three in four touched members deleted
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
            TreeMap<Bytes32, byte[]> model = new TreeMap<>();
            WriteSet ws = new WriteSet();
            for (int i = 0; i < size; i++) {
                Bytes32 k = key(r, 6);
                byte[] value = new byte[]{(byte) i};
                ws.put(k, value);
                model.put(k, value);
            }
            long v = tree.commit(ws);
            List<Bytes32> members = new ArrayList<>(model.keySet());
            TreeMap<Bytes32, Optional<byte[]>> edits = new TreeMap<>();
            for (int i = 0; i < touched; i++) {
                Bytes32 k = !members.isEmpty() && r.nextBoolean() ? members.get(r.nextInt(members.size())) : key(r, 6);
                boolean delete = r.nextInt(4) < deleteOdds;
                edits.put(k, delete ? Optional.empty() : Optional.of(new byte[]{(byte) r.nextInt(), 1, 2}));
            }
            List<Bytes32> keys = new ArrayList<>(edits.keySet());
            List<Bytes32> oldVh = keys.stream().map(k -> model.containsKey(k)
                    ? Bytes32.of(TreeHash.value(model.get(k))) : Bytes32.ZERO).toList();
            List<Bytes32> newVh = keys.stream().map(k -> edits.get(k).map(x -> Bytes32.of(TreeHash.value(x))).orElse(Bytes32.ZERO)).toList();
            byte[] proof = tree.proveUpdate(v, keys, newVh).encode();
            ProofVerifier.Result result = ProofVerifier.update(tree.root(v), keys, oldVh, newVh, proof);

            WriteSet next = new WriteSet();
            edits.forEach((k, x) -> {
                if (x.isPresent()) {
                    next.put(k, x.get());
                } else {
                    next.delete(k);
                }
            });
            long v2 = tree.commit(next);
            assertThat(result.error()).isEqualTo(ProofError.OK);
            assertThat(result.newRoot()).isEqualTo(tree.root(v2));
            if (edits.entrySet().stream().allMatch(e -> e.getValue().isPresent() || !model.containsKey(e.getKey()))) {
                // Absent keys that stay absent (what a witness holds for leaves a step only reads) need no opening either.
                assertThat(proof).as("no present key deleted, no openings").isEqualTo(tree.prove(v, keys).encode());
            }
        });
    }

    @Test
    void anUpdateThatEmptiesASubtreeNeedsItsOpeningsAndRefusesTamperedOnes() {
        Property.forAll(Gens.seeds(), Gens.ints(2, 30)).tries(80).check((seed, size) -> {
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
            WriteSet ws = new WriteSet();
            List<Bytes32> members = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                Bytes32 k = key(r, 5);
                if (!members.contains(k)) {
                    members.add(k);
                }
                ws.put(k, new byte[]{(byte) i});
            }
            long v = tree.commit(ws);
            if (members.size() < 2) {
                return; // a lone leaf has no sibling to open
            }
            Bytes32 gone = members.get(r.nextInt(members.size()));
            Bytes32 oldVh = Bytes32.of(TreeHash.value(tree.get(v, gone).orElseThrow()));
            dev.clearline.tree.proof.Proof p = tree.proveUpdate(v, List.of(gone), List.of(Bytes32.ZERO));
            assertThat(p.openings()).as("deleting one leaf opens exactly the sibling beside it").hasSize(1);
            assertThat(ProofVerifier.update(tree.root(v), List.of(gone), List.of(oldVh), List.of(Bytes32.ZERO), p.encode()).ok()).isTrue();
            // Without its opening, or with the other kind claimed, the update is refused.
            assertThat(ProofVerifier.update(tree.root(v), List.of(gone), List.of(oldVh), List.of(Bytes32.ZERO),
                    p.withOpenings(List.of()).encode()).error()).isEqualTo(ProofError.SIBLINGS_MISMATCH);
            dev.clearline.tree.proof.Proof.Opening o = p.openings().get(0);
            int other = o.kind() == 1 ? 2 : 1;
            assertThat(ProofVerifier.update(tree.root(v), List.of(gone), List.of(oldVh), List.of(Bytes32.ZERO),
                    p.withOpenings(List.of(new dev.clearline.tree.proof.Proof.Opening(other, o.first(), o.second()))).encode())
                    .error()).isEqualTo(ProofError.SIBLINGS_MISMATCH);
            // A plain verification refuses openings it never uses.
            assertThat(ProofVerifier.verify(tree.root(v), List.of(gone), List.of(oldVh), p.encode())).isEqualTo(ProofError.SIBLINGS_MISMATCH);
        });
    }
}
