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
 * root. It can carry two hash tracks at once (old and new leaf values) over the same siblings.
 */
public final class Folding {
    /** Supplies the sibling of the node at {@code depth} on terminal {@code t}'s path; {@code null} when none is left. */
    public interface SiblingSource {
        byte[] sibling(int terminal, int depth);
    }

    private Folding() {}

    /**
     * @param reps a key on each terminal's path (any key below it), ascending
     * @param depths each terminal's depth; neighbours must meet strictly above both
     * @param tracks {@code tracks[k][t]} is terminal t's hash in track k
     * @return the root of each track, or {@code null} if the sibling source ran dry
     */
    public static byte[][] fold(byte[][] reps, int[] depths, byte[][][] tracks, SiblingSource siblings) {
        int n = reps.length;
        int w = tracks.length;
        int[] meet = new int[Math.max(0, n - 1)];
        for (int t = 0; t + 1 < n; t++) {
            meet[t] = commonPrefixLength(reps[t], reps[t + 1]);
        }
        byte[][][] stackHash = new byte[n][][];
        int[] stackLeftMeet = new int[n];
        int sp = 0;
        byte[][] root = null;
        for (int t = 0; t < n; t++) {
            byte[][] h = new byte[w][];
            for (int k = 0; k < w; k++) {
                h[k] = tracks[k][t];
            }
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
                    for (int k = 0; k < w; k++) {
                        h[k] = right ? TreeHash.node(s, h[k]) : TreeHash.node(h[k], s);
                    }
                    d--;
                }
                if (rightMeet > leftMeet) {
                    stackHash[sp] = h;
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
                    h[k] = TreeHash.node(left[k], h[k]);
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
