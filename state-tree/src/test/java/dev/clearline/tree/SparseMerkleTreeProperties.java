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
    void updatingRootFromAProofEqualsCommittingTheSameWrites() {
        Property.forAll(Gens.seeds(), Gens.allOf(Gens.ints(0, 40), Gens.ints(1, 5))).tries(80).check((seed, counts) -> {
            int size = counts.get(0);
            int queried = counts.get(1);
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
            TreeMap<Bytes32, byte[]> model = new TreeMap<>();
            WriteSet ws = new WriteSet();
            for (int i = 0; i < size; i++) {
                Bytes32 k = key(r, 7);
                byte[] value = new byte[]{(byte) i};
                ws.put(k, value);
                model.put(k, value);
            }
            long v = tree.commit(ws);
            TreeMap<Bytes32, byte[]> newValues = new TreeMap<>();
            for (int i = 0; i < queried; i++) {
                byte[] value = new byte[]{(byte) r.nextInt(), 1, 2};
                newValues.put(key(r, 7), value);
            }
            List<Bytes32> keys = new ArrayList<>(newValues.keySet());
            List<Bytes32> oldVh = keys.stream().map(k -> model.containsKey(k)
                    ? Bytes32.of(TreeHash.value(model.get(k))) : Bytes32.ZERO).toList();
            List<Bytes32> newVh = keys.stream().map(k -> Bytes32.of(TreeHash.value(newValues.get(k)))).toList();
            byte[] proof = tree.prove(v, keys).encode();
            ProofVerifier.Result result = ProofVerifier.update(tree.root(v), keys, oldVh, newVh, proof);

            WriteSet next = new WriteSet();
            newValues.forEach(next::put);
            long v2 = tree.commit(next);
            if (result.error() == ProofError.OK) {
                assertThat(result.newRoot()).isEqualTo(tree.root(v2));
            } else {
                // Only a terminal that would hold three or more leaves afterwards is out of the proof's reach.
                assertThat(result.error()).isEqualTo(ProofError.UNSUPPORTED_UPDATE);
            }
        });
    }
}
