package dev.clearline.tree.proof;

import dev.clearline.tree.hash.TreeHash;

/**
 * The one algorithm that turns terminals plus siblings into a root, shared by the prover (which
 * answers sibling requests from the tree and so fixes their order) and the verifier (which answers
 * them from the proof). Solidity's {@code SparseMerkleProof._fold} is the same loop.
 *
 * <p>Terminals are visited in key order. Neighbouring terminals t and t+1 meet at depth
 * {@code m = commonPrefixLength(rep_t, rep_t+1)}: t folds upward with siblings until it is the left
 * child at depth m+1 and waits on a stack; t+1 folds until it is the right child and merges with
 * it; the merged node keeps folding toward the next meeting point. The last node standing is the
 * root. It can carry several hash tracks at once (old and new leaf values) over the same siblings.
 *
 * <p>The last track may be <em>compacting</em> (a root update): it knows the {@link Shape} of each of
 * its subtrees, because after deletions a subtree may hold a single leaf, which the compact tree
 * stores one level up for as long as its sibling is empty. A single leaf climbs past an empty
 * sibling without hashing. A subtree that a deletion emptied (the first track, the old values, is
 * not empty there) meets a non-empty sibling: since a sibling hash alone does not say whether it is
 * one leaf (which then moves up) or an internal node (which stays), the proof opens it
 * ({@link Proof.Opening}). A subtree empty before and after needs no opening: in a canonical tree
 * the sibling of an empty subtree is an internal node.
 */
public final class Folding {
    /** Supplies the sibling of the node at {@code depth} on terminal {@code t}'s path; {@code null} when none is left. */
    public interface SiblingSource {
        byte[] sibling(int terminal, int depth);
    }

    /**
     * Says what the non-empty sibling {@code sibling} (of terminal {@code t}'s node at {@code depth}) is:
     * {@link Shape#LEAF} or {@link Shape#NODE}; {@code null} when no opening is left or the next one does
     * not hash to the sibling.
     */
    public interface OpeningSource {
        Shape open(int terminal, int depth, byte[] sibling);
    }

    /** What a subtree of the compacting track holds: nothing, one leaf, or at least two leaves. */
    public enum Shape {
        EMPTY, LEAF, NODE;

        /** The shape of a parent whose children have shapes {@code left} and {@code right}. */
        static Shape parent(Shape left, Shape right) {
            if (left == EMPTY && right != NODE) {
                return right;
            }
            if (right == EMPTY && left != NODE) {
                return left;
            }
            return NODE;
        }
    }

    private Folding() {}

    /**
     * @param reps a key on each terminal's path (any key below it), ascending
     * @param depths each terminal's depth; neighbours must meet strictly above both
     * @param tracks {@code tracks[k][t]} is terminal t's hash in track k
     * @return the root of each track, or {@code null} if the sibling source ran dry
     */
    public static byte[][] fold(byte[][] reps, int[] depths, byte[][][] tracks, SiblingSource siblings) {
        return fold(reps, depths, tracks, null, siblings, null);
    }

    /**
     * As {@link #fold(byte[][], int[], byte[][][], SiblingSource)}, with the last track compacting when
     * {@code shapes} (each terminal's shape in that track) is given.
     *
     * @return the root of each track, or {@code null} if the sibling or opening source ran dry or an
     *     opening did not match its sibling
     */
    public static byte[][] fold(byte[][] reps, int[] depths, byte[][][] tracks, Shape[] shapes, SiblingSource siblings,
            OpeningSource openings) {
        int n = reps.length;
        int w = tracks.length;
        int c = shapes == null ? -1 : w - 1; // the compacting track, if any
        int[] meet = new int[Math.max(0, n - 1)];
        for (int t = 0; t + 1 < n; t++) {
            meet[t] = commonPrefixLength(reps[t], reps[t + 1]);
        }
        byte[][][] stackHash = new byte[n][][];
        Shape[] stackShape = new Shape[n];
        int[] stackLeftMeet = new int[n];
        int sp = 0;
        byte[][] root = null;
        for (int t = 0; t < n; t++) {
            byte[][] h = new byte[w][];
            for (int k = 0; k < w; k++) {
                h[k] = tracks[k][t];
            }
            Shape shape = c < 0 ? Shape.NODE : shapes[t];
            int d = depths[t];
            int leftMeet = t > 0 ? meet[t - 1] : -1;
            int rightMeet = t + 1 < n ? meet[t] : -1;
            while (true) {
                int target = Math.max(leftMeet, rightMeet) + 1;
                while (d > target) {
                    byte[] s = siblings.sibling(t, d);
                    if (s == null) {
                        return null;
                    }
                    boolean right = bit(reps[t], d - 1);
                    boolean oldWasEmpty = TreeHash.isEmpty(h[0]); // the first track holds the old values
                    for (int k = 0; k < w; k++) {
                        if (k != c) {
                            h[k] = right ? TreeHash.node(s, h[k]) : TreeHash.node(h[k], s);
                        }
                    }
                    if (c >= 0) {
                        if (shape == Shape.EMPTY && !TreeHash.isEmpty(s) && !oldWasEmpty) {
                            Shape opened = openings.open(t, d, s);
                            if (opened == null) {
                                return null;
                            }
                            if (opened == Shape.LEAF) {
                                h[c] = s; // the lone leaf beside an emptied subtree moves up
                                shape = Shape.LEAF;
                            } else {
                                h[c] = right ? TreeHash.node(s, h[c]) : TreeHash.node(h[c], s);
                                shape = Shape.NODE;
                            }
                        } else if (shape == Shape.NODE || !TreeHash.isEmpty(s)) {
                            // (an empty subtree that was empty before too: its sibling is an internal node,
                            // for a canonical tree has no internal node above a lone leaf and nothing else)
                            h[c] = right ? TreeHash.node(s, h[c]) : TreeHash.node(h[c], s);
                            shape = Shape.NODE;
                        } // else: an empty or one-leaf subtree beside an empty sibling stays as it is
                    }
                    d--;
                }
                if (rightMeet > leftMeet) {
                    stackHash[sp] = h;
                    stackShape[sp] = shape;
                    stackLeftMeet[sp] = leftMeet;
                    sp++;
                    break;
                }
                if (leftMeet < 0) {
                    root = h;
                    break;
                }
                sp--;
                byte[][] left = stackHash[sp];
                for (int k = 0; k < w; k++) {
                    if (k != c) {
                        h[k] = TreeHash.node(left[k], h[k]);
                    }
                }
                if (c >= 0) {
                    Shape merged = Shape.parent(stackShape[sp], shape);
                    if (merged == Shape.NODE) {
                        h[c] = TreeHash.node(left[c], h[c]);
                    } else if (shape == Shape.EMPTY) {
                        h[c] = left[c];
                    }
                    shape = merged;
                }
                d = leftMeet;
                leftMeet = stackLeftMeet[sp];
            }
        }
        return root;
    }

    /** Bit {@code i} of a 256-bit big-endian key (bit 0 is the most significant): 1 means "go right". */
    public static boolean bit(byte[] key, int i) {
        return (key[i >>> 3] & (0x80 >>> (i & 7))) != 0;
    }

    /** Number of leading bits two keys share (256 if equal). */
    public static int commonPrefixLength(byte[] a, byte[] b) {
        for (int i = 0; i < 32; i++) {
            int x = (a[i] ^ b[i]) & 0xFF;
            if (x != 0) {
                return 8 * i + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return 256;
    }
}
