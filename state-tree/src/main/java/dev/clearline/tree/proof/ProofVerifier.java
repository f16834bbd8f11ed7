package dev.clearline.tree.proof;

import dev.clearline.tree.Bytes32;
import dev.clearline.tree.hash.TreeHash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks proofs and recomputes roots, as pure functions. The order of checks, and so the error
 * returned for an input that is wrong in several ways, is the same as in Solidity's
 * {@code SparseMerkleProof}:
 * keys, then decoding, then per terminal (coverage, claims, and for updates the new leaves), then
 * siblings, then the root.
 *
 * <p>A value hash of zero stands for "absent": a key claimed with a zero value hash is claimed not
 * to be in the tree. (keccak256 of any value is non-zero.)
 */
public final class ProofVerifier {
    private ProofVerifier() {}

    /** The outcome of a root computation: an error, or the root(s). */
    public record Result(ProofError error, Bytes32 root, Bytes32 newRoot) {
        static Result failed(ProofError e) {
            return new Result(e, null, null);
        }

        public boolean ok() {
            return error == ProofError.OK;
        }
    }

    /** Does {@code proof} show that each key has the given value hash (zero = absent) under {@code root}? */
    public static ProofError verify(Bytes32 root, List<Bytes32> keys, List<Bytes32> valueHashes, byte[] proof) {
        Result r = run(keys, valueHashes, null, proof);
        if (!r.ok()) {
            return r.error();
        }
        return r.root().equals(root) ? ProofError.OK : ProofError.ROOT_MISMATCH;
    }

    /** The root the proof and claims imply, without comparing it to anything. */
    public static Result computeRoot(List<Bytes32> keys, List<Bytes32> valueHashes, byte[] proof) {
        return run(keys, valueHashes, null, proof);
    }

    /**
     * Verifies the old claims against {@code root}, then returns the root after replacing the
     * value hashes with {@code newValueHashes}: a zero old hash inserts, a zero new hash deletes, any
     * number of keys may share a terminal. A deletion that leaves a subtree empty needs the proof to
     * open the siblings it exposes ({@link Proof.Opening}; the tree's {@code proveUpdate} adds them).
     */
    public static Result update(Bytes32 root, List<Bytes32> keys, List<Bytes32> oldValueHashes,
            List<Bytes32> newValueHashes, byte[] proof) {
        if (newValueHashes == null || newValueHashes.size() != keys.size()) {
            return Result.failed(ProofError.KEYS_NOT_SORTED);
        }
        Result r = run(keys, oldValueHashes, newValueHashes, proof, null);
        if (!r.ok()) {
            return r;
        }
        return r.root().equals(root) ? r : Result.failed(ProofError.ROOT_MISMATCH);
    }

    /** Answers an update's request to open terminal {@code t}'s non-empty sibling at {@code depth}. */
    public interface Opener {
        Proof.Opening open(int terminal, int depth, byte[] sibling);
    }

    /**
     * The openings the update from {@code oldValueHashes} to {@code newValueHashes} needs, in the order
     * its fold asks {@code opener} for them (the proof's own openings are ignored), or the error that
     * stops the update before its root is compared.
     */
    public static OpeningsNeeded openingsFor(List<Bytes32> keys, List<Bytes32> oldValueHashes, List<Bytes32> newValueHashes,
            byte[] proof, Opener opener) {
        List<Proof.Opening> asked = new ArrayList<>();
        Result r = newValueHashes == null || newValueHashes.size() != keys.size() ? Result.failed(ProofError.KEYS_NOT_SORTED)
                : run(keys, oldValueHashes, newValueHashes, proof, (t, d, s) -> {
                    Proof.Opening o = opener.open(t, d, s);
                    asked.add(o);
                    return o;
                });
        return new OpeningsNeeded(r.error(), asked);
    }

    /** The result of {@link #openingsFor}. */
    public record OpeningsNeeded(ProofError error, List<Proof.Opening> openings) {}

    private static Result run(List<Bytes32> keyList, List<Bytes32> vhList, List<Bytes32> newList, byte[] proofBytes) {
        return run(keyList, vhList, newList, proofBytes, null);
    }

    private static Result run(List<Bytes32> keyList, List<Bytes32> vhList, List<Bytes32> newList, byte[] proofBytes,
            Opener opener) {
        if (keyList == null || vhList == null || keyList.isEmpty() || keyList.size() != vhList.size()) {
            return Result.failed(ProofError.KEYS_NOT_SORTED);
        }
        int kCount = keyList.size();
        byte[][] keys = new byte[kCount][];
        byte[][] vh = new byte[kCount][];
        byte[][] nv = newList == null ? null : new byte[kCount][];
        for (int i = 0; i < kCount; i++) {
            keys[i] = keyList.get(i).toArray();
            vh[i] = vhList.get(i).toArray();
            if (nv != null) {
                nv[i] = newList.get(i).toArray();
            }
            if (i > 0 && Arrays.compareUnsigned(keys[i - 1], keys[i]) >= 0) {
                return Result.failed(ProofError.KEYS_NOT_SORTED);
            }
        }
        Proof proof;
        switch (Proof.decode(proofBytes)) {
            case Proof.Decoded.Invalid inv -> {
                return Result.failed(inv.error());
            }
            case Proof.Decoded.Valid v -> proof = v.proof();
        }
        List<Terminal> terms = proof.terminals();
        int n = terms.size();
        byte[][] reps = new byte[n][];
        int[] depths = new int[n];
        byte[][] oldHashes = new byte[n][];
        byte[][] newHashes = new byte[n][];
        Folding.Shape[] newShapes = new Folding.Shape[n];
        int j = 0;
        for (int t = 0; t < n; t++) {
            Terminal term = terms.get(t);
            int d = term.depth();
            if (j == kCount) {
                return Result.failed(ProofError.TERMINAL_MISMATCH);
            }
            byte[] rep = keys[j];
            if (t > 0 && Folding.commonPrefixLength(reps[t - 1], rep) >= d) {
                return Result.failed(ProofError.TERMINAL_MISMATCH);
            }
            int start = j++;
            while (j < kCount && Folding.commonPrefixLength(rep, keys[j]) >= d) {
                j++;
            }
            reps[t] = rep;
            depths[t] = d;
            ProofError e = terminalHashes(term, keys, vh, nv, start, j, oldHashes, newHashes, newShapes, t);
            if (e != ProofError.OK) {
                return Result.failed(e);
            }
        }
        if (j != kCount) {
            return Result.failed(ProofError.TERMINAL_MISMATCH);
        }
        List<byte[]> sibs = proof.siblings();
        List<Proof.Opening> ops = proof.openings();
        int[] next = {0};
        int[] nextOpening = {0};
        Folding.OpeningSource openings = (t, d, s) -> {
            Proof.Opening o;
            if (opener != null) {
                o = opener.open(t, d, s);
            } else {
                o = nextOpening[0] < ops.size() ? ops.get(nextOpening[0]++) : null;
            }
            if (o == null || !Arrays.equals(o.hash(), s)) {
                return null;
            }
            return o.kind() == Proof.Opening.LEAF ? Folding.Shape.LEAF : Folding.Shape.NODE;
        };
        byte[][] roots = nv == null
                ? Folding.fold(reps, depths, new byte[][][] {oldHashes}, null, (term, depth) -> next[0] < sibs.size() ? sibs.get(next[0]++) : null, null)
                : Folding.fold(reps, depths, new byte[][][] {oldHashes, newHashes}, newShapes,
                        (term, depth) -> next[0] < sibs.size() ? sibs.get(next[0]++) : null, openings);
        if (roots == null || next[0] != sibs.size() || (opener == null && nextOpening[0] != ops.size())) {
            return Result.failed(ProofError.SIBLINGS_MISMATCH);
        }
        return new Result(ProofError.OK, Bytes32.of(roots[0]), nv == null ? null : Bytes32.of(roots[1]));
    }

    private static ProofError terminalHashes(Terminal term, byte[][] keys, byte[][] vh, byte[][] nv, int from, int to,
            byte[][] oldHashes, byte[][] newHashes, Folding.Shape[] newShapes, int t) {
        byte[] neighbourKey = null;
        byte[] neighbourHash = null;
        switch (term) {
            case Terminal.Empty e -> {
                for (int i = from; i < to; i++) {
                    if (!TreeHash.isEmpty(vh[i])) {
                        return ProofError.VALUE_MISMATCH;
                    }
                }
                oldHashes[t] = TreeHash.EMPTY;
            }
            case Terminal.NeighbourLeaf nb -> {
                if (Folding.commonPrefixLength(keys[from], nb.key()) < nb.depth()) {
                    return ProofError.TERMINAL_MISMATCH;
                }
                for (int i = from; i < to; i++) {
                    if (!TreeHash.isEmpty(vh[i]) || Arrays.equals(keys[i], nb.key())) {
                        return ProofError.VALUE_MISMATCH;
                    }
                }
                oldHashes[t] = TreeHash.leaf(nb.key(), nb.valueHash());
                neighbourKey = nb.key();
                neighbourHash = nb.valueHash();
            }
            case Terminal.QueriedLeaf q -> {
                int member = -1;
                for (int i = from; i < to; i++) {
                    if (!TreeHash.isEmpty(vh[i])) {
                        if (member >= 0) {
                            return ProofError.VALUE_MISMATCH;
                        }
                        member = i;
                    }
                }
                if (member < 0) {
                    return ProofError.VALUE_MISMATCH;
                }
                oldHashes[t] = TreeHash.leaf(keys[member], vh[member]);
            }
        }
        if (nv == null) {
            return ProofError.OK;
        }
        // The terminal's leaves afterwards, ascending: the untouched neighbour (if any) in its place
        // among the covered keys whose new value hash is non-zero (a zero one is absent, or deleted).
        int max = to - from + (neighbourKey == null ? 0 : 1);
        byte[][] afterKeys = new byte[max][];
        byte[][] afterHashes = new byte[max][];
        int count = 0;
        for (int i = from; i < to; i++) {
            if (neighbourKey != null && Arrays.compareUnsigned(neighbourKey, keys[i]) < 0) {
                afterKeys[count] = neighbourKey;
                afterHashes[count++] = neighbourHash;
                neighbourKey = null;
            }
            if (!TreeHash.isEmpty(nv[i])) {
                afterKeys[count] = keys[i];
                afterHashes[count++] = nv[i];
            }
        }
        if (neighbourKey != null) {
            afterKeys[count] = neighbourKey;
            afterHashes[count++] = neighbourHash;
        }
        newHashes[t] = subtreeHash(afterKeys, afterHashes, 0, count, term.depth());
        newShapes[t] = count == 0 ? Folding.Shape.EMPTY : count == 1 ? Folding.Shape.LEAF : Folding.Shape.NODE;
        return ProofError.OK;
    }

    /**
     * Hash of the compact subtree at {@code depth} holding the leaves {@code [lo, hi)} (ascending keys, all
     * below that subtree): the leaves split at the first bit where the lowest and highest keys differ;
     * the node there sits under a chain of internal nodes with one empty child up to {@code depth}.
     */
    private static byte[] subtreeHash(byte[][] keys, byte[][] hashes, int lo, int hi, int depth) {
        if (hi == lo) {
            return TreeHash.EMPTY;
        }
        if (hi - lo == 1) {
            return TreeHash.leaf(keys[lo], hashes[lo]);
        }
        int split = Folding.commonPrefixLength(keys[lo], keys[hi - 1]);
        int mid = lo + 1;
        while (!Folding.bit(keys[mid], split)) {
            mid++;
        }
        byte[] h = TreeHash.node(subtreeHash(keys, hashes, lo, mid, split + 1), subtreeHash(keys, hashes, mid, hi, split + 1));
        for (int d = split; d > depth; d--) {
            h = Folding.bit(keys[lo], d - 1) ? TreeHash.node(TreeHash.EMPTY, h) : TreeHash.node(h, TreeHash.EMPTY);
        }
        return h;
    }
}
