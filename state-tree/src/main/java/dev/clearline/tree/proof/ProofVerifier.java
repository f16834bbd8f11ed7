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
     * value hashes with {@code newValueHashes} (insertions allowed; deletions are not).
     */
    public static Result update(Bytes32 root, List<Bytes32> keys, List<Bytes32> oldValueHashes,
            List<Bytes32> newValueHashes, byte[] proof) {
        if (newValueHashes == null || newValueHashes.size() != keys.size()) {
            return Result.failed(ProofError.KEYS_NOT_SORTED);
        }
        Result r = run(keys, oldValueHashes, newValueHashes, proof);
        if (!r.ok()) {
            return r;
        }
        return r.root().equals(root) ? r : Result.failed(ProofError.ROOT_MISMATCH);
    }

    private static Result run(List<Bytes32> keyList, List<Bytes32> vhList, List<Bytes32> newList, byte[] proofBytes) {
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
            ProofError e = terminalHashes(term, keys, vh, nv, start, j, oldHashes, newHashes, t);
            if (e != ProofError.OK) {
                return Result.failed(e);
            }
        }
        if (j != kCount) {
            return Result.failed(ProofError.TERMINAL_MISMATCH);
        }
        List<byte[]> sibs = proof.siblings();
        int[] next = {0};
        byte[][][] tracks = nv == null ? new byte[][][] {oldHashes} : new byte[][][] {oldHashes, newHashes};
        byte[][] roots = Folding.fold(reps, depths, tracks, (term, depth) -> next[0] < sibs.size() ? sibs.get(next[0]++) : null);
        if (roots == null || next[0] != sibs.size()) {
            return Result.failed(ProofError.SIBLINGS_MISMATCH);
        }
        return new Result(ProofError.OK, Bytes32.of(roots[0]), nv == null ? null : Bytes32.of(roots[1]));
    }

    private static ProofError terminalHashes(Terminal term, byte[][] keys, byte[][] vh, byte[][] nv, int from, int to,
            byte[][] oldHashes, byte[][] newHashes, int t) {
        // Leaves in this terminal after the update: (key, valueHash) pairs, at most two supported.
        List<byte[][]> after = new ArrayList<>(2);
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
                after.add(new byte[][] {nb.key(), nb.valueHash()});
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
        for (int i = from; i < to; i++) {
            boolean wasPresent = !TreeHash.isEmpty(vh[i]);
            boolean isPresent = !TreeHash.isEmpty(nv[i]);
            if (wasPresent && !isPresent) {
                return ProofError.UNSUPPORTED_UPDATE;
            }
            if (isPresent) {
                after.add(new byte[][] {keys[i], nv[i]});
            }
        }
        newHashes[t] = subtreeHash(after, term.depth());
        return newHashes[t] == null ? ProofError.UNSUPPORTED_UPDATE : ProofError.OK;
    }

    /** Hash of the compact subtree at {@code depth} holding these leaves (at most two), or null if more. */
    private static byte[] subtreeHash(List<byte[][]> leaves, int depth) {
        if (leaves.isEmpty()) {
            return TreeHash.EMPTY;
        }
        if (leaves.size() == 1) {
            return TreeHash.leaf(leaves.get(0)[0], leaves.get(0)[1]);
        }
        if (leaves.size() > 2) {
            return null;
        }
        byte[][] a = leaves.get(0);
        byte[][] b = leaves.get(1);
        if (Arrays.compareUnsigned(a[0], b[0]) > 0) {
            byte[][] x = a;
            a = b;
            b = x;
        }
        int split = Folding.commonPrefixLength(a[0], b[0]);
        byte[] h = TreeHash.node(TreeHash.leaf(a[0], a[1]), TreeHash.leaf(b[0], b[1]));
        for (int d = split; d > depth; d--) {
            h = Folding.bit(a[0], d - 1) ? TreeHash.node(TreeHash.EMPTY, h) : TreeHash.node(h, TreeHash.EMPTY);
        }
        return h;
    }
}
